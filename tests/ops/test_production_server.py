"""Production parity: the server as production runs it — uvicorn with two worker processes,
``DEBUG`` off, the default connection pool — under concurrent mixed API traffic answers no 5xx and
holds a bounded number of PostgreSQL connections (read from ``pg_stat_activity``)."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.tokens import token_issue
from tests.server import ServerProcess

WORKERS = 2
POOL_MAX = 10  # DATABASE_POOL_MAX_SIZE's default (chancetap/settings.py)
REQUESTS = 1000
CONCURRENCY = 32  # more than one process's pool: requests must wait for a connection, not open one


def _backends(database: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_production_server_bounds_connections_and_never_answers_5xx(make_user) -> None:
    from rooms.models import RoomTier

    for position, stars in enumerate((20, 50, 100)):
        RoomTier.objects.get_or_create(stars=stars, defaults={"position": position})
    users = [make_user() for _ in range(20)]
    tokens = [token_issue(tg_id=user.tg_id) for user in users]
    database = connection.settings_dict["NAME"]
    baseline = _backends(database)

    server = ServerProcess(workers=WORKERS, env={"LOG_LEVEL": "WARNING"})
    try:
        paths = [
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
        plan = list(
            zip(itertools.islice(itertools.cycle(paths), REQUESTS), itertools.cycle(tokens))
        )
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _backends(database) - baseline)
                time.sleep(0.05)
            connection.close()

        def call(item: tuple[str, str]) -> None:
            path, token = item
            request = urllib.request.Request(
                server.base_url + path, headers={"Authorization": f"Bearer {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
                    if path.startswith("/api/"):
                        json.loads(response.read())
            except urllib.error.HTTPError as exc:
                status = exc.code
            with lock:
                statuses[status] += 1

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with ThreadPoolExecutor(CONCURRENCY) as executor:
                list(executor.map(call, plan))
        finally:
            done.set()
            sampler.join()
        with urllib.request.urlopen(server.base_url + "/readyz", timeout=10) as response:
            ready = json.loads(response.read())
    finally:
        server.stop()

    assert sum(statuses.values()) == REQUESTS
    assert not [code for code in statuses if code >= 500], statuses
    assert statuses[200] >= REQUESTS * 0.9, statuses
    # Every process borrows from its own pool: never more than the pools hold (+ a little slack
    # for the readiness probe's own checks).
    assert 0 < peak <= WORKERS * POOL_MAX + 2, peak
    # /readyz reports the answering process's pool (its saturation is what an operator watches).
    pool = ready["database_pool"]
    assert pool["max_size"] == POOL_MAX
    assert 1 <= pool["size"] <= POOL_MAX
    assert pool["saturated"] in (0, 1)
