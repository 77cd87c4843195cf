"""The APIs that answer with the player's profile: login, ``/me`` and attaching a referrer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from accounts.services import telegram_login, user_settings_update
from chancetap.core.fields import StrictBooleanField, StrictCharField
from chancetap.profile.selectors import user_profile
from chancetap.profile.serializers import ProfileSerializer
from referrals.services import referral_attach


class TelegramLoginApi(APIView):
    """Exchange Telegram ``initData`` for a JWT."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"  # THROTTLE_AUTH per client address

    class InputSerializer(serializers.Serializer[dict[str, str]]):
        init_data = StrictCharField(max_length=8192, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
        expires_in = serializers.IntegerField(help_text="Seconds the token stays valid.")
        created = serializers.BooleanField(help_text="This login created the account.")
        user = ProfileSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = telegram_login(init_data=serializer.validated_data["init_data"])
        body = {
            "token": result.token,
            "expires_in": settings.JWT_EXPIRY_SECONDS,
            "created": result.created,
            "user": user_profile(user=result.user),
        }
        return Response(self.OutputSerializer(body).data)


class MeApi(APIView):
    """The caller's profile; PATCH changes his settings."""

    class SettingsInputSerializer(serializers.Serializer[dict[str, bool]]):
        notify_game_results = StrictBooleanField(
            required=False, help_text="Whether the bot tells me how each game I played ended."
        )

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(user_profile(user=request_user(request))).data)

    @extend_schema(request=SettingsInputSerializer, responses={200: ProfileSerializer})
    def patch(self, request: Request) -> Response:
        serializer = self.SettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_settings_update(user=request_user(request), **serializer.validated_data)
        return Response(ProfileSerializer(user_profile(user=user)).data)


class ReferralAttachApi(APIView):
    """Set my referrer — only allowed right after joining, and never changed later."""

    class InputSerializer(serializers.Serializer[dict[str, str]]):
        code = StrictCharField(max_length=64)

    @extend_schema(request=InputSerializer, responses={200: ProfileSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = referral_attach(user=request_user(request), code=serializer.validated_data["code"])
        return Response(ProfileSerializer(user_profile(user=user)).data)
