"""The bot worker as it runs in production (``manage.py runbot``), against a fake Bot API."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings

from accounts.models import User
from payments.ledger import balance_get, ledger_mismatches
from payments.models import Payment, StarCharge
from tests.server import ROOT, child_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bot_process(fake_bot_api) -> Iterator[subprocess.Popen]:
    log = (ROOT / "var" / "test-bot.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runbot", "--allow-dev-token"],
        cwd=ROOT,
        env=child_env({"TELEGRAM_API_BASE": fake_bot_api.base_url}),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        fake_bot_api.wait_for_call("getUpdates", timeout=30)
        yield process
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def wait_until(predicate, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def tg_user(user: User) -> dict:
    return {
        "id": user.tg_id,
        "is_bot": False,
        "first_name": user.first_name,
        "language_code": user.language_code or "en",
    }


def message(user: User, **fields) -> dict:
    return {
        "message": {
            "message_id": int(time.time() * 1000) % 10**9,
            "date": int(time.time()),
            "chat": {"id": user.tg_id, "type": "private"},
            "from": tg_user(user),
            **fields,
        }
    }


def successful_payment(user: User, payment: Payment, charge_id: str) -> dict:
    return message(
        user,
        successful_payment={
            "currency": "XTR",
            "total_amount": payment.stars,
            "invoice_payload": str(payment.id),
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        },
    )


def test_polling_asks_for_payment_updates(bot_process, fake_bot_api) -> None:
    allowed = fake_bot_api.calls("getUpdates")[0]["allowed_updates"]
    assert "pre_checkout_query" in allowed
    assert "message" in allowed


def test_start_greets_and_offers_the_webapp(bot_process, fake_bot_api, make_user) -> None:
    referrer = make_user()
    new = User(tg_id=880001, first_name="Иван", language_code="ru")
    fake_bot_api.inject_update(message(new, text=f"/start ref_{referrer.tg_id}"))
    sent = fake_bot_api.wait_for_call("sendMessage")
    assert "Добро пожаловать" in sent["text"]
    button = sent["reply_markup"]["inline_keyboard"][0][0]
    assert button["web_app"]["url"] == settings.WEBAPP_URL
    assert button["text"] == "Войти в игру"
    created = User.objects.get(tg_id=880001)
    assert created.referrer_id == referrer.tg_id
    fake_bot_api.wait_for_call("setChatMenuButton", count=2)


def test_start_with_bad_payloads_never_sets_a_referrer(bot_process, fake_bot_api) -> None:
    # malformed, empty, oversized, self-referral (user 880013), negative, zero, unknown referrer
    payloads = ["ref_abc", "ref_", "x" * 200, "ref_880013", "ref_-5", "ref_0", "ref_999999999"]
    for i, payload in enumerate(payloads):
        user = User(tg_id=880010 + i, first_name="P", language_code="en")
        fake_bot_api.inject_update(message(user, text=f"/start {payload}"))
        fake_bot_api.wait_for_call("sendMessage", count=i + 1)
    assert User.objects.filter(tg_id__gte=880010, tg_id__lt=880020).count() == len(payloads)
    assert not User.objects.filter(tg_id__gte=880010, referrer__isnull=False).exists()


def test_blocked_user_gets_no_button(bot_process, fake_bot_api, make_user) -> None:
    blocked = make_user(is_blocked=True, language_code="en")
    fake_bot_api.inject_update(message(blocked, text="/start"))
    sent = fake_bot_api.wait_for_call("sendMessage")
    assert "blocked" in sent["text"]
    assert "reply_markup" not in sent


def test_invoice_to_balance_through_the_bot(bot_process, fake_bot_api, auth_client) -> None:
    client, user = auth_client(language_code="en")
    created = client.post(
        "/api/v1/payments/invoices",
        {"purpose": "topup", "stars": 25},
        format="json",
        HTTP_IDEMPOTENCY_KEY="flow-key-0001",
    )
    assert created.status_code == 201, created.content
    payment = Payment.objects.get(pk=created.json()["id"])

    fake_bot_api.inject_update(
        {
            "pre_checkout_query": {
                "id": "pcq-1",
                "from": tg_user(user),
                "currency": "XTR",
                "total_amount": 25,
                "invoice_payload": str(payment.id),
            }
        }
    )
    answer = fake_bot_api.wait_for_call("answerPreCheckoutQuery")
    assert answer["pre_checkout_query_id"] == "pcq-1"
    assert answer["ok"] is True

    charge_id = "stxCHARGE" + uuid.uuid4().hex * 3
    for _ in range(3):  # Telegram may deliver the same update more than once
        fake_bot_api.inject_update(successful_payment(user, payment, charge_id))
    wait_until(lambda: balance_get(user_id=user.tg_id) == 25)
    time.sleep(0.5)
    assert balance_get(user_id=user.tg_id) == 25
    assert StarCharge.objects.filter(pk=charge_id).count() == 1
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.telegram_payment_charge_id == charge_id
    assert client.get("/api/v1/me").json()["balance"] == 25
    assert ledger_mismatches() == []


def test_pre_checkout_refusals(bot_process, fake_bot_api, make_user) -> None:
    owner, stranger = make_user(), make_user(language_code="ru")
    payment = Payment.objects.create(user=owner, purpose="topup", stars=10)
    cases = [
        (stranger, str(payment.id), 10),  # someone else's invoice
        (owner, str(payment.id), 11),  # wrong amount
        (owner, "not-a-payment", 10),  # unknown payload
    ]
    for i, (who, payload, amount) in enumerate(cases):
        fake_bot_api.inject_update(
            {
                "pre_checkout_query": {
                    "id": f"pcq-{i}",
                    "from": tg_user(who),
                    "currency": "XTR",
                    "total_amount": amount,
                    "invoice_payload": payload,
                }
            }
        )
        answer = fake_bot_api.wait_for_call("answerPreCheckoutQuery", count=i + 1)
        assert answer["ok"] is False
        assert answer["error_message"]
    assert "другого" in fake_bot_api.calls("answerPreCheckoutQuery")[0]["error_message"]


def test_api_errors_do_not_stop_polling(bot_process, fake_bot_api, make_user) -> None:
    fake_bot_api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    first, second = make_user(), make_user()
    fake_bot_api.inject_update(message(first, text="/start"))
    fake_bot_api.wait_for_call("sendMessage")
    fake_bot_api.inject_update(message(second, text="/start"))
    sent = fake_bot_api.wait_for_call("sendMessage", count=2)
    assert int(sent["chat_id"]) == second.tg_id
