"""Invoices through the API with aiogram talking to a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from chancetap.core.models import IdempotencyRecord
from payments.models import DonationPreset, Payment, PaymentSettings

URL = "/api/v1/payments/invoices"


def create(client, body, key="key-00000001"):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_topup_invoice_is_created_with_one_xtr_price(auth_client, fake_bot_api) -> None:
    client, user = auth_client(language_code="ru")
    response = create(client, {"purpose": "topup", "stars": 50})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "created"
    assert body["invoice_link"].startswith("https://t.me/$")
    payment = Payment.objects.get(pk=body["id"])
    assert (payment.user_id, payment.stars, payment.purpose) == (user.tg_id, 50, "topup")
    call = fake_bot_api.calls("createInvoiceLink")[-1]
    assert call["currency"] == "XTR"
    assert call["payload"] == body["id"]
    assert call["prices"] == [{"label": call["title"], "amount": 50}]
    assert "provider_token" not in call or not call["provider_token"]
    assert "Chance Tap" in call["title"]
    assert "Баланс" in call["title"]


@pytest.mark.django_db
def test_donation_by_preset(auth_client, fake_bot_api) -> None:
    preset = DonationPreset.objects.update_or_create(
        place=1, defaults={"title_en": "1st", "title_ru": "1-е", "stars": 500}
    )[0]
    client, _ = auth_client()
    response = create(client, {"purpose": "donation", "preset_id": preset.pk})
    assert response.status_code == 201
    assert response.json()["stars"] == 500
    assert response.json()["preset_id"] == preset.pk
    assert (
        create(client, {"purpose": "topup", "preset_id": preset.pk}, "k-preset-topup").json()[
            "code"
        ]
        == "preset_not_allowed"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"purpose": "topup"}, 400, "amount_required"),
        ({"purpose": "topup", "stars": 10, "preset_id": 1}, 400, "amount_required"),
        ({"purpose": "topup", "stars": 0}, 400, "validation_error"),
        ({"purpose": "topup", "stars": -5}, 400, "validation_error"),
        ({"purpose": "topup", "stars": "ten"}, 400, "validation_error"),
        ({"purpose": "topup", "stars": 200_000}, 400, "amount_out_of_range"),
        ({"purpose": "gift", "stars": 5}, 400, "validation_error"),
        ({"purpose": "donation", "preset_id": 999}, 404, "preset_not_found"),
    ],
)
def test_bad_invoice_requests(auth_client, fake_bot_api, body, status, code) -> None:
    client, _ = auth_client()
    response = create(client, body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Payment.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db
def test_idempotency_key_is_required_and_validated(auth_client, fake_bot_api) -> None:
    client, _ = auth_client()
    missing = client.post(URL, {"purpose": "topup", "stars": 5}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency_key_required")
    bad = create(client, {"purpose": "topup", "stars": 5}, key="short")
    assert (bad.status_code, bad.json()["code"]) == (400, "idempotency_key_invalid")


@pytest.mark.django_db
def test_replay_mismatch_and_cross_user_isolation(auth_client, fake_bot_api) -> None:
    client, user = auth_client()
    first = create(client, {"purpose": "topup", "stars": 30}, "same-key-123")
    replay = create(client, {"purpose": "topup", "stars": 30}, "same-key-123")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert len(fake_bot_api.calls("createInvoiceLink")) == 1
    mismatch = create(client, {"purpose": "topup", "stars": 31}, "same-key-123")
    assert (mismatch.status_code, mismatch.json()["code"]) == (422, "idempotency_key_mismatch")

    other, other_user = auth_client()
    theirs = create(other, {"purpose": "topup", "stars": 30}, "same-key-123")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert Payment.objects.filter(user=other_user).count() == 1
    assert Payment.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_key_gets_409_while_in_flight(make_user, fake_bot_api) -> None:
    user = make_user()
    fake_bot_api.delay("createInvoiceLink", 1.0)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def call() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=user.tg_id)}")
        barrier.wait()
        try:
            results.append(
                create(client, {"purpose": "topup", "stars": 9}, "race-key-1").status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409]
    assert Payment.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_bot_api_failure_is_502_and_offers_nothing_payable(auth_client, fake_bot_api) -> None:
    fake_bot_api.fail_next("createInvoiceLink", 400, "Bad Request: STARS_INVOICE_INVALID")
    client, _ = auth_client()
    response = create(client, {"purpose": "topup", "stars": 5})
    assert (response.status_code, response.json()["code"]) == (502, "invoice_unavailable")
    # The payment row was committed before Telegram was asked (no transaction held during the
    # call); without a link nobody can pay it and the pending list does not offer it.
    assert Payment.objects.filter(invoice_link="").count() == 1
    assert client.get("/api/v1/payments/pending").json() == []
    retry = create(client, {"purpose": "topup", "stars": 5})
    assert retry.status_code == 201
    assert Payment.objects.count() == 1  # the same request again completed that payment


@pytest.mark.django_db
def test_invoice_rate_limit(auth_client, fake_bot_api) -> None:
    PaymentSettings.objects.update_or_create(pk=1, defaults={"invoices_per_minute": 2})
    client, _ = auth_client()
    codes = [
        create(client, {"purpose": "topup", "stars": 5}, f"rate-key-{i:04d}") for i in range(3)
    ]
    assert [r.status_code for r in codes] == [201, 201, 429]
    assert codes[2].json()["code"] == "rate_limited"
    assert 1 <= codes[2].json()["details"]["retry_after"] <= 60
    assert codes[2]["Retry-After"] == str(codes[2].json()["details"]["retry_after"])
    assert Payment.objects.count() == 2  # the refused request made nothing

    # The admin's setting is read with each request: raised, the next invoice goes through.
    PaymentSettings.objects.filter(pk=1).update(invoices_per_minute=3)
    assert create(client, {"purpose": "topup", "stars": 5}, "rate-key-0100").status_code == 201
    other, _ = auth_client()  # per player
    assert create(other, {"purpose": "topup", "stars": 5}, "rate-key-0200").status_code == 201


@pytest.mark.django_db
def test_pending_cancel_and_detail(auth_client, fake_bot_api) -> None:
    client, _ = auth_client()
    payment_id = create(client, {"purpose": "topup", "stars": 12}).json()["id"]
    pending = client.get("/api/v1/payments/pending").json()
    assert [p["id"] for p in pending] == [payment_id]
    assert client.get(f"/api/v1/payments/{payment_id}").json()["status"] == "created"

    other, _ = auth_client()
    assert other.get(f"/api/v1/payments/{payment_id}").status_code == 404
    assert other.post(f"/api/v1/payments/{payment_id}/cancel").status_code == 404

    cancelled = client.post(f"/api/v1/payments/{payment_id}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/payments/{payment_id}/cancel").status_code == 200
    assert client.get("/api/v1/payments/pending").json() == []
    assert client.get(f"/api/v1/payments/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/payments/not-a-uuid").status_code == 404
