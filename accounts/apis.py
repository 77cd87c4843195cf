from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseRedirect
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.authentication import request_user
from accounts.initdata import make_init_data
from accounts.selectors import user_profile
from accounts.serializers import ProfileSerializer
from accounts.services import telegram_login
from chancetap.core.fields import StrictCharField
from chancetap.core.framing import miniapp_document


class TelegramLoginApi(APIView):
    """Exchange Telegram ``initData`` for a JWT."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

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
    """The caller's profile."""

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(user_profile(user=request_user(request))).data)


DEMO_USER = {
    "id": 100000001,
    "first_name": "Demo",
    "last_name": "Player",
    "username": "demo_player",
    "language_code": "en",
    "allows_write_to_pm": True,
}


@miniapp_document
def dev_login_view(request: HttpRequest) -> HttpResponseRedirect:
    """Debug builds only: mint initData for a demo user and open the Mini App with it.

    ``?tg_id=`` picks another demo user (for trying multiplayer in two browser windows) and
    ``?lang=ru`` the Russian interface.
    """
    if not settings.DEV_LOGIN_ENABLED:
        raise Http404
    user = dict(DEMO_USER)
    tg_id = request.GET.get("tg_id", "")
    if tg_id.isdigit() and 0 < int(tg_id) < 2**52:
        user["id"] = int(tg_id)
        user["first_name"] = f"Demo {tg_id[-4:]}"
        user["username"] = f"demo_{tg_id}"
    if request.GET.get("lang") in ("ru", "en"):
        user["language_code"] = request.GET["lang"]
    init_data = make_init_data(
        bot_token=settings.TELEGRAM_BOT_TOKEN,
        user=user,
        auth_date=int(time.time()),
        extra={"query_id": "DEV" + secrets.token_hex(8)},
    )
    theme = '{"bg_color":"#ffffff","text_color":"#000000","button_color":"#2481cc"}'
    fragment = (
        f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
        f"&tgWebAppPlatform=web&tgWebAppThemeParams={quote(theme, safe='')}"
    )
    return HttpResponseRedirect("/#" + fragment)
