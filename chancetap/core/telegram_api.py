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


def bot_session() -> AiohttpSession:
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


__all__ = ["RETRYABLE_ERRORS", "TelegramAPIError", "bot_call", "bot_create", "bot_session"]
