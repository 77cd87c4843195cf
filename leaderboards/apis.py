from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.api.pagination import LimitOffsetPagination, PageQuerySerializer, PageSerializer
from chancetap.core.errors import ApplicationError, NotFoundError
from chancetap.core.serializers import DecimalStringField
from leaderboards.selectors import (
    donation_board_me,
    donation_board_page,
    donation_offer_for,
    donation_preview_for,
    game_board,
)
from leaderboards.weeks import week_key_for, week_key_valid

DONATION_BOARDS = {"all-time", "week", "referrals"}
GAME_PERIODS = {"today", "week", "all-time"}


class DonationQuerySerializer(PageQuerySerializer):
    # Empty is absent (DRF reads an empty optional query parameter so): the current week.
    week_key = serializers.CharField(required=False, allow_blank=True, max_length=8)


class DonationRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    tg_id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    photo_url = serializers.CharField()
    tons = serializers.CharField(help_text="A decimal string.")
    referrals_count = serializers.IntegerField(required=False, help_text="Board `referrals`.")


class DonationMeSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField(allow_null=True, help_text="Null when not on the board.")
    tons = serializers.CharField(help_text="A decimal string.")
    referrals_count = serializers.IntegerField(required=False, help_text="Board `referrals`.")


class DonationLeaderboardApi(APIView):
    """Donation leaderboards: all-time, a week (Europe/Berlin ISO week), top referrers."""

    class OutputSerializer(PageSerializer):
        board = serializers.CharField()
        week_key = serializers.CharField(allow_null=True, help_text="Board `week` only.")
        items = DonationRowSerializer(many=True)
        me = DonationMeSerializer()

    @extend_schema(
        parameters=[
            DonationQuerySerializer,
            OpenApiParameter("board", str, OpenApiParameter.PATH, enum=sorted(DONATION_BOARDS)),
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, board: str) -> Response:
        if board not in DONATION_BOARDS:
            raise NotFoundError("leaderboard_not_found", "No such leaderboard.")
        query = DonationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        week_key = query.validated_data.get("week_key") or week_key_for(timezone.now())
        if not week_key_valid(week_key):
            raise ApplicationError(
                "week_key_invalid", "week_key must look like 2026-W03 (an existing ISO week)."
            )
        if board != "week":
            week_key = ""
        paginator = LimitOffsetPagination()
        items = paginator.paginate_rows(
            lambda limit, offset: donation_board_page(
                name=board, week_key=week_key, limit=limit, offset=offset
            ),
            request,
        )
        me = donation_board_me(name=board, week_key=week_key, user_id=request_user(request).tg_id)
        body = {**paginator.page(items), "board": board, "week_key": week_key or None, "me": me}
        return Response(self.OutputSerializer(body).data)


class GameRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    tg_id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    photo_url = serializers.CharField()
    stars_won = serializers.IntegerField()
    wins = serializers.IntegerField()


class GameMeSerializer(serializers.Serializer[Any]):
    stars_won = serializers.IntegerField()
    wins = serializers.IntegerField()


class GameLeaderboardApi(APIView):
    """Top 10 by Stars won: today, this week (leaderboard time zone) or all time."""

    class OutputSerializer(serializers.Serializer[Any]):
        period = serializers.CharField()
        items = GameRowSerializer(many=True)
        me = GameMeSerializer()

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, OpenApiParameter.PATH, enum=sorted(GAME_PERIODS))
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, period: str) -> Response:
        if period not in GAME_PERIODS:
            raise NotFoundError("leaderboard_not_found", "No such leaderboard.")
        board = game_board(period=period, user_id=request_user(request).tg_id)
        return Response(self.OutputSerializer(board).data)


# The donate sheet's offer: payments' presets and limits with what each would do to the caller's
# weekly rank — a leaderboards read, served at /api/v1/payments/presets.
class DonationPresetSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    place = serializers.IntegerField()
    title = serializers.CharField(help_text="In the caller's language.")
    stars = serializers.IntegerField()
    tons = DecimalStringField(help_text="Tons this package counts now.")
    weekly_rank_after = serializers.IntegerField(help_text="The caller's weekly rank after it.")


class CustomAmountSerializer(serializers.Serializer[Any]):
    min_stars = serializers.IntegerField()
    max_stars = serializers.IntegerField()


class PresetListApi(APIView):
    """Donation packages and custom-amount limits, each with its tons now and the weekly rank
    it would give the caller."""

    class OutputSerializer(serializers.Serializer[Any]):
        presets = DonationPresetSerializer(many=True)
        custom = CustomAmountSerializer(source="*")
        rate = DecimalStringField(help_text="Tons per Star now.")
        week_key = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        offer = donation_offer_for(user=request_user(request))
        return Response(self.OutputSerializer(offer).data)


class DonationPreviewApi(APIView):
    """The weekly rank a custom donation amount would give the caller (the donate sheet's
    preview while he types)."""

    class QuerySerializer(serializers.Serializer[Any]):
        stars = serializers.IntegerField(min_value=1, max_value=10**9)

    class OutputSerializer(serializers.Serializer[Any]):
        stars = serializers.IntegerField()
        tons = DecimalStringField(help_text="Tons this amount counts now.")
        weekly_rank_after = serializers.IntegerField(help_text="The caller's weekly rank after it.")
        week_key = serializers.CharField()

    @extend_schema(parameters=[QuerySerializer], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        preview = donation_preview_for(
            user=request_user(request), stars=query.validated_data["stars"]
        )
        return Response(self.OutputSerializer(preview).data)
