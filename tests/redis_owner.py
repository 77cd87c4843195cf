"""Which test run owns a Redis database (used by conftest.py and the benchmarks).

The tests and benches empty their Redis database before every test, so they may only use a
database that is empty or theirs. A marker key holds the owner (the checkout, set by `make test`)
and a heartbeat, refreshed by every test:

- no marker and no keys: free, taken;
- our marker: ours;
- another run's marker with a fresh heartbeat: that run is live — refuse;
- another run's marker whose heartbeat is older than ``STALE_AFTER`` (or a marker of the old
  format, without a heartbeat): that run is over or was killed; its leftovers are test data,
  so the database is taken over and emptied;
- keys but no marker: data no test run created (another app's) — refuse, never flushed.

A run also empties its database when it ends (``release``), so a finished run leaves nothing
behind for the next checkout that hashes to the same number (CI's clone, a second worktree).

A test may empty the database itself (``cache.clear()`` is a FLUSHDB) and write again, leaving
keys without a marker: a run that already ``held`` the database says so, and such keys count as
its own — on the next claim and at release.
"""

from __future__ import annotations

import time

import redis

OWNER_KEY = "chancetap:test-run-owner"
STALE_AFTER = 15 * 60  # seconds without a test in that run: no single test takes this long


class NotOursError(Exception):
    """The database holds someone else's data; the message says whose and what to do."""


def _parse(raw: bytes | str | None) -> tuple[str | None, float]:
    if raw is None:
        return None, 0.0
    text = raw.decode() if isinstance(raw, bytes) else raw
    owner, _, beat = text.rpartition("|")
    if not owner:  # the old format: the owner alone, no heartbeat
        return text, 0.0
    try:
        return owner, float(beat)
    except ValueError:
        return text, 0.0


def claim(
    url: str, owner: str, *, flush: bool = False, held: bool = False, now: float | None = None
) -> None:
    """Make the database at ``url`` ours (or raise NotOursError); empty it first when ``flush``.

    ``held``: this run claimed it before (keys without a marker are its own tests' writes)."""
    now = time.time() if now is None else now
    client = redis.Redis.from_url(url)
    try:
        holder, beat = _parse(client.get(OWNER_KEY))
        if holder is None and not held and client.dbsize() > 0:
            raise NotOursError(
                f"Redis {url} holds data that no test run created; the tests empty their "
                "database before each test. Pick another one (TEST_REDIS_DB=N make test, or "
                "REDIS_URL=...)."
            )
        if holder is not None and holder != owner:
            if now - beat < STALE_AFTER:
                raise NotOursError(
                    f"Redis {url} belongs to the test run of {holder}, which ran a test "
                    f"{int(now - beat)} s ago; pick another database (TEST_REDIS_DB=N make test)."
                )
            flush = True  # an abandoned run's test data
        if flush:
            client.flushdb()
        client.set(OWNER_KEY, f"{owner}|{now:.0f}")
    finally:
        client.close()


def release(url: str, owner: str) -> None:
    """At the end of a run that held the database: empty it unless another run took it over."""
    client = redis.Redis.from_url(url)
    try:
        holder, _ = _parse(client.get(OWNER_KEY))
        if holder in (owner, None):  # None: our last test emptied it and wrote again
            client.flushdb()
    finally:
        client.close()
