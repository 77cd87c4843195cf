"""``/help``, ``/balance``, ``/paysupport`` and ``/terms``: answers in the player's language.

Telegram requires bots that sell digital goods to answer ``/paysupport`` and ``/terms``. The
handlers are thin shells over selectors (one sync hop each); a blocked player gets the blocked
notice instead of his data.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message
from channels.db import database_sync_to_async
from django.conf import settings

from accounts.models import User
from accounts.selectors import user_get
from botapp.keyboards import webapp_keyboard
from botapp.telegram_calls import telegram_call
from botapp.texts import text
from payments.selectors import balance_for_user, star_charges_recent
from rooms.selectors import game_rules

COMMANDS = ("help", "balance", "paysupport", "terms")


async def _reply(message: Message, body: str, *, with_app: bool = True) -> None:
    lang = message.from_user.language_code if message.from_user else None
    markup = webapp_keyboard(lang) if with_app else None
    await telegram_call(
        "sendMessage",
        lambda: message.answer(body, reply_markup=markup),
        chat_id=message.chat.id,
    )


def _lang(message: Message) -> str | None:
    return message.from_user.language_code if message.from_user else None


async def _player(message: Message) -> User | None:
    if message.from_user is None or message.from_user.is_bot:
        return None
    user: User | None = await database_sync_to_async(user_get)(tg_id=message.from_user.id)
    return user


async def on_help(message: Message) -> None:
    await _reply(message, text("help", _lang(message)))


def terms_text(lang: str | None) -> str:
    """The short terms with today's shares (the app's Rules & terms has the rest)."""
    rules = game_rules()
    house = rules.standard.house_share_bp / 100
    organizer = rules.hero.organizer_share_bp / 100
    return text("terms", lang, house=f"{house:g}", organizer=f"{organizer:g}")


async def on_terms(message: Message) -> None:
    await _reply(message, await database_sync_to_async(terms_text)(_lang(message)))


def balance_text(user: User | None, lang: str | None) -> str:
    if user is not None and user.is_blocked:
        return text("blocked", lang)
    stars, debt = balance_for_user(user_id=user.tg_id) if user is not None else (0, 0)
    owed = text("balance_debt", lang, debt=debt) if debt else ""
    return text("balance", lang, balance=stars, debt=owed)


async def on_balance(message: Message) -> None:
    user = await _player(message)
    body = await database_sync_to_async(balance_text)(user, _lang(message))
    await _reply(message, body)


def paysupport_text(user: User | None, lang: str | None) -> str:
    body = text("paysupport", lang, contact=settings.SUPPORT_CONTACT)
    charges = star_charges_recent(user_id=user.tg_id) if user is not None else []
    if not charges:
        return body + "\n\n" + text("paysupport_none", lang)
    lines = [
        text(
            "paysupport_charge",
            lang,
            date=charge.applied_at.strftime("%Y-%m-%d"),
            stars=charge.stars,
            purpose=text(f"purpose.{charge.purpose}", lang),
            refunded=text("refunded_mark", lang) if charge.refunded_at else "",
            charge=charge.telegram_payment_charge_id,
        )
        for charge in charges
    ]
    return body + text("paysupport_charges", lang) + "\n" + "\n".join(lines)


async def on_paysupport(message: Message) -> None:
    # Support answers blocked players too: a payment question is how they reach us.
    user = await _player(message)
    body = await database_sync_to_async(paysupport_text)(user, _lang(message))
    await _reply(message, body, with_app=False)


def router_create() -> Router:
    router = Router(name="info")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_help, Command("help"))
    router.message.register(on_balance, Command("balance"))
    router.message.register(on_paysupport, Command("paysupport"))
    router.message.register(on_terms, Command("terms"))
    return router
