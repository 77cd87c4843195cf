"""The URL's entry to the Telegram webhook, importing aiogram only where the webhook is used.

Importing aiogram costs a process ~3.5 s (it builds its pydantic models). A web process with the
webhook switched on (``TELEGRAM_WEBHOOK_SECRET``) imports it at start-up as before; one without
(polling bot, development, most test servers) never pays for it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

# A secret derived for development payments (debug builds) does not count: those import it late.
if settings.TELEGRAM_WEBHOOK_SECRET and not settings.TELEGRAM_WEBHOOK_SECRET_DERIVED:
    import botapp.webhook  # noqa: F401


@csrf_exempt
async def telegram_webhook(request: HttpRequest) -> JsonResponse:
    if not settings.TELEGRAM_WEBHOOK_SECRET:
        return JsonResponse(
            {"code": "not_found", "message": "Webhook is not configured."}, status=404
        )
    from botapp.webhook import telegram_webhook as view

    return await view(request)
