"""JWT access tokens: HS256, short expiry, ``sub`` = Telegram id (SPEC §2)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from django.conf import settings

from chancetap.core.errors import AuthenticationError

ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    tg_id: int
    issued_at: int
    expires_at: int


def token_issue(*, tg_id: int, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = {
        "sub": str(tg_id),
        "iat": issued,
        "exp": issued + settings.JWT_EXPIRY_SECONDS,
        "iss": settings.JWT_ISSUER,
        "typ": "access",
    }
    return jwt.encode(payload, settings.JWT_SECRET, algorithm=ALGORITHM)


def token_decode(token: str) -> TokenClaims:
    """Verify signature, algorithm, expiry and issuer; anything else is a 401 with a code."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthenticationError("token_invalid", "The access token is malformed.") from exc
    if header.get("alg") != ALGORITHM:
        raise AuthenticationError("token_invalid", "The access token uses a refused algorithm.")
    try:
        payload = jwt.decode(
            token,
            settings.JWT_SECRET,
            algorithms=[ALGORITHM],
            issuer=settings.JWT_ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("token_expired", "The access token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationError("token_invalid", "The access token is not valid.") from exc
    sub = payload.get("sub")
    if payload.get("typ") != "access" or not isinstance(sub, str) or not sub.isdigit():
        raise AuthenticationError("token_invalid", "The access token is not valid.")
    return TokenClaims(
        tg_id=int(sub), issued_at=int(payload["iat"]), expires_at=int(payload["exp"])
    )
