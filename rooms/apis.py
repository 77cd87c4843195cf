from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.api.idempotent import IDEMPOTENCY_PARAMETERS, IdempotentApiMixin
from chancetap.api.pagination import LimitOffsetPagination, PageQuerySerializer, PageSerializer
from chancetap.core.errors import NotFoundError
from chancetap.core.fields import StrictCharField
from rooms.bonus import bonus_run_active, bonus_run_cancel, bonus_run_progress, bonus_run_start
from rooms.models import Room
from rooms.selectors import (
    HISTORY_RESULTS,
    game_rules,
    room_current_for,
    room_history_for,
    room_is_member,
    tier_list_with_occupancy,
)
from rooms.serializers import BonusRunSerializer, RoomSerializer
from rooms.services import (
    hero_key_normalize,
    hero_room_create,
    hero_room_join,
    hero_room_start,
    room_join_tier,
    room_leave,
)


class TierListApi(APIView):
    """The six standard tiers with live occupancy."""

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        stars = serializers.IntegerField()
        waiting = serializers.IntegerField(help_text="Players in the room a new player joins.")
        max_players = serializers.IntegerField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(tier_list_with_occupancy(), many=True).data)


class TierJoinApi(IdempotentApiMixin, APIView):
    """Pay the fee and take a seat in a gathering room of this tier."""

    OutputSerializer = RoomSerializer
    idempotency_scope = "rooms.join_tier"

    @extend_schema(request=None, parameters=IDEMPOTENCY_PARAMETERS, responses={201: RoomSerializer})
    def post(self, request: Request, tier_id: int) -> Response:
        user = request_user(request)
        return self.idempotent(
            request,
            fingerprint={"tier_id": tier_id},
            action=lambda: room_join_tier(user=user, tier_id=tier_id),
        )


class HeroCreateApi(IdempotentApiMixin, APIView):
    class InputSerializer(serializers.Serializer[dict[str, int]]):
        fee = serializers.IntegerField(min_value=1, max_value=10_000_000)

    OutputSerializer = RoomSerializer
    idempotency_scope = "rooms.hero_create"

    @extend_schema(
        request=InputSerializer, parameters=IDEMPOTENCY_PARAMETERS, responses={201: RoomSerializer}
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organizer, fee = request_user(request), int(data.validated_data["fee"])
        return self.idempotent(
            request,
            fingerprint={"fee": fee},
            action=lambda: hero_room_create(organizer=organizer, fee=fee),
        )


class HeroJoinApi(IdempotentApiMixin, APIView):
    # THROTTLE_HERO_JOIN per player: hero keys cannot be guessed by brute force.
    throttle_scope = "hero_join"

    class InputSerializer(serializers.Serializer[dict[str, str]]):
        key = StrictCharField(min_length=4, max_length=12)

    OutputSerializer = RoomSerializer
    idempotency_scope = "rooms.hero_join"

    @extend_schema(
        request=InputSerializer, parameters=IDEMPOTENCY_PARAMETERS, responses={201: RoomSerializer}
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, key = request_user(request), str(data.validated_data["key"])
        return self.idempotent(
            request,
            fingerprint={"key": hero_key_normalize(key)},
            action=lambda: hero_room_join(user=user, key=key),
        )


def _member_room(request: Request, room_id: int) -> Room:
    room = Room.objects.filter(pk=room_id).first()
    if room is None or not room_is_member(room=room, user_id=request_user(request).tg_id):
        raise NotFoundError("room_not_found", "No such room.")
    return room


class RoomDetailApi(APIView):
    @extend_schema(responses={200: RoomSerializer})
    def get(self, request: Request, room_id: int) -> Response:
        return Response(RoomSerializer(_member_room(request, room_id)).data)


class RoomLeaveApi(APIView):
    @extend_schema(request=None, responses={200: RoomSerializer})
    def post(self, request: Request, room_id: int) -> Response:
        room = room_leave(user=request_user(request), room_id=room_id)
        return Response(RoomSerializer(room).data)


class RoomStartApi(APIView):
    @extend_schema(request=None, responses={200: RoomSerializer})
    def post(self, request: Request, room_id: int) -> Response:
        room = hero_room_start(organizer=request_user(request), room_id=room_id)
        return Response(RoomSerializer(room).data)


class RoomCurrentApi(APIView):
    """The room the caller is in (or runs) right now, to restore the screen after a reload."""

    class OutputSerializer(serializers.Serializer[Any]):
        room = RoomSerializer(allow_null=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        room = room_current_for(user_id=request_user(request).tg_id)
        return Response(self.OutputSerializer({"room": room}).data)


class RoomCoPlayerSerializer(serializers.Serializer[Any]):  # rooms.selectors.RoomCoPlayer
    tg_id = serializers.IntegerField()
    first_name = serializers.CharField()
    taps = serializers.IntegerField()


class RoomHistoryItemSerializer(serializers.Serializer[Any]):  # rooms.selectors.RoomHistoryItem
    room_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Room.Kind.choices)
    fee = serializers.IntegerField()
    phase = serializers.ChoiceField(choices=Room.Phase.choices)
    result = serializers.ChoiceField(
        choices=HISTORY_RESULTS,
        help_text="How the game ended for me: `refunded` (finished, nobody could win) and "
        "`cancelled` (never played) gave every fee back.",
    )
    taps = serializers.IntegerField(help_text="My taps (0 until the game is settled).")
    won = serializers.BooleanField()
    prize = serializers.IntegerField(help_text="Stars I won (0 unless I won).")
    pool = serializers.IntegerField(
        help_text="Fees of the players seated: the pool of a finished game, what was refunded "
        "of a cancelled one."
    )
    players = serializers.IntegerField(help_text="Players seated, me included.")
    co_players = RoomCoPlayerSerializer(
        many=True, help_text="The other players seated, in seat order (at most the room's seats)."
    )
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class RoomHistoryApi(APIView):
    """The rooms the caller sat in, newest first, a page at a time."""

    class OutputSerializer(PageSerializer):
        items = RoomHistoryItemSerializer(many=True)

    @extend_schema(
        operation_id="rooms_history_list",
        parameters=[PageQuerySerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        user_id = request_user(request).tg_id
        paginator = LimitOffsetPagination()
        items = paginator.paginate_rows(
            lambda limit, offset: room_history_for(user_id=user_id, limit=limit, offset=offset),
            request,
        )
        return Response(self.OutputSerializer(paginator.page(items)).data)


class RulesApi(APIView):
    """The game's rules as the operator set them: room shares and limits, the bonus run and the
    anti-cheat line (the Rules & terms and bonus screens show these)."""

    class OutputSerializer(serializers.Serializer[Any]):
        class RulesStandardSerializer(serializers.Serializer[Any]):
            max_players = serializers.IntegerField()
            min_players = serializers.IntegerField()
            gather_seconds = serializers.IntegerField()
            countdown_seconds = serializers.IntegerField()
            game_seconds = serializers.IntegerField()
            house_share_bp = serializers.IntegerField(
                help_text="The house's share of the pool, in basis points (100 = 1 %)."
            )

        class RulesHeroSerializer(serializers.Serializer[Any]):
            max_players = serializers.IntegerField()
            target_taps = serializers.IntegerField()
            game_seconds = serializers.IntegerField()
            timeout_seconds = serializers.IntegerField(
                help_text="The room is cancelled and refunded when not started by then."
            )
            organizer_share_bp = serializers.IntegerField()
            winner_share_bp = serializers.IntegerField()
            min_fee = serializers.IntegerField()
            max_fee = serializers.IntegerField()

        class RulesBonusSerializer(serializers.Serializer[Any]):
            target_taps = serializers.IntegerField()
            duration_hours = serializers.IntegerField()
            reward_stars = serializers.IntegerField()
            cooldown_hours = serializers.IntegerField()
            min_paid_games = serializers.IntegerField()

        standard = RulesStandardSerializer()
        hero = RulesHeroSerializer()
        bonus = RulesBonusSerializer()
        cheat_limit = serializers.IntegerField(help_text="More taps than this within the window …")
        cheat_window_ms = serializers.IntegerField(help_text="… mark the seat as a cheater's.")

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(game_rules()).data)


class BonusRunEnvelopeSerializer(serializers.Serializer[Any]):
    run = BonusRunSerializer(allow_null=True)


class BonusApi(APIView):
    """The caller's active bonus run (null when none)."""

    @extend_schema(responses={200: BonusRunEnvelopeSerializer})
    def get(self, request: Request) -> Response:
        run = bonus_run_active(user_id=request_user(request).tg_id)
        return Response(BonusRunEnvelopeSerializer({"run": bonus_run_progress(run)}).data)


class BonusStartApi(APIView):
    @extend_schema(request=None, responses={201: BonusRunEnvelopeSerializer})
    def post(self, request: Request) -> Response:
        run = bonus_run_start(user=request_user(request))
        return Response(BonusRunEnvelopeSerializer({"run": bonus_run_progress(run)}).data, 201)


class BonusCancelApi(APIView):
    @extend_schema(request=None, responses={200: BonusRunEnvelopeSerializer})
    def post(self, request: Request) -> Response:
        run = bonus_run_cancel(user=request_user(request))
        return Response(BonusRunEnvelopeSerializer({"run": bonus_run_progress(run)}).data)
