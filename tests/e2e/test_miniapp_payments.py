"""Payments in the Mini App: the donate modal opens a Stars invoice, Telegram's payment arrives
through the bot's webhook, the leaderboard shows the new rank; a cancelled invoice leaves a
"Continue" / "Cancel" card that survives a reload."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.initdata import make_init_data
from accounts.models import User
from botapp.tests.updates import successful_payment, tg_user
from payments.ledger import balance_get
from payments.models import DonationPreset, Payment
from tests.browser import fire_telegram_event, open_miniapp, screenshot, telegram_events
from tests.server import ServerProcess

pytestmark = pytest.mark.e2e

SECRET = "e2e-webhook-secret_0123456789"


@pytest.fixture
def bot_server(transactional_db, fake_bot_api) -> Iterator[ServerProcess]:
    """The web process talking to the fake Bot API, with the bot's webhook switched on."""
    process = ServerProcess(env={"TELEGRAM_WEBHOOK_SECRET": SECRET})
    try:
        yield process
    finally:
        process.stop()


def webhook(server: ServerProcess, update: dict) -> None:
    body = json.dumps({"update_id": int(time.time() * 1000) % 2**31, **update}).encode()
    request = urllib.request.Request(
        f"{server.base_url}/telegram/webhook",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
        },
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200


def telegram_pays(server: ServerProcess, fake_bot_api, user: User, payment: Payment) -> None:
    """What Telegram does when the player pays: pre-checkout, then successful_payment."""
    webhook(
        server,
        {
            "pre_checkout_query": {
                "id": f"pcq-{uuid.uuid4().hex[:8]}",
                "from": tg_user(user),
                "currency": "XTR",
                "total_amount": payment.stars,
                "invoice_payload": str(payment.id),
            }
        },
    )
    answer = fake_bot_api.wait_for_call("answerPreCheckoutQuery")
    assert answer["ok"] is True
    webhook(server, successful_payment(user, payment, "stxE2E" + uuid.uuid4().hex * 3))


def opened_invoice(page: Page, count: int = 1) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        opened = telegram_events(page, "web_app_open_invoice")
        if len(opened) >= count:
            return str(opened[count - 1][1]["slug"])
        time.sleep(0.1)
    raise AssertionError("the app did not open an invoice")


def login(browser, server: ServerProcess, user: User, lang: str, theme: str) -> Page:
    init_data = make_init_data(
        bot_token=settings.TELEGRAM_BOT_TOKEN,
        user={"id": user.tg_id, "first_name": user.first_name, "language_code": lang},
    )
    return open_miniapp(browser, server.base_url, init_data, theme=theme)


@pytest.mark.parametrize(("lang", "theme"), [("en", "light"), ("ru", "dark")])
def test_donation_from_the_modal_moves_the_player_up_the_leaderboard(
    bot_server, fake_bot_api, browser, make_user, lang: str, theme: str
) -> None:
    for place, stars in ((1, 300), (2, 200), (3, 100)):
        DonationPreset.objects.update_or_create(
            place=place,
            defaults={"title_en": f"Place {place}", "title_ru": f"{place} место", "stars": stars},
        )
    dana = make_user(first_name="Dana")
    page = login(browser, bot_server, dana, lang, theme)
    page.get_by_test_id("nav-leaderboard").click()
    page.get_by_test_id("leaderboards").wait_for()
    screenshot(page, f"leaderboard-games-{lang}-{theme}")
    page.get_by_test_id("boards-donations").click()
    expect(page.get_by_test_id("donations-me")).to_contain_text(
        {"en": "not ranked", "ru": "без места"}[lang]
    )
    screenshot(page, f"leaderboard-donations-{lang}-{theme}")

    page.get_by_test_id("donate-button").click()
    sheet = page.get_by_test_id("donate-sheet")
    expect(sheet.get_by_test_id("preset-1")).to_contain_text("300")
    expect(sheet.get_by_test_id("preset-1")).to_contain_text("#1")
    screenshot(page, f"donate-{lang}-{theme}")
    sheet.get_by_test_id("preset-1").click()

    slug = opened_invoice(page)
    link = fake_bot_api.wait_for_call("createInvoiceLink")
    assert link["currency"] == "XTR"
    payment = Payment.objects.get(user=dana)
    assert payment.purpose == "donation"
    assert payment.stars == 300
    assert payment.status == "created"

    telegram_pays(bot_server, fake_bot_api, dana, payment)
    fire_telegram_event(page, "invoice_closed", {"slug": slug, "status": "paid"})
    expect(page.get_by_test_id("donations-me")).to_contain_text("#1", timeout=15_000)
    expect(page.get_by_test_id("donations-board")).to_contain_text("Dana")
    payment.refresh_from_db()
    assert payment.status == "paid"
    expect(page.get_by_test_id("payment-card")).to_have_count(0)
    screenshot(page, f"leaderboard-after-donation-{lang}-{theme}")
    page.context.close()


def test_cancelled_invoice_leaves_a_card_that_survives_a_reload(
    bot_server, fake_bot_api, browser, make_user
) -> None:
    erik = make_user(first_name="Erik")
    page = login(browser, bot_server, erik, "en", "light")
    page.get_by_test_id("user-balance").click()
    sheet = page.get_by_test_id("topup-sheet")
    screenshot(page, "topup-en-light")
    sheet.get_by_test_id("topup-stars").click()
    slug = opened_invoice(page)
    fire_telegram_event(page, "invoice_closed", {"slug": slug, "status": "cancelled"})
    card = page.get_by_test_id("payment-card")
    expect(card).to_contain_text("100")
    screenshot(page, "payment-card-en-light")

    page.reload()
    page.get_by_test_id("home").wait_for()
    expect(page.get_by_test_id("payment-card")).to_be_visible()
    # Even without localStorage the server's pending list brings the card back.
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.get_by_test_id("payment-card")).to_be_visible(timeout=10_000)

    page.get_by_test_id("payment-continue").click()
    # (the event log starts afresh with each page load)
    assert opened_invoice(page, 1) == slug  # the same invoice, not a new one
    payment = Payment.objects.get(user=erik)
    telegram_pays(bot_server, fake_bot_api, erik, payment)
    fire_telegram_event(page, "invoice_closed", {"slug": slug, "status": "paid"})
    expect(page.get_by_test_id("balance-value")).to_have_text("100", timeout=15_000)
    expect(page.get_by_test_id("payment-card")).to_have_count(0)
    assert balance_get(user_id=erik.tg_id) == 100
    page.reload()
    page.get_by_test_id("home").wait_for()
    time.sleep(1)
    expect(page.get_by_test_id("payment-card")).to_have_count(0)
    page.context.close()


def test_cancel_on_the_card_cancels_the_payment(bot_server, fake_bot_api, browser, make_user):
    fay = make_user(first_name="Fay")
    page = login(browser, bot_server, fay, "ru", "dark")
    page.get_by_test_id("user-balance").click()
    page.get_by_test_id("topup-stars").click()
    slug = opened_invoice(page)
    fire_telegram_event(page, "invoice_closed", {"slug": slug, "status": "failed"})
    page.get_by_test_id("payment-cancel").click()
    expect(page.get_by_test_id("payment-card")).to_have_count(0)
    payment = Payment.objects.get(user=fay)
    deadline = time.monotonic() + 10
    while payment.status != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.1)
        payment.refresh_from_db()
    assert payment.status == "cancelled"
    page.reload()
    page.get_by_test_id("home").wait_for()
    time.sleep(1)
    expect(page.get_by_test_id("payment-card")).to_have_count(0)
    page.context.close()


def test_short_balance_pays_with_stars_and_joins_the_room(
    bot_server, fake_bot_api, browser, make_user, tiers
) -> None:
    from rooms.models import Room

    gus = make_user(first_name="Gus")
    page = login(browser, bot_server, gus, "ru", "light")
    page.get_by_test_id("tier-50").click()
    sheet = page.get_by_test_id("topup-sheet")
    expect(sheet).to_contain_text("50")  # the shortfall
    expect(sheet.get_by_test_id("topup-amount")).to_have_value("50")
    screenshot(page, "topup-short-ru-light")
    sheet.get_by_test_id("topup-stars").click()
    slug = opened_invoice(page)
    payment = Payment.objects.get(user=gus)
    assert payment.purpose == "topup"
    assert payment.stars == 50
    telegram_pays(bot_server, fake_bot_api, gus, payment)
    fire_telegram_event(page, "invoice_closed", {"slug": slug, "status": "paid"})
    # Credited, then the join the player asked for goes through by itself.
    page.get_by_test_id("waiting").wait_for(timeout=20_000)
    room = Room.objects.get(seats__user=gus, phase="gathering")
    assert room.fee == 50
    assert balance_get(user_id=gus.tg_id) == 0
    page.context.close()
