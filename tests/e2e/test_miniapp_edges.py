"""The Mini App's rough edges (issue #15 item 6), in a real browser against the real server:
the hero deep link, the automatic return to the lobby on a hero timeout, the weekly board's week
picker and invite button, and the custom donation amount's rank preview."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.initdata import make_init_data
from leaderboards.services import donation_record_in_tx
from leaderboards.weeks import week_key_for
from payments.ledger import balance_get
from rooms.models import Room
from rooms.services import hero_room_create, room_advance
from tests.browser import (
    init_data_for,
    launch_hash,
    open_miniapp,
    screenshot,
    telegram_events,
    telegram_page,
)

pytestmark = pytest.mark.e2e


def open_with_start_param(browser, base_url: str, user, lang: str, start_param: str) -> Page:
    """The app as Telegram opens it from ``t.me/<bot>/<app>?startapp=<start_param>``."""
    init_data = make_init_data(
        bot_token=settings.TELEGRAM_BOT_TOKEN,
        user={
            "id": user.tg_id,
            "first_name": user.first_name,
            "username": user.username,
            "language_code": lang,
        },
        start_param=start_param,
    )
    page = telegram_page(browser)
    page.goto(f"{base_url}/{launch_hash(init_data)}")
    return page


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_hero_deep_link_joins_and_a_timeout_sends_everyone_back(
    server, browser, fund, make_user, lang: str
) -> None:
    organizer = make_user(first_name="Olga", username="olga")
    guest = make_user(
        first_name={"en": "Bartholomew-Maximilian", "ru": "Варфоломей-Максимилиан"}[lang],
        username="bart",
    )
    fund(guest.tg_id, 100)
    room = hero_room_create(organizer=organizer, fee=30)
    assert room.key

    # The invited player lands on the join form, the key filled in: nothing is charged yet.
    page = open_with_start_param(browser, server.base_url, guest, lang, f"hero_{room.key}")
    page.get_by_test_id("create").wait_for(timeout=15_000)
    expect(page.get_by_test_id("hero-key-input")).to_have_value(room.key)
    expect(page.get_by_test_id("hero-invite-note")).to_be_visible()
    expect(page.get_by_test_id("hero-join")).to_be_focused()
    assert balance_get(user_id=guest.tg_id) == 100
    screenshot(page, f"hero-invite-{lang}")

    page.get_by_test_id("hero-join").click()
    page.get_by_test_id("waiting").wait_for(timeout=15_000)
    assert balance_get(user_id=guest.tg_id) == 70
    expect(page.get_by_test_id("hero-wait-hint")).to_be_visible()
    name = page.get_by_test_id(f"seat-name-{guest.tg_id}")
    expect(name).to_have_text(guest.first_name)
    # A long name is cut with an ellipsis, not spilled over the circle.
    assert name.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"
    assert name.evaluate("el => el.scrollWidth > el.clientWidth")
    screenshot(page, f"hero-waiting-{lang}")

    # The organizer's app opens on the running room by itself.
    host = telegram_page(browser)
    host.goto(f"{server.base_url}/{launch_hash(init_data_for(organizer, lang))}")
    host.get_by_test_id("organizer").wait_for(timeout=15_000)
    expect(host.get_by_test_id("organizer-players")).to_contain_text(guest.first_name[:6])
    host.get_by_test_id("hero-share").click()
    shared = telegram_events(host, "web_app_open_tg_link")[-1][1]["path_full"]
    assert f"startapp%3Dhero_{room.key}" in shared
    assert room.key in shared.split("text=", 1)[1]

    # The organizer never started: at the deadline the room closes and both go to the lobby.
    room.refresh_from_db()
    room_advance(room_id=room.pk, now=room.deadline_at)
    room.refresh_from_db()
    assert room.phase == Room.Phase.CANCELLED
    page.get_by_test_id("home").wait_for(timeout=15_000)
    host.get_by_test_id("home").wait_for(timeout=15_000)
    messages = {
        "en": ("did not start in time", "You did not start the room in time"),
        "ru": ("не начал игру вовремя", "Вы не запустили комнату вовремя"),
    }[lang]
    expect(page.get_by_test_id("notice")).to_contain_text(messages[0])
    expect(host.get_by_test_id("notice")).to_contain_text(messages[1])
    expect(page.get_by_test_id("balance-value")).to_have_text("100", timeout=10_000)
    screenshot(page, f"hero-timeout-lobby-{lang}")

    # Once per launch: back to Create, or a reload, does not bring the invitation back.
    page.get_by_test_id("nav-create").click()
    page.get_by_test_id("create").wait_for()
    expect(page.get_by_test_id("hero-key-input")).to_have_value("")
    expect(page.get_by_test_id("hero-invite-note")).to_have_count(0)
    page.reload()
    page.get_by_test_id("create").wait_for(timeout=15_000)
    expect(page.get_by_test_id("hero-invite-note")).to_have_count(0)


def test_a_malformed_start_param_opens_the_lobby(server, browser, make_user) -> None:
    user = make_user(first_name="Mia")
    page = open_with_start_param(browser, server.base_url, user, "en", "hero_x!")
    page.get_by_test_id("home").wait_for(timeout=15_000)
    expect(page.get_by_test_id("create")).to_have_count(0)


def donate(user_id: int, tons: str, at) -> None:
    with transaction.atomic():
        donation_record_in_tx(
            charge_id=f"e2e-{user_id}-{at.isoformat()}",
            user_id=user_id,
            stars=100,
            tons=Decimal(tons),
            rate=Decimal("0.01"),
            at=at,
        )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_week_picker_and_invite_button(server, browser, make_user, lang: str) -> None:
    user = make_user(first_name={"en": "Dora", "ru": "Дора"}[lang], username="dora")
    now = timezone.now()
    past = make_user(first_name="Lastweek", username="lastweek")
    donate(past.tg_id, "3.5", now - timedelta(days=7))
    current = make_user(first_name="Thisweek", username="thisweek")
    donate(current.tg_id, "1.25", now)
    this_week = week_key_for(now)
    last_week = week_key_for(now - timedelta(days=7))

    page = open_miniapp(browser, server.base_url, init_data_for(user, lang))
    page.get_by_test_id("nav-leaderboard").click()
    page.get_by_test_id("boards-donations").click()
    page.get_by_test_id("donations-week").click()
    week = page.get_by_test_id("week-range")
    expect(week).to_have_attribute("data-week", this_week)
    expect(week).to_contain_text({"en": "this week", "ru": "эта неделя"}[lang])
    expect(page.get_by_test_id("week-next")).to_be_disabled()
    expect(page.get_by_test_id("donations-board")).to_contain_text("Thisweek")
    screenshot(page, f"boards-week-current-{lang}")

    page.get_by_test_id("week-previous").click()
    expect(week).to_have_attribute("data-week", last_week)
    expect(page.get_by_test_id("donations-board")).to_contain_text("Lastweek")
    expect(page.get_by_test_id("donations-board")).not_to_contain_text("Thisweek")
    expect(page.get_by_test_id("week-next")).to_be_enabled()
    screenshot(page, f"boards-week-previous-{lang}")
    page.get_by_test_id("week-next").click()
    expect(week).to_have_attribute("data-week", this_week)
    expect(page.get_by_test_id("week-next")).to_be_disabled()

    page.get_by_test_id("donations-referrals").click()
    invite = page.get_by_test_id("invite-friend")
    expect(invite).to_contain_text({"en": "Invite a friend", "ru": "Пригласить друга"}[lang])
    screenshot(page, f"boards-referrals-invite-{lang}")
    invite.click()
    path = telegram_events(page, "web_app_open_tg_link")[-1][1]["path_full"]
    assert path.startswith("/share/url?url=")
    assert f"startapp%3Dref_{user.tg_id}" in path


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_custom_donation_amount_previews_the_weekly_rank(
    server, browser, make_user, lang: str
) -> None:
    user = make_user(first_name="Eve", username="eve")
    rival = make_user(first_name="Rival", username="rival")
    donate(rival.tg_id, "0.5", timezone.now())
    page = open_miniapp(browser, server.base_url, init_data_for(user, lang))
    page.get_by_test_id("nav-leaderboard").click()
    page.get_by_test_id("donate-button").click()
    page.get_by_test_id("donate-sheet").wait_for()
    amount = page.get_by_test_id("donate-custom")
    with page.expect_request(lambda r: "/presets/preview?stars=" in r.url) as asked:
        amount.fill("5000")
    assert asked.value.url.endswith("stars=5000")
    preview = page.get_by_test_id("donate-preview")
    expect(preview).to_contain_text(
        {"en": "You would be #", "ru": "Вы будете #"}[lang], timeout=10_000
    )
    screenshot(page, f"donate-preview-{lang}")

    amount.fill("999999999")
    error = page.get_by_test_id("donate-preview-error")
    expect(error).to_contain_text("⭐", timeout=10_000)
    expect(preview).to_have_count(0)
    screenshot(page, f"donate-preview-out-of-range-{lang}")


def test_the_countdown_covers_the_tap_button_not_its_label(
    server, browser, fund, make_user
) -> None:
    from rooms.services import hero_room_join, hero_room_start

    organizer = make_user(first_name="Olga")
    guest = make_user(first_name="Gus")
    other = make_user(first_name="Ott")
    fund(guest.tg_id, 100)
    fund(other.tg_id, 100)
    room = hero_room_create(organizer=organizer, fee=10)
    assert room.key is not None
    hero_room_join(user=guest, key=room.key)
    hero_room_join(user=other, key=room.key)
    # A seated player's app opens on the room by itself.
    page = telegram_page(browser)
    page.goto(f"{server.base_url}/{launch_hash(init_data_for(guest, 'en'))}")
    page.get_by_test_id("waiting").wait_for(timeout=15_000)
    hero_room_start(organizer=organizer, room_id=room.pk)
    countdown = page.get_by_test_id("countdown")
    countdown.wait_for(timeout=10_000)
    digit = countdown.bounding_box()
    button = page.get_by_test_id("tap-button").bounding_box()
    assert digit
    assert button
    # The digit's disc sits on the button (same centre, covering it): no TAP label beside it.
    assert abs((digit["x"] + digit["width"] / 2) - (button["x"] + button["width"] / 2)) < 2
    assert abs((digit["y"] + digit["height"] / 2) - (button["y"] + button["height"] / 2)) < 2
    assert digit["width"] >= button["width"] - 1
    screenshot(page, "countdown-en")
    page.get_by_test_id("countdown").wait_for(state="detached", timeout=10_000)
    expect(page.get_by_test_id("tap-button")).to_be_enabled()
