"""``/start`` (optionally ``/start ref_<id>``): greet, create the user, offer the Mini App."""

from __future__ import annotations

import html
import logging

from aiogram import Bot, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Message,
    WebAppInfo,
)
from channels.db import database_sync_to_async as sync_to_async
from django.conf import settings

from accounts.initdata import TelegramUser
from accounts.services import user_get_or_create_from_telegram
from botapp.texts import text
from chancetap.core.telegram_api import TelegramAPIError

logger = logging.getLogger(__name__)
router = Router(name="start")


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
    )


def webapp_keyboard(language_code: str | None) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=text("enter_button", language_code), web_app=WebAppInfo(url=settings.WEBAPP_URL)
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


@router.message(CommandStart())
async def on_start(message: Message, command: CommandObject, bot: Bot) -> None:
    tg_user = tg_user_from(message)
    if tg_user is None:
        return
    payload = (command.args or "").strip()[:64]
    user, created = await sync_to_async(user_get_or_create_from_telegram)(
        tg_user=tg_user, start_param=payload
    )
    lang = tg_user.language_code
    if user.is_blocked:
        await message.answer(text("blocked", lang))
        return
    greeting = text("welcome", lang, name=html.escape(tg_user.first_name or "friend"))
    if created and user.referrer_id:
        greeting += "\n\n" + text("welcome_referred", lang)
    await message.answer(greeting, reply_markup=webapp_keyboard(lang))
    try:
        await bot.set_chat_menu_button(
            chat_id=message.chat.id,
            menu_button=MenuButtonWebApp(
                text=text("menu_button", lang), web_app=WebAppInfo(url=settings.WEBAPP_URL)
            ),
        )
    except TelegramAPIError as exc:
        logger.warning("could not set the chat menu button", extra={"error": str(exc)})
