"""The bot: an aiogram ``Bot`` on our configured API server and a dispatcher (a router per feature).

Shared by both ways updates arrive: long polling (``manage.py runbot``) and the production webhook
view (``botapp.webhook``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, TelegramObject
from django.conf import settings

from botapp.handlers import info, payments, start
from botapp.keyboards import menu_button
from botapp.texts import text
from chancetap import rls
from chancetap.core.i18n import RUSSIAN_SPEAKING
from chancetap.observability.logging import request_id_new, request_id_scope, request_id_var
from chancetap.telegram.bot_api import TelegramAPIError, bot_session

logger = logging.getLogger(__name__)

# Update types a webhook must ask for (polling asks for what the routers use). A test checks that
# every type the dispatcher handles is listed: a missing ``pre_checkout_query`` makes every
# payment time out.
WEBHOOK_ALLOWED_UPDATES: tuple[str, ...] = ("message", "pre_checkout_query", "callback_query")
# How long a stopping bot waits for the updates it is still handling (answers, payment credits).
SHUTDOWN_GRACE_SECONDS = 10.0


def bot_create(token: str | None = None) -> Bot:
    """A Bot on ``TELEGRAM_API_BASE`` (a local fake in tests) that sends HTML by default."""
    return Bot(
        token or settings.TELEGRAM_BOT_TOKEN,
        session=bot_session(),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


class InFlightUpdates(BaseMiddleware):
    """Remembers the tasks handling updates right now, so a stopping bot can let them finish.

    With polling, aiogram confirms an update to Telegram as soon as it starts handling it: a task
    cut off at shutdown is an update lost (a greeting never sent, a payment left for the
    reconciliation).
    """

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        try:
            return await handler(event, data)
        finally:
            if task is not None:
                self.tasks.discard(task)

    async def drain(self, grace: float) -> int:
        """Wait up to ``grace`` seconds for the handlers in flight; return how many are left."""
        pending = self.tasks - {asyncio.current_task()}
        if not pending:
            return 0
        logger.info(
            "waiting for updates in flight", extra={"event": "bot_draining", "count": len(pending)}
        )
        _, still_running = await asyncio.wait(pending, timeout=grace)
        return len(still_running)


async def request_id_middleware(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """An update logs under a request id: the webhook request's, or (polling) one of its own. The
    Celery tasks it publishes carry it (``chancetap.observability.logging``)."""
    if request_id_var.get():
        return await handler(event, data)
    with request_id_scope(request_id_new()):
        return await handler(event, data)


def dispatcher_create(*, shutdown_grace: float = SHUTDOWN_GRACE_SECONDS) -> Dispatcher:
    dispatcher = Dispatcher()
    in_flight = InFlightUpdates()
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(request_id_middleware)
    # Row-level security: the bot is trusted server code (it credits payments of any player).
    dispatcher.update.outer_middleware(rls.bot_middleware())

    async def on_shutdown() -> None:
        left = await in_flight.drain(shutdown_grace)
        if left:
            logger.warning(
                "stopped with updates still in flight",
                extra={"event": "bot_drain_timeout", "count": left},
            )

    dispatcher.shutdown.register(on_shutdown)
    dispatcher.include_routers(
        payments.router_create(), start.router_create(), info.router_create()
    )
    return dispatcher


async def bot_configure(bot: Bot) -> None:
    """Bot-wide setup at start: the default menu button opens the Mini App; the command list.

    Failures are logged, not raised: a bot that cannot set its menu still answers ``/start``.
    """
    await _logged("set_chat_menu_button", bot.set_chat_menu_button(menu_button=menu_button(None)))
    for language in (None, *sorted(RUSSIAN_SPEAKING)):
        commands = [
            BotCommand(command=name, description=text(f"command_{name}", language))
            for name in ("start", *info.COMMANDS)
        ]
        await _logged("set_my_commands", bot.set_my_commands(commands, language_code=language))


async def _logged(method: str, call: Awaitable[Any]) -> None:
    try:
        await call
    except TelegramAPIError as exc:
        logger.warning(
            "bot set-up call failed",
            extra={"event": "bot_setup_failed", "method": method, "error": str(exc)},
        )
