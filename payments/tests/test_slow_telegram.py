"""Issue #12: Telegram is called with no database transaction or lock held. With createInvoiceLink
answering after 10 s, 50 concurrent invoice requests to a production-configured server (uvicorn,
the pool) leave no connection "idle in transaction", do not exhaust the pool, and all get their
link; a link Telegram failed to give is asked for again by the same request (Idempotency-Key)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from accounts.tokens import token_issue
from payments.models import Payment
from tests.server import ServerProcess

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 50
TELEGRAM_SECONDS = 10


def _invoice(base: str, tg_id: int, key: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{base}/api/v1/payments/invoices",
        data=json.dumps({"purpose": "topup", "stars": 25}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token_issue(tg_id=tg_id)}",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _states(database: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(state, ''), count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY 1",
            [database],
        )
        return {state: int(n) for state, n in cursor.fetchall()}


def test_a_slow_telegram_holds_no_transaction_and_no_connection(make_user, fake_bot_api) -> None:
    users = [make_user() for _ in range(REQUESTS)]
    fake_bot_api.delay("createInvoiceLink", TELEGRAM_SECONDS)
    server = ServerProcess(env={"LOG_LEVEL": "WARNING"})
    database = connection.settings_dict["NAME"]
    in_transaction = 0
    busiest = 0
    done = threading.Event()

    def sample() -> None:
        """While every request waits on Telegram (all 50 calls made, none answered yet)."""
        nonlocal in_transaction, busiest
        while len(fake_bot_api.calls("createInvoiceLink")) < REQUESTS and not done.is_set():
            time.sleep(0.05)
        window_ends = time.monotonic() + TELEGRAM_SECONDS - 3
        while not done.is_set() and time.monotonic() < window_ends:
            states = _states(database)
            in_transaction = max(in_transaction, states.get("idle in transaction", 0))
            busiest = max(busiest, sum(states.values()))
            time.sleep(0.1)
        connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(REQUESTS) as pool:
            answers = list(
                pool.map(lambda u: _invoice(server.base_url, u.tg_id, f"slow-{u.tg_id}"), users)
            )
        elapsed = time.monotonic() - started
    finally:
        done.set()
        sampler.join()
        server.stop()
    assert [status for status, _ in answers] == [201] * REQUESTS, answers[:3]
    assert all(body["invoice_link"].startswith("https://") for _, body in answers)
    assert in_transaction == 0
    # While all 50 wait on Telegram, nobody holds a connection: far fewer than one per request
    # (the pool keeps its minimum open, the sampler and pytest hold theirs).
    assert busiest <= 10 + 3, busiest
    assert elapsed < TELEGRAM_SECONDS * 3  # side by side, not in a queue (that would be 50 × 10 s)


def test_a_link_telegram_did_not_give_is_asked_for_again(auth_client, fake_bot_api) -> None:
    client, user = auth_client()
    fake_bot_api.fail_next("createInvoiceLink", 500, "Internal Server Error")
    body = {"purpose": "topup", "stars": 30}
    failed = client.post(
        "/api/v1/payments/invoices", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-0001"
    )
    assert failed.status_code == 502
    assert failed.json()["code"] == "invoice_unavailable"
    payment = Payment.objects.get(user=user)
    assert payment.invoice_link == ""  # created, not payable yet …
    assert client.get("/api/v1/payments/pending").json() == []  # … so nobody offers it
    again = client.post(
        "/api/v1/payments/invoices", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-0001"
    )
    assert again.status_code == 201
    assert again.json()["id"] == str(payment.pk)
    assert again.json()["invoice_link"].startswith("https://")
    assert Payment.objects.filter(user=user).count() == 1
    assert [p["id"] for p in client.get("/api/v1/payments/pending").json()] == [str(payment.pk)]
