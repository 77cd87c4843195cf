"""Production webhook: Telegram POSTs updates here with our secret token header."""

from __future__ import annotations

import hmac
import json
import logging
from functools import lru_cache

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from botapp.bot import bot_create, dispatcher_create

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _bot_and_dispatcher() -> tuple[Bot, Dispatcher]:
    return bot_create(settings.TELEGRAM_BOT_TOKEN), dispatcher_create()


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
    try:
        payload = json.loads(request.body)
        update = Update.model_validate(payload, context={})
    except (ValueError, ValidationError):
        return _error(400, "update_invalid", "The body is not a Telegram update.")
    bot, dispatcher = _bot_and_dispatcher()
    await dispatcher.feed_update(bot, update)
    return JsonResponse({"ok": True})
