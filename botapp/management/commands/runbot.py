"""``manage.py runbot``: the aiogram dispatcher with long polling (development and small setups)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram.types import MenuButtonWebApp, WebAppInfo
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from botapp.bot import bot_create, dispatcher_create
from botapp.texts import text
from chancetap.core.telegram_api import TelegramAPIError

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the Telegram bot with long polling (needs TELEGRAM_BOT_TOKEN)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--allow-dev-token",
            action="store_true",
            help="Run with the development/test token (against a local fake Bot API).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN_SET and not options["allow_dev_token"]:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set: the bot cannot start.")
        asyncio.run(self._run())

    async def _run(self) -> None:
        bot = bot_create(settings.TELEGRAM_BOT_TOKEN)
        dispatcher = dispatcher_create()
        try:
            await bot.delete_webhook(drop_pending_updates=False)
            await bot.set_chat_menu_button(
                menu_button=MenuButtonWebApp(
                    text=text("menu_button", "en"), web_app=WebAppInfo(url=settings.WEBAPP_URL)
                )
            )
        except TelegramAPIError as exc:
            logger.warning("bot start-up call failed", extra={"error": str(exc)})
        logger.info("bot polling", extra={"event": "bot_started"})
        await dispatcher.start_polling(
            bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_signals=True,
            polling_timeout=10,
        )
