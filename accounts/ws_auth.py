"""WebSocket authentication: the JWT comes only in a ``bearer.<jwt>`` subprotocol.

A client opens ``new WebSocket(url, ["chancetap.v1", "bearer.<jwt>"])`` (``ws_subprotocols``
builds that list); the server answers with ``chancetap.v1`` and never echoes the bearer entry.

A credential in the URL is refused: a query string that names ``token``, ``access_token``,
``init_data``, ``initData`` or ``tgWebAppData`` (any case, any value, even with a valid
subprotocol as well) gets the error frame ``{"type": "error", "code": "token_in_url", ...}`` and
close code **4400** (``CLOSE_BAD_REQUEST``). 4400 rather than 4401: a fresh token would not help —
the client is built wrong — so the Mini App treats 4400 as terminal and does not re-login and
retry. URLs end up in access logs and proxies (STYLE.md, dangerous constructs); such refusals are
counted in ``chancetap_auth_failures_total{code="token_in_url"}``.

The middleware resolves ``scope["user"]`` (or ``scope["auth_error"]`` with a code); consumers
accept, then refuse with an error frame and a 44xx close code (``close_code_for``) so the client
learns why.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote_plus

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from accounts.authentication import user_for_token
from accounts.tokens import token_decode
from chancetap import rls
from chancetap.core.errors import ApplicationError, ErrorFrame
from chancetap.observability import metrics

SUBPROTOCOL = "chancetap.v1"
BEARER_PREFIX = "bearer."
CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

# Query parameters that would carry a credential; compared lower-cased.
URL_CREDENTIAL_PARAMS = frozenset(
    {"token", "access_token", "init_data", "initdata", "tgwebappdata"}
)


def ws_subprotocols(token: str) -> list[str]:
    """The subprotocols a client offers to authenticate a socket with ``token``."""
    return [SUBPROTOCOL, f"{BEARER_PREFIX}{token}"]


def credential_in_query(scope: dict[str, Any]) -> bool:
    """Whether the socket's query string names a credential parameter (whatever its value)."""
    query = scope.get("query_string", b"").decode("latin-1")
    for field in re.split(r"[&;]", query):
        name = unquote_plus(field.partition("=")[0]).strip().lower()
        if name in URL_CREDENTIAL_PARAMS:
            return True
    return False


def token_from_scope(scope: dict[str, Any]) -> str:
    """The JWT from the ``bearer.<jwt>`` subprotocol ("" when none is offered)."""
    for protocol in scope.get("subprotocols") or []:
        if protocol.startswith(BEARER_PREFIX):
            return str(protocol[len(BEARER_PREFIX) :])
    return ""


def close_code_for(error: ApplicationError) -> int:
    if error.status == 403:
        return CLOSE_FORBIDDEN
    if error.status == 400:
        return CLOSE_BAD_REQUEST
    return CLOSE_UNAUTHENTICATED


@database_sync_to_async
def _resolve(token: str) -> tuple[Any, ApplicationError | None]:
    try:
        return user_for_token(token), None
    except ApplicationError as exc:
        return None, exc


def token_expired(scope: dict[str, Any], now: float | None = None) -> bool:
    """Whether the token this socket was opened with has expired since (a socket lives longer
    than its token: the player must reconnect with a fresh one)."""
    expires = scope.get("token_expires_at")
    if not expires:
        return False
    return (now if now is not None else time.time()) >= float(expires)


def _scope_error(scope: dict[str, Any]) -> ApplicationError | None:
    if credential_in_query(scope):
        metrics.auth_failures.labels(code="token_in_url").inc()
        return ApplicationError(
            "token_in_url",
            "Send the token as a 'bearer.<token>' subprotocol, never in the URL.",
            status=400,
        )
    if not token_from_scope(scope):
        return ApplicationError("not_authenticated", "Authentication required.", status=401)
    return None


class JWTAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        scope = dict(scope)
        scope["user"] = None
        scope["auth_error"] = _scope_error(scope)
        if scope["auth_error"] is None:
            token = token_from_scope(scope)
            scope["user"], scope["auth_error"] = await _resolve(token)
            if scope["user"] is not None:
                scope["token_expires_at"] = token_decode(token).expires_at
        # Row-level security: this socket sees only its player's private rows (none without one).
        user = scope["user"]
        with rls.claims_as(rls.user_claims(user.tg_id) if user is not None else None):
            return await super().__call__(scope, receive, send)


class AuthenticatedConsumerMixin:
    """For AsyncJsonWebsocketConsumer subclasses: refuse unauthenticated and blocked users."""

    scope: dict[str, Any]

    async def refuse_unless_authenticated(self) -> bool:
        error: ApplicationError | None = self.scope.get("auth_error")
        if error is None and self.scope.get("user") is not None:
            return False
        assert error is not None
        await self.accept(self._chosen_subprotocol())  # type: ignore[attr-defined]
        frame: ErrorFrame = {"type": "error", "code": error.code, "message": error.message}
        await self.send_json(frame)  # type: ignore[attr-defined]
        await self.close(code=close_code_for(error))  # type: ignore[attr-defined]
        return True

    def _chosen_subprotocol(self) -> str | None:
        for protocol in self.scope.get("subprotocols") or []:
            if protocol == SUBPROTOCOL:
                return str(protocol)
        return None
