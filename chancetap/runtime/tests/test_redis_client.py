"""Redis clients fail fast (issue #12): timeouts, no retries, and a per-process breaker, so a
request touching Redis several times pays one timeout at most; a timer the broker cannot take is
left to the sweeper instead of failing a committed request."""

from __future__ import annotations

import contextvars
import time
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone

from chancetap.runtime.redis_client import redis_down, redis_mark_up, redis_sync_client
from chancetap.runtime.scheduling import task_schedule_at
from tests.server import free_port
from tests.tcp_proxy import TcpProxy


@pytest.fixture(autouse=True)
def _breaker_closed() -> Iterator[None]:
    redis_mark_up()
    yield
    redis_mark_up()


def _url(port: int) -> str:
    parts = urllib.parse.urlsplit(settings.REDIS_URL)
    return parts._replace(netloc=f"127.0.0.1:{port}").geturl()


def test_a_refused_redis_fails_at_once_and_opens_the_breaker() -> None:
    refused = redis_sync_client(_url(free_port()))
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        refused.ping()
    assert time.monotonic() - started < 0.5
    assert redis_down()
    # While the breaker is open, every client of this process fails at once, the cache too.
    with pytest.raises(redis.ConnectionError, match="marked down"):
        redis_sync_client(settings.REDIS_URL).ping()
    with pytest.raises(redis.ConnectionError, match="marked down"):
        cache.get("anything")
    redis_mark_up()
    assert redis_sync_client(settings.REDIS_URL).ping()
    assert cache.get("anything") is None


def test_a_hung_redis_costs_one_read_timeout_then_fails_at_once() -> None:
    parts = urllib.parse.urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    try:
        client = redis_sync_client(_url(proxy.port))
        assert client.ping()  # a pooled connection, then the partition
        proxy.freeze()
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            client.get("key")
        took = time.monotonic() - started
        assert settings.REDIS_SOCKET_TIMEOUT * 0.9 <= took < settings.REDIS_SOCKET_TIMEOUT + 0.5
        started = time.monotonic()
        with pytest.raises(redis.ConnectionError, match="marked down"):
            client.get("key")
        assert time.monotonic() - started < 0.1
        proxy.restore()
        redis_mark_up()
        assert client.ping()
    finally:
        proxy.stop()


def test_the_breaker_closes_by_itself(settings) -> None:
    settings.REDIS_CIRCUIT_OPEN_SECONDS = 0.2
    with pytest.raises(redis.ConnectionError):
        redis_sync_client(_url(free_port())).ping()
    assert redis_down()
    time.sleep(0.3)
    assert not redis_down()
    assert redis_sync_client(settings.REDIS_URL).ping()


def test_a_timer_the_broker_cannot_take_is_left_to_the_sweeper() -> None:
    """The project's Celery settings with a broker nobody listens on: the publish fails within
    the connect timeout and the caller (an on_commit callback) is told False, not an error."""
    app = Celery("unreachable", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=_url(free_port()))

    @app.task(name="rooms.advance")
    def advance(room_id: int) -> None:  # never runs
        raise AssertionError(room_id)

    soon = timezone.now() + timedelta(seconds=5)
    started = time.monotonic()
    assert task_schedule_at(advance, (1,), soon) is False
    assert time.monotonic() - started < 1.0


def test_every_request_context_uses_the_process_pool_of_the_cache() -> None:
    """Under ASGI every request runs in a context of its own, where Django builds a new cache
    backend: its Redis sockets must still be the process's pooled ones, not a new connection per
    request."""

    def a_request() -> tuple[object, object]:
        backend = caches["default"]
        backend.set("shared-pool", 1)
        assert backend.get("shared-pool") == 1
        return backend, backend._cache._get_connection_pool(write=True)  # type: ignore[attr-defined]

    first_backend, first_pool = contextvars.Context().run(a_request)
    opened = first_pool._created_connections  # type: ignore[attr-defined]
    second_backend, second_pool = contextvars.Context().run(a_request)
    assert first_backend is not second_backend  # what Django does per request
    assert second_pool is first_pool
    assert second_pool._created_connections == opened  # type: ignore[attr-defined]
    assert second_backend._cache.get_client() is first_backend._cache.get_client()  # type: ignore[attr-defined]
