"""Redis clients that fail fast (issue #12, "Timeouts and fast failure").

Every client we create has a connect timeout (``REDIS_CONNECT_TIMEOUT``) and a read timeout
(``REDIS_SOCKET_TIMEOUT``) and does not retry: a request learns within about a second that Redis is
refused or hung, and answers 503 ``service_unavailable`` (chancetap.core.exceptions).

A request may touch Redis several times (a throttle, a rate limit, a lock), and with Redis hung
each touch would wait the full read timeout. So synchronous connections share a per-process
breaker: a connection error or timeout marks Redis down for ``REDIS_CIRCUIT_OPEN_SECONDS``, during
which new connections fail at once instead of waiting. After that the next command tries again.
Asynchronous clients (WebSocket consumers, the channel layer) have the timeouts but no breaker:
they run off the request path.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.core.cache.backends.redis import RedisCacheClient
from django_prometheus.cache.backends.redis import NativeRedisCache
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

_down_until = 0.0  # time.monotonic() until which Redis counts as down in this process
_lock = threading.Lock()


def redis_timeouts() -> dict[str, Any]:
    """Connection options for a redis-py client or pool: timeouts, and no retries (a retry of a
    timed-out command would double the wait; a stale pooled socket is replaced on checkout)."""
    return {
        "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT,
        "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
        "retry": Retry(NoBackoff(), 0),
    }


def redis_down() -> bool:
    """Whether a connection error or timeout was seen in this process within the breaker's time."""
    return time.monotonic() < _down_until


def redis_mark_down(error: BaseException) -> None:
    global _down_until
    hold = float(settings.REDIS_CIRCUIT_OPEN_SECONDS)
    if hold <= 0:
        return
    with _lock:
        opened = not redis_down()
        _down_until = time.monotonic() + hold
    if opened:
        logger.warning(
            "redis marked down",
            extra={"event": "redis_down", "error": repr(error), "hold_seconds": hold},
        )


def redis_mark_up() -> None:
    """Close the breaker (tests, and a process that knows Redis is back)."""
    global _down_until
    with _lock:
        _down_until = 0.0


class _FailFastMixin:
    """Refuses to connect while the breaker is open; a connection error or timeout opens it."""

    def connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        if redis_down():
            raise RedisConnectionError("Redis is marked down after a recent failure")
        try:
            super().connect_check_health(*args, **kwargs)  # type: ignore[misc]
        except (RedisConnectionError, RedisTimeoutError) as exc:
            redis_mark_down(exc)
            raise

    def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().send_packed_command(*args, **kwargs)  # type: ignore[misc]
        except (RedisConnectionError, RedisTimeoutError) as exc:
            redis_mark_down(exc)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)  # type: ignore[misc]
        except (RedisConnectionError, RedisTimeoutError) as exc:
            redis_mark_down(exc)
            raise


class FailFastConnection(_FailFastMixin, redis.Connection):
    pass


class FailFastSSLConnection(_FailFastMixin, redis.SSLConnection):
    pass


class FailFastConnectionPool(redis.ConnectionPool):
    """redis-py's pool with the breaker on its TCP (and TLS) connections. Django's Redis cache
    takes it as ``OPTIONS["pool_class"]``."""

    def __init__(self, connection_class: type[Any] = redis.Connection, **kwargs: Any) -> None:
        fail_fast: dict[type[Any], type[Any]] = {
            redis.Connection: FailFastConnection,
            redis.SSLConnection: FailFastSSLConnection,
        }
        connection_class = fail_fast.get(connection_class, connection_class)
        super().__init__(connection_class=connection_class, **kwargs)


class ProcessConnectionPool(FailFastConnectionPool):
    """One pool per process for each URL and options: Django's Redis cache.

    Django keeps a cache backend per async context, and under ASGI every request runs in a context
    of its own, so its ``RedisCache`` (and the pool it builds with ``from_url``) is new in each
    request: every request opened a TCP connection to Redis, and redis-py looked up its own package
    version for the handshake. Measured on /api/v1/rooms/tiers: 18 % of the web process's busy
    samples were ``Connection.connect``. ``from_url`` here hands every request the same pool, so the
    sockets are reused as under WSGI. redis-py resets a pool inherited across ``fork``.
    """

    _shared: dict[tuple[Any, ...], ProcessConnectionPool] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> ProcessConnectionPool:
        key = (cls, url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        pool = cls._shared.get(key)
        if pool is None:
            with cls._shared_lock:
                pool = cls._shared.get(key)
                if pool is None:
                    pool = cls._shared[key] = super().from_url(url, **kwargs)
        return pool


class _ProcessCacheClient(RedisCacheClient):
    """Django's Redis cache client, building one ``redis.Redis`` per pool instead of per call.

    Django makes a new ``redis.Redis`` for every cache operation, and redis-py fills each with
    about 170 response callbacks: 0.5 ms of a /api/v1/rooms/tiers request (two cache calls for
    the throttle) went there. A ``redis.Redis`` is safe to share between threads.
    """

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client: redis.Redis | None = getattr(pool, "shared_client", None)
        if client is None:  # two threads may both build one; either serves
            client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            pool.shared_client = client
        return client


class ProcessRedisCache(NativeRedisCache):
    """django-prometheus's cache (hit/miss/failure counters) on the process-wide pool and client
    (``OPTIONS["pool_class"]`` should be ``ProcessConnectionPool``)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ProcessCacheClient


def redis_sync_client(url: str, **options: Any) -> redis.Redis:
    """A synchronous client with the timeouts and the breaker."""
    pool = FailFastConnectionPool.from_url(url, **{**redis_timeouts(), **options})
    return redis.Redis(connection_pool=pool)


def redis_async_client(url: str, **options: Any) -> aioredis.Redis:
    """An asyncio client with the timeouts (it belongs to the event loop that uses it first)."""
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        retry=AsyncRetry(NoBackoff(), 0),
        **options,
    )


__all__ = [
    "FailFastConnectionPool",
    "ProcessConnectionPool",
    "ProcessRedisCache",
    "redis_async_client",
    "redis_down",
    "redis_mark_down",
    "redis_mark_up",
    "redis_sync_client",
    "redis_timeouts",
]
