"""One error vocabulary for every interface (STYLE.md rule 9)."""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class ApplicationError(Exception):
    """A business error with a stable machine-readable code.

    DRF renders it as ``{"code", "message", "details"}`` with ``status``; consumers send
    ``{"type": "error", "code": ...}``; the bot replies with localized text chosen by code.
    """

    status: int = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: Any = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def __repr__(self) -> str:
        return (
            f"ApplicationError(code={self.code!r}, status={self.status}, message={self.message!r})"
        )


class ErrorFrame(TypedDict):
    """How every WebSocket says no (docs/ws-frames.json): the code is an ``ApplicationError``'s."""

    type: Literal["error"]
    code: str
    message: str


class NotFoundError(ApplicationError):
    status = 404


class ConflictError(ApplicationError):
    status = 409


class ForbiddenError(ApplicationError):
    status = 403


class AuthenticationError(ApplicationError):
    status = 401


class ServiceUnavailableError(ApplicationError):
    status = 503
