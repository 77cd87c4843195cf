"""A fixed set of threads for the synchronous part of HTTP requests (``WEB_SYNC_THREADS``).

Django's ASGI handler runs each request's synchronous code (middleware, DRF views, the ORM) in a
thread of that request's own, created for it and joined by yet another thread when it ends. At
32 requests in flight that is 32 threads contending for the GIL and two thread starts per request:
in ``make bench`` (api phase) the web process spent its core at 99 % for about 200 requests/s of a
three-query view, and under half of that time ran Python at all.

``SyncLanes`` wraps Django's HTTP application: a request waits for a free *lane* (a long-lived
single-thread executor) and runs as before, with every thread-sensitive call of the request on that
one thread (asgiref's ``ThreadSensitiveContext(executor=…)``), so database connections still belong
to one request at a time. Requests beyond the lanes wait in arrival order on the event loop,
costing nothing until a lane frees. A lane is held for the whole request, outside calls included
(TON, rate source: bounded by their timeouts, chancetap/runtime/http.py), so the default leaves
room for several slow calls at once; raise it for a process that makes many.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext

# Loose on purpose: Django's handler, Channels' router and test apps annotate these differently.
AsgiApp = Callable[..., Awaitable[None]]


class SyncLanes:
    """ASGI middleware: HTTP requests run their synchronous code on one of ``lanes`` threads."""

    def __init__(self, app: AsgiApp, lanes: int) -> None:
        if lanes < 1:
            raise ValueError("WEB_SYNC_THREADS must be at least 1")
        self.app = app
        self.lanes = lanes
        # One set of lanes per event loop (a test may run the application on several loops).
        self._free: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Queue[ThreadPoolExecutor]
        ] = weakref.WeakKeyDictionary()

    def _queue(self) -> asyncio.Queue[ThreadPoolExecutor]:
        loop = asyncio.get_running_loop()
        free = self._free.get(loop)
        if free is None:
            free = asyncio.Queue()
            for number in range(self.lanes):
                free.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sync-lane-{number}")
                )
            self._free[loop] = free
        return free

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        free = self._queue()
        lane = await free.get()
        try:
            async with ThreadSensitiveContext(executor=lane):
                await self.app(scope, receive, send)
        finally:
            free.put_nowait(lane)


__all__ = ["SyncLanes"]
