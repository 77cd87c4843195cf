from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.core.errors import NotFoundError
from chancetap.core.fields import StrictCharField
from chancetap.core.idempotency import IdempotentResponse, idempotency_key_validate
from rooms.bonus import bonus_run_active, bonus_run_cancel, bonus_run_public, bonus_run_start
from rooms.models import Room
from rooms.selectors import (
    room_current_for,
    room_history_for,
    room_is_member,
    tier_list_with_occupancy,
)
from rooms.services import (
    hero_room_create,
    hero_room_join,
    hero_room_start,
    room_join_tier,
    room_leave,
    room_public,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True
)


def _key(request: Request) -> str:
    key = idempotency_key_validate(request.headers.get("Idempotency-Key"))
    assert key is not None
    return key


def _respond(result: IdempotentResponse) -> Response:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Response(result.body, status=result.status, headers=headers)


class TierListApi(APIView):
    """The six standard tiers with live occupancy."""

    def get(self, request: Request) -> Response:
        return Response(tier_list_with_occupancy())


class TierJoinApi(APIView):
    """Pay the fee and take a seat in a gathering room of this tier."""

    @extend_schema(request=None, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request, tier_id: int) -> Response:
        return _respond(
            room_join_tier(
                user=request_user(request), tier_id=tier_id, idempotency_key=_key(request)
            )
        )


class HeroCreateApi(APIView):
    class InputSerializer(serializers.Serializer[dict[str, int]]):
        fee = serializers.IntegerField(min_value=1, max_value=10_000_000)

    @extend_schema(request=InputSerializer, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _respond(
            hero_room_create(
                organizer=request_user(request),
                fee=int(data.validated_data["fee"]),
                idempotency_key=_key(request),
            )
        )


class HeroJoinApi(APIView):
    # Per player (ScopedRateThrottle keys on the user): hero keys cannot be guessed by brute force.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "hero_join"

    class InputSerializer(serializers.Serializer[dict[str, str]]):
        key = StrictCharField(min_length=4, max_length=12)

    @extend_schema(request=InputSerializer, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _respond(
            hero_room_join(
                user=request_user(request),
                key=str(data.validated_data["key"]),
                idempotency_key=_key(request),
            )
        )


def _member_room(request: Request, room_id: int) -> Room:
    room = Room.objects.filter(pk=room_id).first()
    if room is None or not room_is_member(room=room, user_id=request_user(request).tg_id):
        raise NotFoundError("room_not_found", "No such room.")
    return room


class RoomDetailApi(APIView):
    def get(self, request: Request, room_id: int) -> Response:
        return Response(room_public(_member_room(request, room_id)))


class RoomLeaveApi(APIView):
    @extend_schema(request=None)
    def post(self, request: Request, room_id: int) -> Response:
        return Response(room_public(room_leave(user=request_user(request), room_id=room_id)))


class RoomStartApi(APIView):
    @extend_schema(request=None)
    def post(self, request: Request, room_id: int) -> Response:
        return Response(
            room_public(hero_room_start(organizer=request_user(request), room_id=room_id))
        )


class RoomCurrentApi(APIView):
    """The room the caller is in (or runs) right now, to restore the screen after a reload."""

    def get(self, request: Request) -> Response:
        room = room_current_for(user_id=request_user(request).tg_id)
        return Response({"room": room_public(room) if room else None})


class RoomHistoryApi(APIView):
    class QuerySerializer(serializers.Serializer[dict[str, Any]]):
        limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
        offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**6)

    @extend_schema(parameters=[QuerySerializer])
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            room_history_for(
                user_id=request_user(request).tg_id,
                limit=query.validated_data["limit"],
                offset=query.validated_data["offset"],
            )
        )


class BonusApi(APIView):
    """The caller's active bonus run (null when none)."""

    def get(self, request: Request) -> Response:
        run = bonus_run_active(user_id=request_user(request).tg_id)
        return Response({"run": bonus_run_public(run)})


class BonusStartApi(APIView):
    @extend_schema(request=None)
    def post(self, request: Request) -> Response:
        return Response({"run": bonus_run_public(bonus_run_start(user=request_user(request)))}, 201)


class BonusCancelApi(APIView):
    @extend_schema(request=None)
    def post(self, request: Request) -> Response:
        return Response({"run": bonus_run_public(bonus_run_cancel(user=request_user(request)))})
