"""Issue #12: with PostgreSQL partitioned away (connections open, no byte gets through), /readyz
of a production-configured server fails within 2 s — repeatedly, without piling up threads — while
/healthz stays up; when the network heals, it is ready again."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.server import ServerProcess, child_database_url
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, body = response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        status, body = exc.code, json.loads(exc.read() or b"{}")
    return status, body, time.monotonic() - started


def test_readyz_fails_fast_when_the_database_is_partitioned() -> None:
    db = connection.settings_dict
    proxy = TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
    url = child_database_url().replace(f":{db.get('PORT') or 5432}/", f":{proxy.port}/")
    server = ServerProcess(env={"DATABASE_URL": url})
    try:
        status, body, _ = _get(f"{server.base_url}/readyz")
        assert status == 200, body
        proxy.freeze()
        for _ in range(3):
            status, body, took = _get(f"{server.base_url}/readyz")
            assert status == 503, body
            assert body["details"]["failing"] == ["database"]
            assert took < 2.0, took
            assert _get(f"{server.base_url}/healthz")[0] == 200  # the process itself is fine
        proxy.restore()
        deadline = time.monotonic() + 30
        while _get(f"{server.base_url}/readyz")[0] != 200:
            assert time.monotonic() < deadline, "not ready again after the partition healed"
            time.sleep(0.5)
    finally:
        server.stop()
        proxy.stop()
