"""Acceptance: after a scripted session ``/metrics`` shows every metric moving.

The session logs in, creates an invoice, applies its payment through the Telegram webhook (and one
refused charge), reads a leaderboard twice, refreshes the rate from a local HTTP source through
the Celery task, runs the ledger check over a tampered wallet, attaches a referral and reports a
WebSocket reconnect. Each metric named below must have grown between a scrape before and after.

To extend: add the metric's family name to ``SESSION_METRICS`` (and drive it in the session).
The session plays a room over WebSockets (taps accepted, a packet refused, a cheater flagged);
the open-connection gauge is read while the sockets are open.
"""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import connections
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from accounts.models import User
from payments.models import Balance, RateSettings
from payments.tasks import ledger_check_task, refresh_rate_task
from payments.tests.test_rates import RateSource
from referrals.services import referral_code_for
from rooms.tests.test_consumer import connect, next_of, now_ms, seated_room

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "ops-hook-secret-1"

SESSION_METRICS = (
    # django-prometheus
    "django_http_requests_total_by_method",
    "django_http_responses_total_by_status_view_method",
    "django_http_requests_latency_seconds_by_view_method",
    "django_db_new_connections",
    "django_db_execute",
    "django_db_query_duration_seconds",
    "django_cache_get",
    "django_cache_get_hits",
    "django_cache_get_misses",
    # ours
    "chancetap_logins",
    "chancetap_auth_failures",
    "chancetap_api_request_duration_seconds",
    "chancetap_api_responses",
    "chancetap_payments",
    "chancetap_payment_apply_failures",
    "chancetap_leaderboard_cache",
    "chancetap_rate_refresh",
    "chancetap_celery_tasks",
    "chancetap_celery_task_duration_seconds",
    "chancetap_ledger_checks",
    "chancetap_ledger_mismatches",
    "chancetap_referral_attaches",
    "chancetap_ws_reconnect_duration_seconds",
    "chancetap_ws_messages",
    "chancetap_taps",
    "chancetap_cheaters_flagged",
)


def scrape(client) -> dict[str, float]:
    """Family name → the sum of its counts (counter totals, histogram counts, gauge values)."""
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200, response.content
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        total = 0.0
        for sample in family.samples:
            counted = {"counter": "_total", "histogram": "_count", "gauge": ""}.get(family.type)
            if counted is not None and sample.name.endswith(counted):
                total += sample.value
        totals[family.name] = total
    return totals


def webhook(client, update: dict) -> None:
    response = client.post(
        "/telegram/webhook",
        json.dumps({"update_id": int(time.time() * 1000) % 2**31, **update}),
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
    )
    assert response.status_code == 200, response.content


def successful_payment(tg_id: int, payload: str, stars: int, charge: str, currency="XTR") -> dict:
    return {
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": tg_id, "type": "private"},
            "from": {"id": tg_id, "is_bot": False, "first_name": "Ops", "language_code": "en"},
            "successful_payment": {
                "currency": currency,
                "total_amount": stars,
                "invoice_payload": payload,
                "telegram_payment_charge_id": charge,
                "provider_payment_charge_id": "",
            },
        }
    }


async def play_room(make_user, scrape_now) -> float:
    """Two players: one taps and sends a bad packet, the other cheats. Returns the open-socket
    gauge read while both are connected."""
    (a, b), room = await database_sync_to_async(seated_room)(make_user)
    ws_a, ws_b = await connect(a, room.pk), await connect(b, room.pk)
    try:
        await next_of(ws_a, "state")
        await next_of(ws_b, "state")
        await ws_a.send_json_to({"type": "taps", "count": 5, "timestamp": now_ms()})
        assert (await next_of(ws_a, "ack"))["taps"] == 5
        await ws_a.send_json_to({"type": "taps", "count": 21, "timestamp": now_ms()})
        assert (await next_of(ws_a, "error"))["code"] == "tap_count_invalid"
        for i in range(3):  # 60 taps within a second
            await ws_b.send_json_to({"type": "taps", "count": 20, "timestamp": now_ms() + i})
        assert (await next_of(ws_b, "error"))["code"] == "cheater_flagged"
        await next_of(ws_a, "progress")
        gauge = (await database_sync_to_async(scrape_now)())["chancetap_ws_connections"]
    finally:
        await ws_a.disconnect()
        await ws_b.disconnect()
    return gauge


def test_scripted_session_moves_every_metric(
    client, settings, signed_init_data, fake_bot_api, make_user, next_tg_id
) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    before = scrape(client)
    source = RateSource()
    source.body = json.dumps({"price": "2.5"})
    try:
        RateSettings.objects.update_or_create(
            pk=1, defaults={"source": "http", "http_url": source.url, "http_json_path": "price"}
        )
        referrer = make_user()
        api = APIClient()

        # login (and one refused login)
        tg_id = next_tg_id()
        login = api.post(
            "/api/v1/auth/telegram",
            {"init_data": signed_init_data(tg_id=tg_id)},
            format="json",
        )
        assert login.status_code == 200, login.content
        refused = api.post("/api/v1/auth/telegram", {"init_data": "hash=00"}, format="json")
        assert refused.status_code in (400, 401)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['token']}")

        # referral by code, right after joining
        attach = api.post(
            "/api/v1/referrals/attach",
            {"code": referral_code_for(tg_id=referrer.tg_id)},
            format="json",
        )
        assert attach.status_code == 200, attach.content

        # invoice → payment applied through the webhook; one charge refused
        invoice = api.post(
            "/api/v1/payments/invoices",
            {"purpose": "topup", "stars": 25},
            format="json",
            HTTP_IDEMPOTENCY_KEY="ops-session-0001",
        )
        assert invoice.status_code == 201, invoice.content
        payment_id = invoice.json()["id"]
        webhook(client, successful_payment(tg_id, payment_id, 25, "ops-charge-1"))
        webhook(client, successful_payment(tg_id, payment_id, 25, "ops-charge-2", "USD"))
        assert Balance.objects.get(user_id=tg_id).stars == 25

        # leaderboard read (miss, then hit)
        for _ in range(2):
            board = api.get("/api/v1/leaderboards/donations/week")
            assert board.status_code == 200, board.content

        # rate refresh and ledger check through Celery tasks; the check finds a tampered wallet
        assert refresh_rate_task.apply().get() == "2.5"
        Balance.objects.filter(user_id=tg_id).update(stars=26)
        assert ledger_check_task.apply().get() == 1
        Balance.objects.filter(user_id=tg_id).update(stars=25)

        # a room played over WebSockets: taps counted, a bad packet refused, a cheater flagged
        open_sockets = async_to_sync(play_room)(make_user, lambda: scrape(client))
        assert open_sockets >= 2

        # the Mini App reports a reconnect
        report = api.post("/api/v1/telemetry/ws-reconnect", {"duration_ms": 6200}, format="json")
        assert report.status_code == 204
    finally:
        source.stop()
        connections.close_all()

    after = scrape(client)
    missing = [name for name in SESSION_METRICS if name not in after]
    assert not missing, f"not exported: {missing}"
    unmoved = [name for name in SESSION_METRICS if after[name] <= before.get(name, 0.0)]
    assert not unmoved, (
        f"did not move in the session: {[(n, before.get(n), after[n]) for n in unmoved]}"
    )
    assert User.objects.get(tg_id=tg_id).referrer_id == referrer.tg_id


def test_backup_status_is_exported_by_the_web_process(client) -> None:
    """The backup runs in the worker; /metrics of any web process reports it (shared cache)."""
    from chancetap.backups.services import BackupResult, backup_success_record

    assert "chancetap_backup_last_success_timestamp_seconds" not in scrape(client)
    started = time.time()
    backup_success_record(
        BackupResult(
            name="20261203T000000.000Z-chancetap.dump",
            key="logical/20261203T000000.000Z-chancetap.dump",
            size_bytes=1234,
            sha256="0" * 64,
            duration_seconds=2.5,
            deleted=[],
        )
    )
    after = scrape(client)
    assert after["chancetap_backup_last_success_timestamp_seconds"] >= started
    assert after["chancetap_backup_last_size_bytes"] == 1234
