"""The bot's dispatcher: one router per feature."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from botapp.handlers import payments, start
from chancetap.core.telegram_api import bot_session


def dispatcher_create() -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.include_router(payments.router)
    dispatcher.include_router(start.router)
    return dispatcher


def bot_create(token: str) -> Bot:
    return Bot(
        token, session=bot_session(), default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
