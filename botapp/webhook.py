"""Production webhook: Telegram POSTs updates here with our secret token header.

The update is handled before answering (handlers are short: one database hop and a reply), so a
2xx means it was processed; Telegram re-sends on non-2xx, and every payment path is idempotent
on its charge id. A handler that fails is logged and still answered 200, as polling would move
on: re-sending an update that fails the same way every time would only hold the queue.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from weakref import WeakKeyDictionary

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from botapp.bot import bot_create, dispatcher_create

logger = logging.getLogger(__name__)

_dispatcher: Dispatcher | None = None
# One Bot (one aiohttp session, which belongs to the loop that made it) per event loop. Under
# uvicorn/daphne that is one per process; a server that runs each request in a fresh loop still
# works. The key also carries the settings the Bot was made from, so tests can repoint them.
_bots: WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[tuple[str, str], Bot]] = (
    WeakKeyDictionary()
)


def _get_dispatcher() -> Dispatcher:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = dispatcher_create()
    return _dispatcher


async def _get_bot() -> Bot:
    loop = asyncio.get_running_loop()
    config = (settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_BASE)
    cached = _bots.get(loop)
    if cached is not None:
        if cached[0] == config:
            return cached[1]
        await cached[1].session.close()
    bot = bot_create()
    _bots[loop] = (config, bot)
    return bot


async def webhook_bot_close() -> None:
    """Close this loop's Bot session (server shutdown, tests)."""
    cached = _bots.pop(asyncio.get_running_loop(), None)
    if cached is not None:
        await cached[1].session.close()


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@csrf_exempt
@require_POST
async def telegram_webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not secret:
        return _error(404, "not_found", "Webhook is not configured.")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _error(403, "webhook_secret_invalid", "Wrong secret token.")
    bot = await _get_bot()
    try:
        payload = json.loads(request.body)
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        update = Update.model_validate(payload, context={"bot": bot})
    except (ValueError, ValidationError):
        return _error(400, "update_invalid", "The body is not a Telegram update.")

    try:
        await _get_dispatcher().feed_update(bot, update)
    except Exception:
        logger.exception(
            "webhook update failed",
            extra={"event": "webhook_update_failed", "update_id": update.update_id},
        )
    return JsonResponse({"ok": True})
