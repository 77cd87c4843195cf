"""Calling the Telegram Bot API from synchronous code (services, tasks, admin actions).

aiogram's real HTTP client does the work; ``TELEGRAM_API_BASE`` points it at a local fake in tests.
"""

from __future__ import annotations

from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from asgiref.sync import async_to_sync
from django.conf import settings

DEFAULT_API_BASE = "https://api.telegram.org"
T = TypeVar("T")

# Errors worth retrying later (the request may not have reached Telegram, or it asked us to wait).
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)


class TelegramOfflineError(TelegramNetworkError):
    """A Bot API call not made: a debug build without a bot token (``OfflineSession``)."""


class OfflineSession(AiohttpSession):
    """Refuses every Bot API call at once, without a network request.

    Used in debug builds that have no ``TELEGRAM_BOT_TOKEN`` and talk to the real Bot API: Telegram
    would only refuse the development token (or be unreachable, after a timeout), so ``make run``
    gives up at once and says why.
    """

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[T],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> T:
        raise TelegramOfflineError(
            method=method, message="no Telegram in development: TELEGRAM_BOT_TOKEN is not set"
        )


def telegram_offline() -> bool:
    """Debug build, development bot token, real Bot API: no Bot API call can succeed."""
    base = settings.TELEGRAM_API_BASE.rstrip("/") or DEFAULT_API_BASE
    return settings.DEBUG and not settings.TELEGRAM_BOT_TOKEN_SET and base == DEFAULT_API_BASE


def bot_session() -> AiohttpSession:
    if telegram_offline():
        return OfflineSession(timeout=15)
    base = settings.TELEGRAM_API_BASE.rstrip("/")
    if base and base != DEFAULT_API_BASE:
        return AiohttpSession(api=TelegramAPIServer.from_base(base), timeout=15)
    return AiohttpSession(timeout=15)


def bot_create(token: str | None = None, **kwargs: Any) -> Bot:
    return Bot(token or settings.TELEGRAM_BOT_TOKEN, session=bot_session(), **kwargs)


async def _call(method: TelegramMethod[T]) -> T:
    bot = bot_create()
    try:
        return await bot(method)
    finally:
        await bot.session.close()


def bot_call(method: TelegramMethod[T]) -> T:
    """Run one Bot API method synchronously with a short-lived session."""
    return async_to_sync(_call)(method)


__all__ = [
    "RETRYABLE_ERRORS",
    "TelegramAPIError",
    "TelegramOfflineError",
    "bot_call",
    "bot_create",
    "bot_session",
]
