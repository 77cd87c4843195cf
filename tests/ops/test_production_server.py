"""Production parity: the server as production runs it — uvicorn with two worker processes,
``DEBUG`` off, the default connection pool, connected as the row-level-security role
``chancetap_app``, the webhook switched on, a Celery worker for the room timers — under concurrent
load of 1 000 mixed API requests, 20 WebSocket games of ten players and Telegram payments through
the webhook answers no 5xx, moves every Star once, and holds a bounded number of PostgreSQL
connections (read from ``pg_stat_activity``)."""

from __future__ import annotations

import itertools
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from accounts.tokens import token_issue
from chancetap import rls
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry, Payment
from rooms.models import Room, RoomTier
from tests.ops.traffic import (
    Statuses,
    http_call,
    payments_through_webhook,
    play_games,
    shorten_games,
)
from tests.server import ServerProcess, celery_worker_start, child_database_url

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 2
POOL_MAX = 10  # DATABASE_POOL_MAX_SIZE's default (chancetap/settings.py)
REQUESTS = 1000
CONCURRENCY = 32  # more than one process's pool: requests must wait for a connection, not open one
GAMES = 20
PAYMENTS = 20
CELERY_CONNECTIONS = 1  # the solo worker: one while a task runs (closed after each task)
WEB_APP = "chancetap-web-under-test"
WORKER_APP = "chancetap-worker-under-test"
SECRET = "production-tier-hook-secret"
PATHS = [
    "/api/v1/me",
    "/api/v1/rooms/tiers",
    "/api/v1/rooms/current",
    "/api/v1/rooms/history",
    "/api/v1/payments/ledger",
    "/api/v1/payments/presets",
    "/api/v1/payments/pending",
    "/api/v1/leaderboards/donations/all-time",
    "/api/v1/leaderboards/donations/week",
    "/api/v1/leaderboards/games/today",
    "/api/v1/referrals",
    "/api/v1/bonus",
    "/readyz",
    "/",
]


def _backends(database: str) -> Counter[str]:
    """Connections to the test database by application name (the processes under test name
    theirs; everything else is this test's own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY application_name",
            [database],
        )
        return Counter({name: int(n) for name, n in cursor.fetchall()})


def _api_load(base: str, tokens: list[str], statuses: Statuses) -> None:
    plan = list(zip(itertools.islice(itertools.cycle(PATHS), REQUESTS), itertools.cycle(tokens)))

    def call(item: tuple[str, str]) -> None:
        path, token = item
        status, _ = http_call(base, "GET", path, headers={"Authorization": f"Bearer {token}"})
        statuses.add("api", status)

    with ThreadPoolExecutor(CONCURRENCY) as executor:
        list(executor.map(call, plan))


def test_production_server_under_load(make_user, fake_bot_api, tmp_path) -> None:
    tier, _ = RoomTier.objects.get_or_create(stars=20, defaults={"position": 0})
    for position, stars in enumerate((50, 100), start=1):
        RoomTier.objects.get_or_create(stars=stars, defaults={"position": position})
    readers = [make_user() for _ in range(20)]
    tokens = [token_issue(tg_id=user.tg_id) for user in readers]
    players = [make_user() for _ in range(GAMES * 10)]
    with transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(p.tg_id, LedgerEntry.Kind.ADJUSTMENT, 100, f"prod-tier-fund:{p.tg_id}")
                for p in players
            ]
        )
    payers = [(user.tg_id, token_issue(tg_id=user.tg_id)) for user in readers[:PAYMENTS]]
    database = connection.settings_dict["NAME"]

    worker_db = child_database_url(role=rls.APP_DB_ROLE, application_name=WORKER_APP)
    worker = celery_worker_start(
        f"prod-tier-worker-{tier.pk}", tmp_path / "beat", {"DATABASE_URL": worker_db}
    )
    server = None
    try:
        server = ServerProcess(
            workers=WORKERS,
            env={
                "LOG_LEVEL": "WARNING",
                "DATABASE_URL": child_database_url(role=rls.APP_DB_ROLE, application_name=WEB_APP),
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
            },
        )
        base = server.base_url
        statuses = Statuses()
        peak: Counter[str] = Counter()
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak.update(
                    {
                        name: n - peak[name]
                        for name, n in _backends(database).items()
                        if n > peak[name]
                    }
                )
                time.sleep(0.05)
            connection.close()

        sampler = threading.Thread(target=sample)
        shortener = threading.Thread(target=shorten_games, args=(done,))
        sampler.start()
        shortener.start()
        try:
            with ThreadPoolExecutor(3) as load:
                games = load.submit(
                    play_games, [base], tier.pk, [p.tg_id for p in players], statuses
                )
                api = load.submit(_api_load, base, tokens, statuses)
                paid = load.submit(payments_through_webhook, base, base, payers, statuses, SECRET)
                results = games.result()
                api.result()
                paid.result()
        finally:
            done.set()
            sampler.join()
            shortener.join()
        _, ready = http_call(base, "GET", "/readyz")
    finally:
        if server is not None:
            server.stop()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    handshakes = sorted(statuses.handshakes)
    print(
        f"websocket handshakes under load: p50 {handshakes[len(handshakes) // 2]:.2f} s, "
        f"max {handshakes[-1]:.2f} s; peak connections {dict(peak)}"
    )
    # No 5xx anywhere, and every kind of request did its job.
    assert statuses.server_errors() == {}, statuses.counts
    assert sum(n for (kind, _), n in statuses.counts.items() if kind == "api") == REQUESTS
    assert statuses.counts[("api", 200)] >= REQUESTS * 0.9, statuses.counts
    assert statuses.counts[("join", 201)] == GAMES * 10, statuses.counts
    assert statuses.counts[("webhook", 200)] == 2 * PAYMENTS, statuses.counts
    # The only refused taps are the last ones of a game that has just ended.
    refused = {kind for kind, _ in statuses.counts if kind.startswith("ws_error:")}
    assert refused <= {"ws_error:room_not_playing"}, statuses.counts

    # 20 games played to the end: one winner each, every player told so, one prize per room.
    assert len(results) == GAMES * 10
    rooms = Room.objects.filter(seats__user__in=players).distinct()
    assert rooms.count() == GAMES
    assert set(rooms.values_list("phase", flat=True)) == {Room.Phase.FINISHED}
    assert all(frame["type"] == "finished" for frame in results.values())
    for room in rooms:
        assert {r["winner_id"] for r in results.values() if r["room_id"] == room.pk} == {
            room.winner_id
        }
    prizes = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIZE, cause_type="room")
    assert prizes.count() == GAMES

    # Every payment credited exactly once though the webhook saw it twice.
    assert Payment.objects.filter(user_id__in=[tg for tg, _ in payers]).count() == PAYMENTS
    for n, (tg_id, _) in enumerate(payers):
        assert balance_get(user_id=tg_id) == 25 + n
    assert ledger_mismatches() == []

    # Every web process borrows from its own pool: never more than the pools hold. The Celery
    # worker is not pooled: a connection per task slot, only while a task runs.
    assert 0 < peak[WEB_APP] <= WORKERS * POOL_MAX, peak
    assert 0 < peak[WORKER_APP] <= CELERY_CONNECTIONS, peak
    pool = ready["database_pool"]
    assert pool["max_size"] == POOL_MAX
    assert 1 <= pool["size"] <= POOL_MAX
    assert pool["saturated"] in (0, 1)
