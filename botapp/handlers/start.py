"""``/start`` and ``/start ref_<id>``: create or refresh the player, offer the Mini App.

The handler is a thin shell (STYLE.md): the user and the referral rule belong to
``accounts.services.user_get_or_create_from_telegram``, called through one sync hop.
"""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from channels.db import database_sync_to_async

from accounts.initdata import TelegramUser
from accounts.services import user_get_or_create_from_telegram
from botapp.keyboards import menu_button, webapp_keyboard
from botapp.telegram_calls import telegram_call
from botapp.texts import error_text, text
from chancetap.core.errors import ApplicationError
from referrals.services import referral_code_parse

logger = logging.getLogger(__name__)

# Deep-link payloads are at most 64 characters; anything a user types after /start is arbitrary.
MAX_PAYLOAD_LENGTH = 64


def start_param_from(args: str | None) -> str:
    """The ``/start`` payload worth passing on (a well-formed ``ref_<id>``), else ``""``."""
    payload = (args or "").strip()
    if len(payload) > MAX_PAYLOAD_LENGTH or referral_code_parse(payload) is None:
        return ""
    return payload


def tg_user_from(message: Message) -> TelegramUser | None:
    sender = message.from_user
    if sender is None or sender.is_bot:
        return None
    return TelegramUser(
        id=sender.id,
        first_name=sender.first_name or "",
        last_name=sender.last_name or "",
        username=sender.username or "",
        language_code=sender.language_code or "",
        is_premium=bool(sender.is_premium),
        # The user started a private chat with the bot: the bot may write to them.
        allows_write_to_pm=True,
    )


async def on_start(message: Message, command: CommandObject, bot: Bot) -> None:
    tg_user = tg_user_from(message)
    if tg_user is None:
        return
    lang = tg_user.language_code
    chat_id = message.chat.id
    try:
        user, created = await database_sync_to_async(user_get_or_create_from_telegram)(
            tg_user=tg_user, start_param=start_param_from(command.args), profile_complete=False
        )
    except ApplicationError as exc:
        logger.warning(
            "/start failed",
            extra={"event": "bot_start_failed", "code": exc.code, "tg_id": tg_user.id},
        )
        reply = error_text(exc.code, lang)
        await telegram_call("sendMessage", lambda: message.answer(reply), chat_id=chat_id)
        return

    if user.is_blocked:
        await telegram_call(
            "sendMessage", lambda: message.answer(text("blocked", lang)), chat_id=chat_id
        )
        return

    greeting = text("welcome", lang, name=html.escape(tg_user.first_name or "friend"))
    if created and user.referrer_id:
        greeting += "\n\n" + text("welcome_referred", lang)
    await telegram_call(
        "sendMessage",
        lambda: message.answer(greeting, reply_markup=webapp_keyboard(lang)),
        chat_id=chat_id,
    )
    await telegram_call(
        "setChatMenuButton",
        lambda: bot.set_chat_menu_button(chat_id=chat_id, menu_button=menu_button(lang)),
        chat_id=chat_id,
    )


def router_create() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    router = Router(name="start")
    # Web App buttons work only in private chats with the bot: /start in a group is not ours.
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_start, CommandStart())
    return router
