"""WebSocket authentication: the JWT comes as ``?token=`` or a ``bearer.<jwt>`` subprotocol.

The middleware resolves ``scope["user"]`` (or ``scope["auth_error"]`` with a code); consumers
accept, then refuse with an error frame and a 44xx close code so the client learns why.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from accounts.authentication import user_for_token
from chancetap.core import rls
from chancetap.core.errors import ApplicationError

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def token_from_scope(scope: dict[str, Any]) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token") or []
    if tokens:
        return tokens[0]
    for protocol in scope.get("subprotocols") or []:
        if protocol.startswith("bearer."):
            return str(protocol[len("bearer.") :])
    return ""


@database_sync_to_async
def _resolve(token: str) -> tuple[Any, ApplicationError | None]:
    try:
        return user_for_token(token), None
    except ApplicationError as exc:
        return None, exc


class JWTAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        scope = dict(scope)
        scope["user"] = None
        scope["auth_error"] = None
        token = token_from_scope(scope)
        if not token:
            scope["auth_error"] = ApplicationError(
                "not_authenticated", "Authentication required.", status=401
            )
        else:
            scope["user"], scope["auth_error"] = await _resolve(token)
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
        await self.send_json(  # type: ignore[attr-defined]
            {"type": "error", "code": error.code, "message": error.message}
        )
        code = CLOSE_FORBIDDEN if error.status == 403 else CLOSE_UNAUTHENTICATED
        await self.close(code=code)  # type: ignore[attr-defined]
        return True

    def _chosen_subprotocol(self) -> str | None:
        for protocol in self.scope.get("subprotocols") or []:
            if protocol == "chancetap.v1":
                return str(protocol)
        return None
