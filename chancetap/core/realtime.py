"""Sending channel-layer events from synchronous code without paying for a new event loop.

``async_to_sync(layer.group_send)`` in a plain thread builds a fresh event loop and, with
channels-redis, a fresh Redis connection pool on every call (~5 ms). Here one daemon thread per
process keeps a loop (and so a pool) alive, and senders hand it the message without waiting.
Realtime events are notifications: the state they describe is already committed in the database.
The in-memory layer (embedded defaults) lives on the server's own loop, so it keeps the direct call.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from chancetap.core.transactions import on_commit

logger = logging.getLogger(__name__)


# Sends in flight at once per process. channels-redis borrows a connection from redis-py's pool
# (100 by default) for each send, and an exhausted pool raises MaxConnectionsError instead of
# waiting: `make bench`'s 8-thread payment run lost events that way. Beyond this many, sends queue.
MAX_SENDS_IN_FLIGHT = 32


class _LoopThread:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.slots = asyncio.Semaphore(MAX_SENDS_IN_FLIGHT)  # used on self.loop only
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="realtime-sender", daemon=True
        )
        self.thread.start()


_sender: _LoopThread | None = None
_sender_lock = threading.Lock()


def _loop_thread() -> _LoopThread:
    global _sender
    with _sender_lock:
        if _sender is None or _sender.pid != os.getpid():  # new process after fork
            _sender = _LoopThread()
        return _sender


def _log_failure(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        logger.warning("realtime event not delivered", extra={"error": repr(exc)})


def group_send_now(group: str, message: dict[str, Any]) -> Future[Any] | None:
    layer = get_channel_layer()
    if layer is None:
        return None
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.group_send)(group, message)
        return None
    sender = _loop_thread()

    async def send() -> None:
        async with sender.slots:
            await layer.group_send(group, message)

    future = asyncio.run_coroutine_threadsafe(send(), sender.loop)
    future.add_done_callback(_log_failure)
    return future


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` once the current transaction commits (never before)."""
    on_commit(lambda: group_send_now(group, message))
