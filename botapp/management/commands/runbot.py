"""``manage.py runbot``: the bot with long polling (development and single-process setups).

Asks Telegram only for the update types the routers handle, sets the default menu button, and on
SIGTERM/SIGINT stops polling, lets the updates in flight finish (up to a grace period) and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramUnauthorizedError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from botapp.bot import SHUTDOWN_GRACE_SECONDS, bot_configure, bot_create, dispatcher_create
from chancetap.observability import metrics
from chancetap.telegram.bot_api import TelegramAPIError

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the Telegram bot with long polling (needs TELEGRAM_BOT_TOKEN)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-dev-token",
            action="store_true",
            help="Run without a configured token, with the development/test one (for a local "
            "fake Bot API).",
        )
        parser.add_argument(
            "--delete-webhook",
            action="store_true",
            help="If a webhook is set (production mode), remove it and poll instead.",
        )
        parser.add_argument(
            "--polling-timeout",
            type=int,
            default=10,
            help="Long-polling wait in seconds (default 10).",
        )
        parser.add_argument(
            "--shutdown-grace",
            type=float,
            default=SHUTDOWN_GRACE_SECONDS,
            help="Seconds to let updates in flight finish on SIGTERM/SIGINT (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN_SET and not options["allow_dev_token"]:
            raise CommandError(
                "TELEGRAM_BOT_TOKEN is not set, so the bot cannot start. Put the token from "
                "@BotFather in TELEGRAM_BOT_TOKEN (or pass --allow-dev-token to run the "
                "development token against a local fake Bot API)."
            )
        metrics.metrics_http_server_start(int(os.environ.get("BOT_METRICS_PORT", "0") or 0))
        asyncio.run(
            self._run(
                delete_webhook=options["delete_webhook"],
                polling_timeout=options["polling_timeout"],
                shutdown_grace=options["shutdown_grace"],
            )
        )
        self.stdout.write("Bot stopped.")

    async def _run(
        self, *, delete_webhook: bool, polling_timeout: int, shutdown_grace: float
    ) -> None:
        bot = bot_create()
        dispatcher = dispatcher_create(shutdown_grace=shutdown_grace)
        try:
            await _prepare_for_polling(bot, delete_webhook=delete_webhook)
            await bot_configure(bot)
        except BaseException:
            await bot.session.close()
            raise
        allowed_updates = dispatcher.resolve_used_update_types()
        logger.info(
            "bot polling",
            extra={"event": "bot_started", "allowed_updates": allowed_updates},
        )
        # handle_signals: SIGTERM/SIGINT stop polling; the dispatcher's shutdown hook then waits for
        # the updates in flight and the session is closed.
        await dispatcher.start_polling(
            bot,
            allowed_updates=allowed_updates,
            polling_timeout=polling_timeout,
            handle_signals=True,
            close_bot_session=True,
        )


async def _prepare_for_polling(bot: Bot, *, delete_webhook: bool) -> None:
    """Refuse a bad token; refuse to silently take over a bot that runs on a webhook."""
    try:
        info = await bot.get_webhook_info()
    except TelegramUnauthorizedError as exc:
        raise CommandError("Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized).") from exc
    except TelegramAPIError as exc:
        # Telegram unreachable right now: polling retries with backoff, so start anyway.
        logger.warning(
            "getWebhookInfo failed", extra={"event": "bot_start_check_failed", "error": str(exc)}
        )
        return
    if not info.url:
        return
    if not delete_webhook:
        raise CommandError(
            f"A webhook is set for this bot ({info.url}); Telegram does not deliver updates to "
            "polling while it is. Run the webhook view instead, or pass --delete-webhook to "
            "switch this bot to polling."
        )
    await bot.delete_webhook(drop_pending_updates=False)
    logger.warning(
        "webhook deleted to poll", extra={"event": "bot_webhook_deleted", "url": info.url}
    )
