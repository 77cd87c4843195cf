"""Calling Telegram from a handler without letting a refusal crash it.

A user who blocked the bot, a chat that is gone or a flood wait must not stop the handler (or, in
polling, be retried forever): the call is logged and the handler goes on. A short flood wait is
waited out once, so a burst of ``/start`` still gets its answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter

from chancetap.telegram.bot_api import TelegramOfflineError

logger = logging.getLogger(__name__)

# Longest flood wait worth sitting out inside a handler (pre-checkout answers have 10 s in all).
MAX_RETRY_AFTER_SECONDS = 5


async def telegram_call(method: str, call: Callable[[], Awaitable[Any]], **log_extra: Any) -> bool:
    """Run ``call()`` (a Bot API request); True when Telegram accepted it, False when it refused."""
    for attempt in (1, 2):
        try:
            await call()
        except TelegramRetryAfter as exc:
            if attempt == 1 and exc.retry_after <= MAX_RETRY_AFTER_SECONDS:
                await asyncio.sleep(exc.retry_after)
                continue
            _log_failure(method, exc, log_extra)
            return False
        except TelegramOfflineError:
            # A debug build without a bot token (development payments, make run): nothing to tell.
            logger.info(
                "telegram call skipped: no bot token in development",
                extra={"event": "bot_call_offline", "method": method, **log_extra},
            )
            return False
        except TelegramForbiddenError:
            # The user blocked the bot or deleted the chat: nothing to do, nothing to retry.
            logger.info(
                "telegram refused: forbidden",
                extra={"event": "bot_call_forbidden", "method": method, **log_extra},
            )
            return False
        except TelegramAPIError as exc:
            _log_failure(method, exc, log_extra)
            return False
        return True
    return False


def _log_failure(method: str, exc: TelegramAPIError, log_extra: dict[str, Any]) -> None:
    logger.warning(
        "telegram call failed",
        extra={
            "event": "bot_call_failed",
            "method": method,
            "error": f"{type(exc).__name__}: {exc.message}",
            **log_extra,
        },
    )
