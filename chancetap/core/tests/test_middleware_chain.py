"""Django's middleware chain runs synchronously in the request's one thread (SyncChainMiddleware):
no middleware hops to a thread and back per hook."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator


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
