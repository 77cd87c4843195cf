"""DRF authentication: ``Authorization: Bearer <JWT>`` or ``Authorization: tma <initData>``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts.models import User
from accounts.services import telegram_login
from accounts.tokens import token_decode
from chancetap import rls
from chancetap.core.errors import ApplicationError
from chancetap.observability import metrics


class ApiAuthError(exceptions.AuthenticationFailed):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(detail={"code": code, "message": message})


class BlockedUser(exceptions.PermissionDenied):
    def __init__(self) -> None:
        super().__init__(detail={"code": "user_blocked", "message": "Your account is blocked."})


def user_for_token(token: str, *, narrow_request: bool = False) -> User:
    """The active user a JWT names; raises ApplicationError (401 / 403) otherwise.

    ``narrow_request``: the rest of the current request runs with this player's row-level security
    claims from the lookup on (``accounts_user`` carries no policy), so a request sets its claims
    on the database connection once instead of ``service`` for the lookup and then ``user``.
    """
    claims = token_decode(token)
    if narrow_request:
        rls.request_user_set(claims.tg_id)
    user = User.objects.filter(tg_id=claims.tg_id).first()
    if user is None:
        metrics.auth_failures.labels(code="token_unknown_user").inc()
        raise ApplicationError("token_unknown_user", "The access token names no user.", status=401)
    if user.is_blocked:
        raise ApplicationError("user_blocked", "Your account is blocked.", status=403)
    return user


def request_user(request: HttpRequest) -> User:
    """The authenticated caller of a DRF view (the view's permissions guarantee one)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class TelegramJWTAuthentication(BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request: HttpRequest) -> tuple[User, Any] | None:
        raw = request.META.get("HTTP_AUTHORIZATION", "")
        if not raw:
            return None
        try:
            # WSGI/ASGI servers hand headers over as latin-1 decoded text; Telegram sends UTF-8.
            text = raw.encode("latin-1").decode("utf-8") if isinstance(raw, str) else raw.decode()
        except (UnicodeEncodeError, UnicodeDecodeError) as exc:
            raise ApiAuthError(
                "auth_header_invalid", "The Authorization header is not UTF-8."
            ) from exc
        scheme, _, credentials = text.partition(" ")
        credentials = credentials.strip()
        scheme = scheme.lower()
        if scheme not in ("bearer", "tma"):
            raise ApiAuthError(
                "auth_scheme_unsupported",
                "Use 'Authorization: Bearer <token>' or 'tma <initData>'.",
            )
        if not credentials:
            raise ApiAuthError(
                "auth_header_invalid", "The Authorization header has no credentials."
            )
        try:
            if scheme == "bearer":
                user = user_for_token(credentials, narrow_request=True)
            else:
                user = telegram_login(init_data=credentials).user
        except ApplicationError as exc:
            if exc.status == 403:
                raise BlockedUser() from exc
            if exc.status == 401:
                raise ApiAuthError(exc.code, exc.message) from exc
            raise
        # Row-level security: the rest of this request sees only this player's private rows.
        rls.request_user_set(user.tg_id)
        return user, credentials

    def authenticate_header(self, request: HttpRequest) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'
