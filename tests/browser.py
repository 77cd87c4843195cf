"""Playwright driving Debian's Chromium, inside a mocked Telegram environment."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

from accounts.initdata import make_init_data

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

THEMES = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#0f0f0f",
    },
}

# Records what the app asks of Telegram, like a Telegram client's webview proxy would receive.
POST_EVENT_STUB = """
window.__tgEvents = [];
window.TelegramWebviewProxy = {
  postEvent: function (type, data) { window.__tgEvents.push([type, data]); }
};
"""


def launch_hash(init_data: str, *, theme: str = "light", platform: str = "android") -> str:
    return (
        f"#tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0"
        f"&tgWebAppPlatform={platform}"
        f"&tgWebAppThemeParams={quote(json.dumps(THEMES[theme]), safe='')}"
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def telegram_page(browser: Browser, *, width: int = 390, height: int = 844) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=2
    )
    context.add_init_script(POST_EVENT_STUB)
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_miniapp(
    browser: Browser,
    base_url: str,
    init_data: str,
    *,
    theme: str = "light",
    width: int = 390,
    height: int = 844,
) -> Page:
    """A new Telegram-like context with the Mini App open on its home screen."""
    page = telegram_page(browser, width=width, height=height)
    page.goto(f"{base_url}/{launch_hash(init_data, theme=theme)}")
    page.get_by_test_id("home").wait_for(timeout=15_000)
    return page


def telegram_events(page: Page, kind: str | None = None) -> list[tuple[str, dict]]:
    """What the app asked of Telegram so far (``postEvent`` calls), decoded."""
    events = [(name, json.loads(data or "{}")) for name, data in page.evaluate("window.__tgEvents")]
    return [event for event in events if kind is None or event[0] == kind]


def fire_telegram_event(page: Page, kind: str, data: dict) -> None:
    """Deliver an event the way a Telegram client does (``Telegram.WebView.receiveEvent``)."""
    page.evaluate("([k, d]) => window.Telegram.WebView.receiveEvent(k, d)", [kind, data])


def init_data_for(user: Any, lang: str) -> str:
    """initData for ``user`` signed with the test bot token, in Telegram language ``lang``."""
    return make_init_data(
        bot_token=settings.TELEGRAM_BOT_TOKEN,
        user={
            "id": user.tg_id,
            "first_name": user.first_name,
            "username": user.username,
            "language_code": lang,
        },
    )
