"""``/healthz`` (process up) and ``/readyz`` (database and, when configured, Redis reachable)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    """A connection of its own (never the pool: a pool lent out under load is busy, not down),
    opened, asked ``SELECT 1`` and closed."""
    if connection.vendor != "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:
            return str(exc) or exc.__class__.__name__
        return None
    import psycopg

    params = connection.get_connection_params()
    params["connect_timeout"] = max(1, int(READYZ_TIMEOUT_SECONDS))
    params["application_name"] = "chancetap-readyz"
    try:
        with psycopg.connect(**params, autocommit=True) as probe:
            probe.execute("SELECT 1").fetchone()
    except Exception as exc:  # any failure means "not ready"
        logger.warning("readiness: database unreachable", extra={"error": str(exc)})
        return str(exc) or exc.__class__.__name__
    return None


def _check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        logger.warning("readiness: redis unreachable", extra={"error": str(exc)})
        return str(exc) or exc.__class__.__name__
    return None


def _pool_status() -> dict[str, int] | None:
    """This process's connection pool: size, idle connections, requests waiting (None: no pool)."""
    pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
    if pool is None:
        return None
    stats = pool.get_stats()
    return {
        "max_size": int(pool.max_size),
        "size": int(stats.get("pool_size", 0)),
        "available": int(stats.get("pool_available", 0)),
        "waiting": int(stats.get("requests_waiting", 0)),
    }


# /readyz answers within this many seconds whatever the database or Redis do: a partitioned
# server (packets dropped, no error) would otherwise hang the probe until TCP gives up, and the
# proxy would keep routing to a process that cannot serve.
READYZ_TIMEOUT_SECONDS = 1.5
# A check still hanging is not started again for this long: a long partition leaks at most one
# thread per kind and period, and a healed network is seen again soon after.
READYZ_RETRY_HUNG_SECONDS = 10.0
_running: dict[str, _Probe] = {}
_running_lock = threading.Lock()


class _Probe:
    def __init__(self, check: Callable[[], str | None]) -> None:
        self.started = time.monotonic()
        self.result: list[str | None] = []
        self.thread = threading.Thread(target=self._run, args=(check,), daemon=True)
        self.thread.start()

    def _run(self, check: Callable[[], str | None]) -> None:
        self.result.append(check())


def _timed(name: str, check: Callable[[], str | None]) -> str | None:
    """Run ``check`` in a thread of its own and stop waiting after the deadline. Probes that
    arrive while a check is running wait for that one (no pile of threads under a burst of
    probes); a check hung longer than ``READYZ_RETRY_HUNG_SECONDS`` is left behind for a new one,
    so a partition leaks at most one thread per kind and period."""
    with _running_lock:
        probe = _running.get(name)
        if probe is None or (
            not probe.thread.is_alive()
            or time.monotonic() - probe.started >= READYZ_RETRY_HUNG_SECONDS
        ):
            probe = _running[name] = _Probe(check)
    probe.thread.join(max(0.0, probe.started + READYZ_TIMEOUT_SECONDS - time.monotonic()))
    if not probe.result:
        logger.warning("readiness: %s did not answer in time", name)
        return f"no answer within {READYZ_TIMEOUT_SECONDS} s"
    return probe.result[0]


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    failing: dict[str, str] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        if name == "redis" and not settings.REDIS_URL:
            checks[name] = "not configured"
            continue
        error = _timed(name, check)
        checks[name] = "ok" if error is None else "unavailable"
        if error is not None:
            failing[name] = error
    if failing:
        return JsonResponse(
            {
                "code": "not_ready",
                "message": "Not ready: " + ", ".join(sorted(failing)) + " unavailable.",
                "details": {"checks": checks, "failing": sorted(failing)},
            },
            status=503,
        )
    body: dict[str, object] = {"status": "ok", "checks": checks}
    pool = _pool_status()
    if pool is not None:
        # Saturation: every connection lent out and requests queueing for one. Still ready (the
        # queue drains within DATABASE_POOL_TIMEOUT), but the proxy and the operator can see it.
        pool["saturated"] = int(pool["available"] == 0 and pool["waiting"] > 0)
        body["database_pool"] = pool
    return JsonResponse(body)
