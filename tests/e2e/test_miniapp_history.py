"""Profile → History (games and Stars), Rules & terms and the notifications switch, in both
languages and both Telegram colour schemes, on a real server with games played through the
services."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from payments.models import Payment
from payments.services import star_payment_apply
from rooms.models import Room, RoomSettings
from rooms.services import room_advance, room_join_tier
from rooms.taps import taps_record
from tests.browser import fire_telegram_event, init_data_for, open_miniapp, screenshot

pytestmark = pytest.mark.e2e

TEXT = {
    "en": {
        "won": "Won",
        "lost": "Lost",
        "cancelled": "Cancelled · refunded",
        "room": "Room #{}",
        "fee": "Room #{} fee",
        "prize": "Prize in room #{}",
        "refund": "Refund: room #{}",
        "topup": "Top-up",
        "empty_games": "No games yet",
        "empty_stars": "No Stars movements yet",
        "terms": "Rules & terms",
        "switch": "Game results in the bot",
        "blocked": "The bot cannot write to you",
        "donation": "Donation",
    },
    "ru": {
        "won": "Победа",
        "lost": "Проигрыш",
        "cancelled": "Отменена · возврат",
        "room": "Комната #{}",
        "fee": "Взнос за комнату #{}",
        "prize": "Приз в комнате #{}",
        "refund": "Возврат: комната #{}",
        "topup": "Пополнение",
        "empty_games": "Игр пока нет",
        "empty_stars": "Движений звёзд пока нет",
        "terms": "Правила и условия",
        "switch": "Итоги игр в боте",
        "blocked": "Бот не может вам написать",
        "donation": "Донат",
    },
}


def topup(user: User, stars: int, purpose: str = "topup") -> None:
    """A Stars top-up (or donation) as Telegram's successful_payment applies it."""
    payment = Payment.objects.create(user=user, purpose=purpose, stars=stars)
    star_payment_apply(
        from_user_id=user.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=stars,
        telegram_payment_charge_id="stxE2E" + uuid.uuid4().hex * 3,
    )


def play_game(users: list[User], tier_id: int, taps: dict[int, int]) -> Room:
    """Seat ``users``, let the gathering timer run out, play ``taps`` and settle the game."""
    for user in users:
        room = room_join_tier(user=user, tier_id=tier_id)
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "countdown"
    room.refresh_from_db()
    assert room.started_at is not None
    assert room.ends_at is not None
    assert room_advance(room_id=room.pk, now=room.started_at) == "playing"
    stamp = 10_000
    for user_id, count in taps.items():  # packets of at most 20, the anti-cheat limit lifted
        sent = 0
        while sent < count:
            n, stamp = min(20, count - sent), stamp + 1
            assert taps_record(room.pk, user_id, n, stamp, limit=10**9, target=0).refused is None
            sent += n
    assert room_advance(room_id=room.pk, now=room.ends_at) == "finished"
    room.refresh_from_db()
    return room


def cancelled_room(user: User, tier_id: int) -> Room:
    room = room_join_tier(user=user, tier_id=tier_id)
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "cancelled"
    return room


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_history_terms_and_the_switch(
    server, browser, tiers, fund, make_user, lang: str, theme: str
) -> None:
    text = TEXT[lang]
    me = make_user(first_name={"en": "Grace", "ru": "Глеб"}[lang], username="grace")
    bob = make_user(first_name="Bob")
    cy = make_user(first_name={"en": "Cyril", "ru": "Кирилл"}[lang])
    topup(me, 100)
    topup(me, 15, purpose="donation")
    fund(bob.tg_id, 100)
    fund(cy.tg_id, 100)
    won = play_game([me, bob, cy], tiers[20], {me.tg_id: 45, bob.tg_id: 30, cy.tg_id: 12})
    lost = play_game([me, bob], tiers[20], {me.tg_id: 5, bob.tg_id: 25})
    alone = cancelled_room(me, tiers[50])
    # The operator takes a house share from now on: Rules & terms says so (games above paid none).
    RoomSettings.objects.update_or_create(pk=1, defaults={"house_share_bp": 250})
    # The bot could not write to him lately: the profile says how to fix it.
    User.objects.filter(pk=me.pk).update(bot_blocked_at=timezone.now())

    page = open_miniapp(browser, server.base_url, init_data_for(me, lang), theme=theme)
    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("profile").wait_for()
    switch = page.get_by_test_id("notify-game-results")
    expect(page.get_by_test_id("notifications")).to_contain_text(text["switch"])
    expect(switch).to_be_checked()
    expect(page.get_by_test_id("bot-blocked")).to_contain_text(text["blocked"])
    expect(page.get_by_test_id("open-bot")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, f"profile-notifications-{lang}-{theme}")

    page.get_by_test_id("history-link").click()
    page.get_by_test_id("history").wait_for()
    games = page.get_by_test_id("history-game")
    expect(games).to_have_count(3)
    newest, second, first = games.nth(0), games.nth(1), games.nth(2)
    expect(newest).to_contain_text(text["room"].format(alone.pk))
    expect(newest).to_contain_text(text["cancelled"])
    expect(second).to_contain_text(text["room"].format(lost.pk))
    expect(second).to_contain_text(text["lost"])
    expect(second).to_contain_text("Bob")
    expect(first).to_contain_text(text["room"].format(won.pk))
    expect(first).to_contain_text(text["won"])
    expect(first).to_contain_text("⭐ 60")  # the pool of three 20-Star fees, house share 0
    expect(first).to_contain_text("45")
    expect(first).to_contain_text("Bob")
    expect(first).to_contain_text({"en": "Cyril", "ru": "Кирилл"}[lang])
    screenshot(page, f"history-games-{lang}-{theme}")

    page.get_by_test_id("history-tab-stars").click()
    entries = page.get_by_test_id("history-entry")
    # Top-up, two fees, the prize, the cancelled room's fee and its refund: newest first.
    expect(entries).to_have_count(6)
    expect(entries.nth(0)).to_contain_text(text["refund"].format(alone.pk))
    expect(entries.nth(0)).to_contain_text("+50 ⭐")
    expect(entries.nth(1)).to_contain_text(text["fee"].format(alone.pk))
    expect(entries.nth(1)).to_contain_text("−50 ⭐")
    expect(entries.nth(2)).to_contain_text(text["fee"].format(lost.pk))
    expect(entries.nth(3)).to_contain_text(text["prize"].format(won.pk))
    expect(entries.nth(3)).to_contain_text("+60 ⭐")
    expect(entries.nth(4)).to_contain_text(text["fee"].format(won.pk))
    expect(entries.nth(5)).to_contain_text(text["topup"])
    expect(entries.nth(5)).to_contain_text("+100 ⭐")
    screenshot(page, f"history-stars-{lang}-{theme}")

    page.get_by_test_id("history-tab-payments").click()
    charges = page.get_by_test_id("history-charge")
    expect(charges).to_have_count(2)  # the donation (newest) and the top-up, with their ids
    expect(charges.nth(0)).to_contain_text(text["donation"])
    expect(charges.nth(0)).to_contain_text("15 ⭐")
    expect(charges.nth(0)).to_contain_text("stxE2E")
    expect(charges.nth(1)).to_contain_text("100 ⭐")
    screenshot(page, f"history-payments-{lang}-{theme}")

    fire_telegram_event(page, "back_button_pressed", {})  # back to the profile
    page.get_by_test_id("terms-link").click()
    page.get_by_test_id("terms").wait_for()
    expect(page.get_by_test_id("terms")).to_contain_text(text["terms"])
    expect(page.get_by_test_id("terms-support")).to_contain_text("/paysupport")
    expect(page.get_by_test_id("terms-shares")).to_contain_text("2.5 %")
    expect(page.get_by_test_id("terms")).not_to_contain_text("{{")
    screenshot(page, f"terms-{lang}-{theme}")
    page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_empty_history_invites_to_play(
    server, browser, make_user, lang: str, theme: str
) -> None:
    text = TEXT[lang]
    user = make_user(first_name="Newbie")
    page = open_miniapp(browser, server.base_url, init_data_for(user, lang), theme=theme)
    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("history-link").click()
    expect(page.get_by_test_id("history-games-empty")).to_contain_text(text["empty_games"])
    screenshot(page, f"history-empty-{lang}-{theme}")
    page.get_by_test_id("history-tab-stars").click()
    expect(page.get_by_test_id("history-stars-empty")).to_contain_text(text["empty_stars"])
    page.get_by_test_id("history-tab-games").click()
    page.get_by_test_id("history-play").click()
    page.get_by_test_id("home").wait_for()
    page.context.close()


def test_the_notifications_switch_persists(server, browser, make_user) -> None:
    user = make_user(first_name="Ida")
    page = open_miniapp(browser, server.base_url, init_data_for(user, "en"))
    page.get_by_test_id("nav-profile").click()
    switch = page.get_by_test_id("notify-game-results")
    expect(switch).to_be_checked()
    expect(page.get_by_test_id("bot-blocked")).to_have_count(0)
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/me") and r.request.method == "PATCH"
    ) as patched:
        switch.click()
    assert patched.value.status == 200
    assert patched.value.json()["notify_game_results"] is False
    expect(switch).not_to_be_checked()
    user.refresh_from_db()
    assert user.notify_game_results is False

    page.reload()
    page.get_by_test_id("profile").wait_for()
    expect(page.get_by_test_id("notify-game-results")).not_to_be_checked()
    page.get_by_test_id("notify-game-results").click()
    expect(page.get_by_test_id("notify-game-results")).to_be_checked()
    page.reload()
    expect(page.get_by_test_id("notify-game-results")).to_be_checked()
    user.refresh_from_db()
    assert user.notify_game_results is True
    page.context.close()
