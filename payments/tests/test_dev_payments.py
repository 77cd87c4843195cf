"""Development payments (debug builds only): a top-up paid without Telegram, credited by the
production webhook path. In-process the view's self-post is carried by Django's async test client
(the webhook view runs for real); the last tests run real uvicorn processes, DEBUG on and off."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connections
from django.test import AsyncClient

from accounts.models import User
from accounts.tokens import token_issue
from chancetap.core.errors import NotFoundError
from chancetap.core.models import IdempotencyRecord
from chancetap.telegram.bot_api import DEFAULT_API_BASE
from payments import dev_apis
from payments.ledger import balance_get
from payments.models import LedgerEntry, Payment, StarCharge
from payments.services import dev_charge_id, invoice_create, support_refund_issue
from tests.server import ServerProcess

URL = "/api/v1/payments/dev/topups"
SECRET = "dev-hook-secret_0123"


@pytest.fixture
def webhook_posts(monkeypatch) -> list[dict[str, Any]]:
    """The view's POST to its own webhook, delivered in-process to the real webhook view."""
    posts: list[dict[str, Any]] = []

    async def transport(url: str, headers: dict[str, str], update: dict[str, Any]) -> int:
        assert url == "http://127.0.0.1:80/telegram/webhook"  # the test client's server address
        posts.append(update)
        response = await AsyncClient().post(
            "/telegram/webhook",
            json.dumps(update),
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": headers["X-Telegram-Bot-Api-Secret-Token"]},
        )
        return response.status_code

    monkeypatch.setattr(dev_apis, "webhook_transport", transport)
    return posts


@pytest.fixture
def dev_on(settings, webhook_posts) -> list[dict[str, Any]]:
    """A debug build as `make run` has it: no bot token of its own, the real Bot API (offline)."""
    settings.DEBUG = True
    settings.DEV_PAYMENTS_ENABLED = True
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.TELEGRAM_BOT_TOKEN_SET = False
    settings.TELEGRAM_API_BASE = DEFAULT_API_BASE
    return webhook_posts


def complete(user: User, body: Any, key: str | None = "dev-key-0001", **headers: str):
    if key is not None:
        headers["Idempotency-Key"] = key
    headers.setdefault("Authorization", f"Bearer {token_issue(tg_id=user.tg_id)}")
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return async_to_sync(AsyncClient().post)(
        URL, data, content_type="application/json", headers=headers
    )


def credited(user: User) -> tuple[int, list[str]]:
    keys = LedgerEntry.objects.filter(user_id=user.tg_id).values_list("business_key", flat=True)
    return balance_get(user_id=user.tg_id), list(keys)


@pytest.mark.django_db(transaction=True)
def test_top_up_is_credited_through_the_webhook(dev_on, make_user, caplog) -> None:
    user = make_user(language_code="ru")
    with caplog.at_level(logging.INFO):
        response = complete(user, {"stars": 40})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["stars"], body["purpose"], body["invoice_link"]) == (
        "paid",
        40,
        "topup",
        "",
    )
    # The update went through the webhook and the bot's handler: a Telegram-shaped charge.
    [update] = dev_on
    paid = update["message"]["successful_payment"]
    assert paid["telegram_payment_charge_id"] == f"dev-{body['id']}"
    assert (paid["currency"], paid["total_amount"], paid["invoice_payload"]) == (
        "XTR",
        40,
        body["id"],
    )
    charge = StarCharge.objects.get(pk=f"dev-{body['id']}")
    assert (charge.user_id, charge.stars, charge.source) == (user.tg_id, 40, "bot")
    assert credited(user) == (40, [f"topup:dev-{body['id']}"])
    # The thanks message could not go to Telegram: one quiet line, no error, no traceback.
    offline = [r for r in caplog.records if getattr(r, "event", "") == "bot_call_offline"]
    assert [r.method for r in offline] == ["sendMessage"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # /me tells the Mini App that it may offer the button.
    me = async_to_sync(AsyncClient().get)(
        "/api/v1/me", headers={"Authorization": f"Bearer {token_issue(tg_id=user.tg_id)}"}
    )
    assert me.json()["dev_payments"] is True
    assert me.json()["balance"] == 40


@pytest.mark.django_db(transaction=True)
def test_the_bot_thanks_the_player_when_a_bot_api_is_there(dev_on, make_user, fake_bot_api) -> None:
    user = make_user()
    assert complete(user, {"stars": 25}).status_code == 200
    [sent] = fake_bot_api.calls("sendMessage")
    assert int(sent["chat_id"]) == user.tg_id
    assert "25" in sent["text"]


@pytest.mark.django_db(transaction=True)
def test_repeating_the_request_or_the_update_credits_once(dev_on, make_user) -> None:
    user = make_user()
    first = complete(user, {"stars": 30})
    again = complete(user, {"stars": 30})
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len(dev_on) == 1  # already paid: nothing posted the second time
    # Telegram may deliver an update twice: the charge id keys the credit.
    update = dev_on[0]
    response = async_to_sync(AsyncClient().post)(
        "/telegram/webhook",
        json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 200
    assert credited(user) == (30, [f"topup:dev-{first.json()['id']}"])
    assert StarCharge.objects.filter(user_id=user.tg_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_credit_once(dev_on, make_user) -> None:
    user = make_user()
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def call() -> None:
        barrier.wait()
        try:
            statuses.append(complete(user, {"stars": 15}, "race-dev-key").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 200 in statuses
    assert set(statuses) <= {200, 409}  # 409 idempotency_in_flight while the first one runs
    [payment] = Payment.objects.filter(user_id=user.tg_id)
    assert payment.status == "paid"
    assert credited(user) == (15, [f"topup:{dev_charge_id(payment.id)}"])


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_charge_credit_once(dev_on, make_user) -> None:
    user = make_user()
    payment = invoice_create(
        user=user, purpose="topup", stars=12, preset_id=None, telegram_invoice=False
    )
    update = dev_apis.successful_payment_update(user=user, payment=payment)
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        barrier.wait()
        try:
            response = async_to_sync(AsyncClient().post)(
                "/telegram/webhook",
                json.dumps(update),
                content_type="application/json",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert credited(user) == (12, [f"topup:dev-{payment.id}"])


@pytest.mark.django_db(transaction=True)
def test_support_refunds_a_dev_charge_without_telegram(dev_on, make_user) -> None:
    user = make_user()
    payment_id = complete(user, {"stars": 18}).json()["id"]
    staff = make_user(is_staff=True)
    # Telegram is offline here: a refund that asked it would fail with refund_telegram_error.
    audit = support_refund_issue(charge_id=f"dev-{payment_id}", staff=staff, reason="test")
    assert audit.outcome == "refunded"
    assert balance_get(user_id=user.tg_id) == 0
    assert Payment.objects.get(pk=payment_id).status == "refunded"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("debug", "enabled"), [(False, True), (False, False), (True, False)], ids=str
)
def test_switched_off_is_404_and_changes_nothing(
    settings, webhook_posts, make_user, debug: bool, enabled: bool
) -> None:
    settings.DEBUG = debug
    settings.DEV_PAYMENTS_ENABLED = enabled
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    user = make_user()
    response = complete(user, {"stars": 40})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert webhook_posts == []
    assert not Payment.objects.filter(user_id=user.tg_id).exists()
    assert not IdempotencyRecord.objects.filter(user_id=user.tg_id).exists()
    assert credited(user) == (0, [])
    me = async_to_sync(AsyncClient().get)(
        "/api/v1/me", headers={"Authorization": f"Bearer {token_issue(tg_id=user.tg_id)}"}
    )
    assert me.json()["dev_payments"] is False


@pytest.mark.django_db
def test_the_service_refuses_without_dev_payments(settings, make_user) -> None:
    settings.DEV_PAYMENTS_ENABLED = False
    user = make_user()
    with pytest.raises(NotFoundError) as caught:
        invoice_create(
            user=user,
            purpose="topup",
            stars=10,
            preset_id=None,
            telegram_invoice=False,
        )
    assert caught.value.code == "not_found"
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("body", "key", "headers", "status", "code"),
    [
        ({"stars": 40}, None, {}, 400, "idempotency_key_required"),
        ({"stars": 40}, "bad key!", {}, 400, "idempotency_key_invalid"),
        ({"stars": 0}, "dev-key-0001", {}, 400, "validation_error"),
        ({"stars": "many"}, "dev-key-0001", {}, 400, "validation_error"),
        ({}, "dev-key-0001", {}, 400, "validation_error"),
        ("[1, 2]", "dev-key-0001", {}, 400, "validation_error"),
        ("{not json", "dev-key-0001", {}, 400, "validation_error"),
        ({"stars": 9_999_999}, "dev-key-0001", {}, 400, "amount_out_of_range"),
        ({"stars": 40}, "dev-key-0001", {"Authorization": ""}, 401, "not_authenticated"),
        ({"stars": 40}, "dev-key-0001", {"Authorization": "Bearer x.y.z"}, 401, None),
    ],
)
def test_bad_requests_are_4xx_and_change_nothing(
    dev_on, make_user, body, key, headers, status: int, code: str | None
) -> None:
    user = make_user()
    response = complete(user, body, key, **headers)
    assert response.status_code == status, response.content
    assert response.json()["code"] == (code or response.json()["code"])
    assert response.json()["message"]
    assert dev_on == []
    assert not Payment.objects.filter(user_id=user.tg_id).exists()
    assert credited(user) == (0, [])


@pytest.mark.django_db(transaction=True)
def test_blocked_players_get_nothing(dev_on, make_user) -> None:
    user = make_user(is_blocked=True)
    response = complete(user, {"stars": 40})
    assert response.status_code == 403
    assert response.json()["code"] == "user_blocked"
    assert dev_on == []
    assert not Payment.objects.filter(user_id=user.tg_id).exists()
    assert credited(user) == (0, [])


# --- through a real server ------------------------------------------------------------------------


def http(method: str, url: str, body: Any = None, **headers: str) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def server_env(debug: str) -> dict[str, str]:
    # As `make run` starts it: no bot token of its own, no webhook secret, Telegram's real address.
    return {
        "DJANGO_DEBUG": debug,
        "TELEGRAM_BOT_TOKEN": "",
        "TELEGRAM_WEBHOOK_SECRET": "",
        "TELEGRAM_API_BASE": DEFAULT_API_BASE,
    }


@pytest.mark.django_db(transaction=True)
def test_a_debug_uvicorn_posts_to_its_own_webhook_and_credits(make_user) -> None:
    user = make_user()
    auth = {"Authorization": f"Bearer {token_issue(tg_id=user.tg_id)}"}
    server = ServerProcess(env=server_env("1"))  # one worker: a deadlock would hang here
    try:
        status, me = http("GET", f"{server.base_url}/api/v1/me", **auth)
        assert (status, me["dev_payments"], me["balance"]) == (200, True, 0)
        for _ in range(2):
            status, body = http(
                "POST",
                server.base_url + URL,
                {"stars": 20},
                **auth,
                **{"Idempotency-Key": "key-server-0001"},
            )
            assert (status, body.get("status")) == (200, "paid"), body
        status, me = http("GET", f"{server.base_url}/api/v1/me", **auth)
        assert me["balance"] == 20
    finally:
        server.stop()
    assert credited(user) == (20, [f"topup:dev-{body['id']}"])
    log = server.log_path.read_text()
    assert "Traceback" not in log
    assert "webhook update failed" not in log
    assert "bot_call_offline" in log  # the bot's handler ran and skipped Telegram quietly


@pytest.mark.django_db(transaction=True)
def test_a_production_uvicorn_has_no_dev_payments(make_user) -> None:
    user = make_user()
    auth = {"Authorization": f"Bearer {token_issue(tg_id=user.tg_id)}"}
    server = ServerProcess(env=server_env("0"))
    try:
        status, body = http(
            "POST",
            server.base_url + URL,
            {"stars": 20},
            **auth,
            **{"Idempotency-Key": "key-server-0002"},
        )
        assert (status, body["code"]) == (404, "not_found")
        status, me = http("GET", f"{server.base_url}/api/v1/me", **auth)
        assert (status, me["dev_payments"]) == (200, False)
        # No secret was derived: the webhook stays switched off.
        status, body = http("POST", f"{server.base_url}/telegram/webhook", {"update_id": 1}, **auth)
        assert (status, body["code"]) == (404, "not_found")
    finally:
        server.stop()
    assert not Payment.objects.filter(user_id=user.tg_id).exists()
    assert credited(user) == (0, [])
