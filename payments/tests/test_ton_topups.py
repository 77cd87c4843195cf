"""TON top-ups confirmed through a fake toncenter-compatible API on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache

from payments.ledger import balance_get, ledger_mismatches
from payments.models import TonTopup
from payments.tasks import ton_poll_task

pytestmark = pytest.mark.django_db
RECEIVER = "UQCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq5jh"


class FakeToncenter:
    def __init__(self) -> None:
        self.transactions: list[dict] = []
        self.requests: list[dict] = []
        self.fail = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                api.requests.append(
                    {
                        "path": parts.path,
                        **{k: v[0] for k, v in parse_qs(parts.query).items()},
                        "key": self.headers.get("X-API-Key"),
                    }
                )
                if api.fail:
                    body, status = b'{"ok": false, "error": "rate limit"}', 429
                else:
                    body, status = (
                        json.dumps({"ok": True, "result": api.transactions}).encode(),
                        200,
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_transfer(self, tx_hash: str, comment: str, value_nano: int) -> None:
        self.transactions.insert(
            0,
            {
                "transaction_id": {"lt": str(len(self.transactions) + 1), "hash": tx_hash},
                "utime": 1_700_000_000,
                "in_msg": {
                    "source": "EQsender",
                    "destination": RECEIVER,
                    "value": str(value_nano),
                    "message": comment,
                },
            },
        )


@pytest.fixture
def toncenter(settings):
    api = FakeToncenter()
    settings.TON_API_BASE = api.base
    settings.TON_RECEIVER_ADDRESS = RECEIVER
    settings.TON_API_KEY = "ton-key"
    settings.TON_NANO_PER_STAR = 5_000_000
    yield api
    api.server.shutdown()


def order(client, stars=40, key="ton-order-0001"):
    response = client.post(
        "/api/v1/payments/ton/topups", {"stars": stars}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_transfer_with_the_comment_is_credited_once(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client)
    assert topup["amount_nano"] == str(40 * 5_000_000)
    assert topup["address"] == RECEIVER
    assert topup["comment"].startswith("CT-")
    assert topup["payload"]  # a base64 comment cell for TON Connect
    assert (
        client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check").json()["status"]
        == "created"
    )

    toncenter.add_transfer("hashA=", "unrelated", 10**9)
    toncenter.add_transfer("hashB=", topup["comment"], 40 * 5_000_000)
    cache.clear()  # the per-user check throttle (5 s) has passed
    checked = client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check")
    assert checked.json()["status"] == "paid"
    assert balance_get(user_id=user.tg_id) == 40
    assert ton_poll_task.apply().get() == 0  # seen again: nothing more
    assert balance_get(user_id=user.tg_id) == 40
    assert toncenter.requests[-1]["address"] == RECEIVER
    assert toncenter.requests[-1]["key"] == "ton-key"
    assert ledger_mismatches() == []


def test_underpaid_transfer_is_not_credited(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client, stars=10)
    toncenter.add_transfer("hashC=", topup["comment"], 10 * 5_000_000 - 1)
    assert ton_poll_task.apply().get() == 0
    assert balance_get(user_id=user.tg_id) == 0


def test_late_transfer_for_an_expired_order_is_still_credited(auth_client, toncenter) -> None:
    from django.utils import timezone

    client, user = auth_client()
    topup = order(client, stars=3)
    TonTopup.objects.filter(pk=topup["id"]).update(expires_at=timezone.now())
    ton_poll_task.apply()
    assert TonTopup.objects.get(pk=topup["id"]).status == "expired"
    toncenter.add_transfer("hashD=", topup["comment"], 3 * 5_000_000)
    assert ton_poll_task.apply().get() == 1
    assert balance_get(user_id=user.tg_id) == 3


def test_api_down_is_reported_and_changes_nothing(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client)
    toncenter.fail = True
    response = client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check")
    assert (response.status_code, response.json()["code"]) == (502, "ton_api_unavailable")
    assert ton_poll_task.apply().get() == 0
    assert balance_get(user_id=user.tg_id) == 0


def test_orders_are_private_and_validated(auth_client, toncenter, settings) -> None:
    client, _ = auth_client()
    topup = order(client)
    other, _ = auth_client()
    assert other.get(f"/api/v1/payments/ton/topups/{topup['id']}").status_code == 404
    assert order(client, key="ton-order-0001") == topup  # replay
    bad = client.post(
        "/api/v1/payments/ton/topups", {"stars": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k-000001"
    )
    assert bad.json()["code"] == "validation_error"
    settings.TON_RECEIVER_ADDRESS = ""
    off = client.post(
        "/api/v1/payments/ton/topups", {"stars": 5}, format="json", HTTP_IDEMPOTENCY_KEY="k-000002"
    )
    assert (off.status_code, off.json()["code"]) == (503, "ton_unavailable")
