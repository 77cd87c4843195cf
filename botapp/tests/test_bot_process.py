"""Payments through the bot as it runs in production (``manage.py runbot``), against a fake Bot
API. ``/start`` has its own module (``test_start.py``)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from botapp.tests.updates import successful_payment, tg_user, wait_until
from payments.ledger import balance_get, ledger_mismatches
from payments.models import Payment, StarCharge

pytestmark = pytest.mark.django_db(transaction=True)


def test_polling_asks_for_payment_updates(bot_process, fake_bot_api) -> None:
    allowed = fake_bot_api.calls("getUpdates")[0]["allowed_updates"]
    assert "pre_checkout_query" in allowed
    assert "message" in allowed


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
    thanks = fake_bot_api.wait_for_call("sendMessage")
    assert "25" in thanks["text"]
    assert len(fake_bot_api.calls("sendMessage")) == 1  # thanked once, not per delivery


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
    # Each update logs under a request id of its own (Loki finds one update's lines)
    refused = [
        json.loads(line)
        for line in bot_process.log().splitlines()
        if '"pre_checkout_refused"' in line
    ]
    assert len(refused) == 3, bot_process.log()[-3000:]
    assert len({line["request_id"] for line in refused}) == 3


def test_pre_checkout_answer_survives_a_flood_wait(bot_process, fake_bot_api, make_user) -> None:
    owner = make_user()
    payment = Payment.objects.create(user=owner, purpose="topup", stars=10)
    fake_bot_api.fail_next(
        "answerPreCheckoutQuery", 429, "Too Many Requests: retry after 1", retry_after=1
    )
    fake_bot_api.inject_update(
        {
            "pre_checkout_query": {
                "id": "pcq-flood",
                "from": tg_user(owner),
                "currency": "XTR",
                "total_amount": 10,
                "invoice_payload": str(payment.id),
            }
        }
    )
    second = fake_bot_api.wait_for_call("answerPreCheckoutQuery", count=2)
    assert second["ok"] is True
