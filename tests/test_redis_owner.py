"""The Redis ownership rules that keep test runs from flushing each other's (or an app's) data."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings

from tests.redis_owner import OWNER_KEY, STALE_AFTER, NotOursError, claim, release

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs the test run's Redis")
OURS = "owner-under-test"


@pytest.fixture
def db() -> Iterator[redis.Redis]:
    """The run's own database, handed back to the run (emptied, its marker restored) after."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        from conftest import _OWNER

        claim(settings.REDIS_URL, _OWNER)
        client.close()


def test_an_empty_database_is_taken_with_a_heartbeat(db: redis.Redis) -> None:
    claim(settings.REDIS_URL, OURS, now=1_000_000.0)
    assert db.get(OWNER_KEY) == f"{OURS}|1000000".encode()


def test_data_without_a_marker_is_never_flushed(db: redis.Redis) -> None:
    db.set("someone-elses-app:key", "1")
    with pytest.raises(NotOursError, match="no test run created"):
        claim(settings.REDIS_URL, OURS, flush=True)
    assert db.get("someone-elses-app:key") == b"1"


def test_a_live_run_keeps_its_database(db: redis.Redis) -> None:
    db.set(OWNER_KEY, f"/other/checkout|{time.time():.0f}")
    db.set("their:key", "1")
    with pytest.raises(NotOursError, match="/other/checkout"):
        claim(settings.REDIS_URL, OURS, flush=True)
    assert db.get("their:key") == b"1"


@pytest.mark.parametrize(
    "marker",
    [f"/other/checkout|{time.time() - STALE_AFTER - 1:.0f}", "/tmp/old-format-marker"],
    ids=["stale-heartbeat", "old-format"],
)
def test_an_abandoned_run_is_taken_over_and_emptied(db: redis.Redis, marker: str) -> None:
    db.set(OWNER_KEY, marker)
    db.set("their:key", "1")
    claim(settings.REDIS_URL, OURS)
    assert db.get("their:key") is None
    held = db.get(OWNER_KEY)
    assert isinstance(held, bytes)
    assert held.startswith(f"{OURS}|".encode())


def test_release_empties_only_our_own_database(db: redis.Redis) -> None:
    claim(settings.REDIS_URL, OURS)
    db.set("our:key", "1")
    release(settings.REDIS_URL, "/not/the/owner")
    assert db.dbsize() == 2
    release(settings.REDIS_URL, OURS)
    assert db.dbsize() == 0


def test_a_run_that_held_it_owns_what_its_tests_wrote_after_emptying_it(db: redis.Redis) -> None:
    """A test's ``cache.clear()`` is a FLUSHDB: the marker goes, the test writes again."""
    claim(settings.REDIS_URL, OURS)
    db.flushdb()
    db.set("chancetap:1:rate:v1", "1")
    with pytest.raises(NotOursError, match="no test run created"):
        claim(settings.REDIS_URL, "/another/checkout")
    claim(settings.REDIS_URL, OURS, flush=True, held=True)
    assert db.get("chancetap:1:rate:v1") is None
    held = db.get(OWNER_KEY)
    assert isinstance(held, bytes)
    assert held.startswith(f"{OURS}|".encode())


def test_release_empties_what_the_last_test_left_without_a_marker(db: redis.Redis) -> None:
    claim(settings.REDIS_URL, OURS)
    db.flushdb()
    db.set("chancetap:1:rate:v1", "1")
    release(settings.REDIS_URL, OURS)
    assert db.dbsize() == 0
