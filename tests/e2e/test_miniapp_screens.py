"""Every screen of the Mini App in both languages and both Telegram colour schemes, with the
Telegram contract checked along the way (BackButton, swipes, theme)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rooms.models import BonusRun, BonusSettings
from tests.browser import (
    fire_telegram_event,
    init_data_for,
    open_miniapp,
    screenshot,
    telegram_events,
)

pytestmark = pytest.mark.e2e

NAV = {
    "en": ["Home", "Leaderboard", "Profile", "Create"],
    "ru": ["Главная", "Рейтинг", "Профиль", "Создать"],
}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_screen(server, browser, tiers, fund, make_user, lang: str, theme: str) -> None:
    user = make_user(first_name={"en": "Grace", "ru": "Глеб"}[lang], username="grace")
    make_user(first_name="Hugo", referrer=user)
    fund(user.tg_id, 250)
    # The bonus screen is shown to a player the anti-farming guard lets in (tested elsewhere).
    # The operator's bonus (not the default 1 000 000 taps in 24 hours): the screens show it.
    BonusSettings.objects.update_or_create(
        pk=1,
        defaults={
            "min_paid_games": 0,
            "target_taps": 5_000,
            "duration_hours": 12,
            "reward_stars": 75,
        },
    )
    page = open_miniapp(browser, server.base_url, init_data_for(user, lang), theme=theme)

    # The Telegram contract: ready, expand, no vertical swipes, theme applied.
    events = [name for name, _ in telegram_events(page)]
    for expected in ("web_app_ready", "web_app_expand", "web_app_setup_swipe_behavior"):
        assert expected in events
    assert telegram_events(page, "web_app_setup_swipe_behavior")[-1][1] == {
        "allow_vertical_swipe": False
    }
    scheme = page.evaluate("document.documentElement.dataset.scheme")
    assert scheme == theme
    for label in NAV[lang]:
        expect(page.get_by_test_id("bottom-nav")).to_contain_text(label)
    expect(page.get_by_test_id("tiers").locator("button")).to_have_count(6)
    expect(page.get_by_test_id("balance-value")).to_have_text("250")
    screenshot(page, f"home-{lang}-{theme}")

    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("profile").wait_for()
    expect(page.get_by_test_id("referral-list")).to_contain_text("Hugo")
    expect(page.get_by_test_id("referral-link")).to_contain_text(f"ref_{user.tg_id}")
    expect(page.get_by_test_id("link-wallet")).to_be_visible()
    expect(page.get_by_test_id("profile-bonus")).to_have_count(0)  # no active run
    assert telegram_events(page, "web_app_setup_back_button")[-1][1] == {"is_visible": True}
    screenshot(page, f"profile-{lang}-{theme}")
    fire_telegram_event(page, "back_button_pressed", {})
    page.get_by_test_id("home").wait_for()
    assert telegram_events(page, "web_app_setup_back_button")[-1][1] == {"is_visible": False}

    page.get_by_test_id("nav-create").click()
    page.get_by_test_id("create").wait_for()
    screenshot(page, f"create-{lang}-{theme}")

    page.get_by_test_id("nav-leaderboard").click()
    page.get_by_test_id("leaderboards").wait_for()
    expect(page.get_by_test_id("games-me")).to_be_visible()
    screenshot(page, f"leaderboard-{lang}-{theme}")

    # Bonus room: start, tap (counted by the server over ws/bonus/), 12 h timer, cancel.
    page.get_by_test_id("nav-home").click()
    expect(page.get_by_test_id("bonus-link")).to_contain_text("75")
    page.get_by_test_id("bonus-link").click()
    page.get_by_test_id("bonus").wait_for()
    expect(page.get_by_test_id("bonus")).to_contain_text("0 / 5")
    expect(page.get_by_test_id("bonus-rules")).to_contain_text("12")
    expect(page.get_by_test_id("bonus-reward")).to_contain_text("75")
    page.get_by_test_id("bonus-start").click()
    expect(page.get_by_test_id("bonus-timer")).to_contain_text("11:59:")
    tap = page.get_by_test_id("bonus-tap")
    for _ in range(12):
        tap.click()
    expect(page.get_by_test_id("bonus-progress")).to_contain_text("12 / 5")
    page.wait_for_timeout(500)  # the last packet leaves within 200 ms
    run = BonusRun.objects.get(user=user, status="active")
    screenshot(page, f"bonus-{lang}-{theme}")
    expect(page.get_by_test_id("bottom-nav")).to_have_count(0)  # nested screen
    fire_telegram_event(page, "back_button_pressed", {})
    page.get_by_test_id("home").wait_for()
    page.get_by_test_id("nav-profile").click()
    expect(page.get_by_test_id("profile-bonus")).to_contain_text("12")
    screenshot(page, f"profile-bonus-{lang}-{theme}")
    page.get_by_test_id("profile-bonus").get_by_role("link").click()
    page.get_by_test_id("bonus-cancel").click()
    expect(page.get_by_test_id("bonus-start")).to_be_visible()
    run.refresh_from_db()
    assert run.status == "cancelled"
    page.context.close()


def test_language_follows_telegram_and_the_profile_switch_sticks(server, browser, make_user):
    user = make_user(first_name="Ilya")
    page = open_miniapp(browser, server.base_url, init_data_for(user, "uk"))
    expect(page.get_by_test_id("nav-home")).to_contain_text("Главная")  # uk → Russian
    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("language-select").select_option("en")
    expect(page.get_by_test_id("nav-home")).to_contain_text("Home")
    page.reload()
    page.get_by_test_id("profile").wait_for()
    expect(page.get_by_test_id("nav-home")).to_contain_text("Home")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.context.close()


def test_link_wallet_loads_ton_connect_on_demand(server, browser, make_user):
    """TON Connect is a lazy chunk: not loaded for the first screen, loaded on "Link wallet",
    which asks the server for a one-time ton_proof payload and opens the wallet picker."""
    user = make_user(first_name="Jana")
    scripts: list[str] = []
    page = open_miniapp(browser, server.base_url, init_data_for(user, "en"))
    page.on("request", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("profile").wait_for()
    assert not any("provider" in url for url in scripts)
    with page.expect_response("**/api/v1/wallets/ton/payload") as payload:
        page.get_by_test_id("link-wallet").click()
    assert payload.value.status == 201
    assert payload.value.json()["payload"]
    assert any("provider" in url for url in scripts)
    expect(page.locator("#tc-widget-root")).to_be_attached(timeout=10_000)
    screenshot(page, "link-wallet-en-light")
    page.context.close()
