"""``manage.py setwebhook <url>``: point Telegram at our webhook view (production mode).

Sends ``TELEGRAM_WEBHOOK_SECRET`` as the secret token the view checks, and lists the update types
explicitly (with a webhook nobody resolves them from the routers). ``--delete`` goes back to
polling. Also sets the bot-wide menu button and commands, as ``runbot`` does at start.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

from aiogram.exceptions import TelegramAPIError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from botapp.bot import WEBHOOK_ALLOWED_UPDATES, bot_configure, bot_create

# Telegram's rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Command(BaseCommand):
    help = "Set (or with --delete remove) the Telegram webhook, with our secret token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", nargs="?", help="Public HTTPS URL of /telegram/webhook.")
        parser.add_argument("--delete", action="store_true", help="Remove the webhook instead.")
        parser.add_argument(
            "--drop-pending-updates",
            action="store_true",
            help="Discard updates Telegram is holding for the bot.",
        )
        parser.add_argument(
            "--allow-dev-token",
            action="store_true",
            help="Run without a configured token (against a local fake Bot API).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEGRAM_BOT_TOKEN_SET and not options["allow_dev_token"]:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set.")
        if options["delete"]:
            asyncio.run(self._delete(drop_pending=options["drop_pending_updates"]))
            self.stdout.write("Webhook deleted; run `manage.py runbot` to poll.")
            return
        url = options["url"] or ""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise CommandError(f"The webhook URL must be an absolute https:// URL, got {url!r}.")
        secret = settings.TELEGRAM_WEBHOOK_SECRET
        if not SECRET_TOKEN_RE.fullmatch(secret):
            raise CommandError(
                "TELEGRAM_WEBHOOK_SECRET must be set to 1-256 characters of A-Z, a-z, 0-9, _ "
                "and - (the webhook view refuses every update without it)."
            )
        asyncio.run(self._set(url, secret, drop_pending=options["drop_pending_updates"]))
        self.stdout.write(
            f"Webhook set to {url} for updates: {', '.join(WEBHOOK_ALLOWED_UPDATES)}."
        )

    async def _set(self, url: str, secret: str, *, drop_pending: bool) -> None:
        bot = bot_create()
        try:
            await bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=list(WEBHOOK_ALLOWED_UPDATES),
                drop_pending_updates=drop_pending,
            )
            await bot_configure(bot)
        except TelegramAPIError as exc:
            raise CommandError(f"Telegram refused setWebhook: {exc.message}") from exc
        finally:
            await bot.session.close()

    async def _delete(self, *, drop_pending: bool) -> None:
        bot = bot_create()
        try:
            await bot.delete_webhook(drop_pending_updates=drop_pending)
        except TelegramAPIError as exc:
            raise CommandError(f"Telegram refused deleteWebhook: {exc.message}") from exc
        finally:
            await bot.session.close()
