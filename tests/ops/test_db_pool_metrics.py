"""The database pool's gauges and timeout counter, from real uvicorn processes as production runs
them (``DEBUG`` off, the default pool), scraped with the metrics token."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from accounts.tokens import token_issue
from tests.server import ServerProcess

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "metrics-token-for-the-pool-test"
POOL = (
    "chancetap_db_pool_connections",
    "chancetap_db_pool_idle_connections",
    "chancetap_db_pool_waiting_requests",
    "chancetap_db_pool_max_connections",
)


def get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return 5031 if exc.code == 503 and b'"service_busy"' in body else exc.code


def pool_metrics(base_url: str) -> dict[str, float]:
    request = urllib.request.Request(
        f"{base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in (*POOL, "chancetap_db_pool_timeouts_total"):
                values[sample.name] = sample.value
    return values


def test_pool_gauges_of_a_production_server(make_user) -> None:
    token = token_issue(tg_id=make_user().tg_id)
    server = ServerProcess(env={"METRICS_TOKEN": TOKEN, "LOG_LEVEL": "WARNING"})
    try:
        with ThreadPoolExecutor(8) as executor:
            statuses = list(
                executor.map(lambda _: get(f"{server.base_url}/api/v1/me", token), range(40))
            )
        assert statuses == [200] * 40
        # The token is required, even from loopback.
        assert get(f"{server.base_url}/metrics", "wrong") == 403
        values = pool_metrics(server.base_url)
    finally:
        server.stop()
    assert set(POOL) <= set(values), values
    assert values["chancetap_db_pool_max_connections"] == 10  # DATABASE_POOL_MAX_SIZE's default
    assert 1 <= values["chancetap_db_pool_connections"] <= 10
    assert (
        0 <= values["chancetap_db_pool_idle_connections"] <= values["chancetap_db_pool_connections"]
    )
    assert values["chancetap_db_pool_waiting_requests"] == 0  # nothing in flight but the scrape
    assert values["chancetap_db_pool_timeouts_total"] == 0


def test_timeouts_are_counted_and_two_processes_summed(make_user, tmp_path) -> None:
    """Two workers sharing PROMETHEUS_MULTIPROC_DIR, each with a one-connection pool and a
    50 ms timeout: concurrent requests queue, get 503 service_busy, and every one is counted."""
    tokens = [token_issue(tg_id=make_user().tg_id) for _ in range(8)]
    server = ServerProcess(
        workers=2,
        env={
            "METRICS_TOKEN": TOKEN,
            "LOG_LEVEL": "ERROR",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
            "DATABASE_POOL_MIN_SIZE": "1",
            "DATABASE_POOL_MAX_SIZE": "1",
            "DATABASE_POOL_TIMEOUT": "0.05",
        },
    )
    try:
        with ThreadPoolExecutor(32) as executor:
            statuses = list(
                executor.map(
                    lambda i: get(f"{server.base_url}/api/v1/me", tokens[i % len(tokens)]),
                    range(400),
                )
            )
        busy = statuses.count(5031)
        assert busy >= 1, statuses
        assert set(statuses) <= {200, 5031}, statuses
        # The other worker writes its numbers every few seconds: wait for them to settle.
        deadline = time.monotonic() + 20
        while True:
            values = pool_metrics(server.base_url)
            settled = (
                values.get("chancetap_db_pool_timeouts_total", 0) >= busy
                and values["chancetap_db_pool_waiting_requests"] == 0
                and values["chancetap_db_pool_max_connections"] == 2
            )
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        server.stop()
    # Both workers served (their one-connection pools are summed) and no refusal went uncounted.
    assert values["chancetap_db_pool_max_connections"] == 2, values
    assert 1 <= values["chancetap_db_pool_connections"] <= 2, values
    assert values["chancetap_db_pool_timeouts_total"] == busy, (values, busy)
