"""The buttons that open the Mini App.

Inline and menu buttons only: a Mini App opened from a reply-keyboard ``web_app`` button gets no
initData, so the player could not sign in.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from django.conf import settings

from botapp.texts import text


def webapp_keyboard(language_code: str | None) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=text("enter_button", language_code), web_app=WebAppInfo(url=settings.WEBAPP_URL)
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def menu_button(language_code: str | None) -> MenuButtonWebApp:
    return MenuButtonWebApp(
        text=text("menu_button", language_code), web_app=WebAppInfo(url=settings.WEBAPP_URL)
    )
