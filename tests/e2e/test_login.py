"""A player opens the Mini App in (mocked) Telegram and sees their profile; dev login in debug."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.initdata import make_init_data
from accounts.models import User
from tests.browser import launch_hash, screenshot, telegram_page
from tests.server import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("lang", "theme"), [("en", "light"), ("ru", "dark")])
def test_player_logs_in_from_telegram(server, browser, lang: str, theme: str) -> None:
    first_name = {"en": "Alice", "ru": "Алиса"}[lang]
    init_data = make_init_data(
        bot_token=settings.TELEGRAM_BOT_TOKEN,
        user={
            "id": 424242 + len(lang),
            "first_name": first_name,
            "username": "alice",
            "language_code": lang,
        },
    )
    page = telegram_page(browser)
    page.goto(f"{server.base_url}/{launch_hash(init_data, theme=theme)}")
    page.get_by_test_id("home").wait_for(timeout=15_000)
    assert first_name in page.get_by_test_id("user-name").inner_text()
    assert "Chance Tap" in page.content()
    events = [event for event, _ in page.evaluate("window.__tgEvents")]
    assert "web_app_ready" in events
    assert "web_app_expand" in events
    screenshot(page, f"home-{lang}-{theme}")
    assert User.objects.filter(tg_id=424242 + len(lang)).exists()
    page.context.close()


def test_tampered_init_data_shows_an_error(server, browser) -> None:
    init_data = make_init_data(
        bot_token="999:not-our-bot", user={"id": 5151, "first_name": "Mallory"}
    )
    page = telegram_page(browser)
    page.goto(f"{server.base_url}/{launch_hash(init_data)}")
    error = page.get_by_test_id("login-error")
    error.wait_for(timeout=15_000)
    # The player reads what to do in their language, never the raw code (kept for the tests).
    assert error.get_attribute("data-code") == "init_data_hash_invalid"
    assert "open it again from the bot" in error.inner_text()
    assert "init_data_hash_invalid" not in error.inner_text()
    assert not User.objects.filter(tg_id=5151).exists()
    page.context.close()


def test_dev_login_in_a_normal_browser(transactional_db, browser) -> None:
    debug_server = ServerProcess(
        server="daphne", env={"DJANGO_DEBUG": "1", "DEV_LOGIN_ENABLED": "1"}
    )
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(debug_server.base_url + "/")
        page.get_by_test_id("dev-login").click()
        page.get_by_test_id("home").wait_for(timeout=15_000)
        assert "Demo" in page.get_by_test_id("user-name").inner_text()
        screenshot(page, "dev-login-home")
        page.context.close()
    finally:
        debug_server.stop()
