"""HTTP requests run their synchronous code on a fixed set of threads
(chancetap/runtime/sync_lanes.py), and Django's middleware chain runs synchronously in one of them
(SyncChainMiddleware)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator

from chancetap.runtime.sync_lanes import SyncLanes


class _Probe:
    """An ASGI app whose request does thread-sensitive sync work and notes where and how many."""

    def __init__(self, fail_on: str = "") -> None:
        self.threads: list[str] = []
        self.running = 0
        self.most = 0
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def work(self, path: str) -> None:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.append(threading.current_thread().name)
        time.sleep(0.05)
        with self._lock:
            self.running -= 1
        if path == self.fail_on:
            raise RuntimeError("the view failed")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await sync_to_async(self.work)(scope.get("path", ""))
        # A second call of the same request lands on the same thread.
        await sync_to_async(self.work)(scope.get("path", ""))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _request(app: Any, path: str = "/") -> int:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    await communicator.receive_output(5)
    await communicator.wait(5)
    return int(start["status"])


async def test_requests_share_a_fixed_set_of_threads_one_request_each() -> None:
    probe = _Probe()
    app = SyncLanes(probe, lanes=2)
    statuses = await asyncio.gather(*(_request(app) for _ in range(6)))
    assert statuses == [200] * 6
    assert probe.most == 2  # six requests in flight, two at a time in sync code
    assert {name.rsplit("_", 1)[0] for name in probe.threads} <= {"sync-lane-0", "sync-lane-1"}
    assert len(set(probe.threads)) == 2  # the same two threads served all six


async def test_a_failing_request_gives_its_thread_back() -> None:
    probe = _Probe(fail_on="/boom")
    app = SyncLanes(probe, lanes=1)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        pass

    with pytest.raises(RuntimeError, match="the view failed"):
        await app({"type": "http", "path": "/boom"}, receive, send)
    assert await _request(app, "/fine") == 200  # the only lane is free again


async def test_other_protocols_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    lanes = SyncLanes(app, lanes=1)
    await lanes({"type": "websocket"}, None, None)
    await lanes({"type": "lifespan"}, None, None)
    assert seen == ["websocket", "lifespan"]


def test_at_least_one_lane() -> None:
    with pytest.raises(ValueError, match="WEB_SYNC_THREADS"):
        SyncLanes(_Probe(), lanes=0)


@pytest.mark.django_db
async def test_the_middleware_chain_runs_synchronously_through_the_asgi_application() -> None:
    """No middleware hops to a thread on its own (Django's MiddlewareMixin in async mode does, per
    process_request / process_response); the chain enters one thread, the view runs in it."""
    from chancetap.asgi import application

    calls: list[str] = []
    real = sync_to_async

    def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(func, "__qualname__", repr(func)))
        return real(func, *args, **kwargs)

    with mock.patch("django.utils.deprecation.sync_to_async", counting):
        status = await _request(application, "/api/v1/rooms/tiers")
    assert status == 401  # through every middleware and DRF: no credentials
    assert calls == []
