"""``/healthz`` (process up) and ``/readyz`` (database and, when configured, Redis reachable)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
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


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    failing: dict[str, str] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        if name == "redis" and not settings.REDIS_URL:
            checks[name] = "not configured"
            continue
        error = check()
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
