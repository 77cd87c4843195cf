"""Process-local fan-out of room progress (SPEC §5, issue notes on throughput).

Counts live in Redis. Each web process keeps a registry of the rooms its sockets watch and, for
each, one ticker that every 100 ms reads the room's version counter and, only when it moved, the
counts — then sends one ``progress`` frame to its local sockets. Players of one room may sit on
different processes: all read the same Redis, so all see the same numbers. The channel layer is
kept for the rare control events (joined, countdown, started, finished, closed, reactions).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rooms.taps import async_client, room_progress_async

logger = logging.getLogger(__name__)
TICK_SECONDS = 0.1
Sender = Callable[[dict[str, Any]], Awaitable[None]]


class RoomHub:
    def __init__(self) -> None:
        self._subscribers: dict[int, set[Sender]] = {}
        self._tickers: dict[int, asyncio.Task[None]] = {}

    def subscribe(self, room_id: int, send: Sender) -> None:
        self._subscribers.setdefault(room_id, set()).add(send)
        if room_id not in self._tickers or self._tickers[room_id].done():
            self._tickers[room_id] = asyncio.get_running_loop().create_task(self._tick(room_id))

    def unsubscribe(self, room_id: int, send: Sender) -> None:
        subscribers = self._subscribers.get(room_id)
        if subscribers is None:
            return
        subscribers.discard(send)
        if not subscribers:
            self._subscribers.pop(room_id, None)
            ticker = self._tickers.pop(room_id, None)
            if ticker is not None:
                ticker.cancel()

    def watching(self, room_id: int) -> int:
        return len(self._subscribers.get(room_id, ()))

    async def _tick(self, room_id: int) -> None:
        client = async_client()
        version = 0
        while self._subscribers.get(room_id):
            try:
                changed = await room_progress_async(client, room_id, version)
            except Exception:  # Redis hiccup: try again next tick
                logger.warning("progress read failed", extra={"room_id": room_id}, exc_info=True)
                changed = None
            if changed is not None:
                version, counts = changed
                frame = {
                    "type": "progress",
                    "room_id": room_id,
                    "counts": {str(k): v for k, v in counts.items()},
                    "version": version,
                }
                for send in list(self._subscribers.get(room_id, ())):
                    with contextlib.suppress(Exception):
                        await send(frame)
            await asyncio.sleep(TICK_SECONDS)


_hubs: dict[int, RoomHub] = {}


def hub() -> RoomHub:
    """One hub per event loop (one per process under uvicorn/daphne)."""
    loop = asyncio.get_running_loop()
    key = id(loop)
    if key not in _hubs:
        _hubs[key] = RoomHub()
    return _hubs[key]
