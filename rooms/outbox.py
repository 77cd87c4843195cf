"""A WebSocket's outgoing frames, written as soon as they are pushed (the server-specific part).

Each socket of ``ws/rooms/<id>/`` owns one ``Outbox``; the hub and the socket's reader push
frames into it. How a frame reaches the wire depends on the ASGI server's ``send``: see
``Outbox``. Nothing here knows rooms or taps.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from chancetap.observability import metrics

OUTBOX_LIMIT = 512  # frames queued for one socket before it counts as too slow and is closed
CLOSE_TOO_SLOW = 4408


Send = Callable[[dict[str, Any]], Awaitable[None]]


class Outbox:
    """The frames of one socket, written as soon as they are pushed.

    The server's ``send`` is stepped eagerly, without a task per frame: uvicorn's WebSocket
    protocol writes to the transport and returns without waiting, so a frame costs one framing
    and one ``write``. When a send does wait (a server applying backpressure to a slow client),
    a drain task finishes it and later frames queue behind it: a queued ``progress`` is replaced
    rather than stacked, and a socket ``OUTBOX_LIMIT`` frames behind is closed (4408).
    Without a ``send`` (tests), frames only queue and ``pop`` takes them.
    """

    __slots__ = ("close_code", "drainer", "frames", "gone", "progress_slot", "send")

    def __init__(self, send: Send | None = None) -> None:
        self.send = send
        self.frames: deque[list[str]] = deque()
        self.progress_slot: list[str] | None = None
        self.close_code: int | None = None
        self.drainer: asyncio.Task[None] | None = None
        self.gone = False  # the socket went away under a send: nothing more is written

    def push(self, text: str, *, counted: bool = True) -> None:
        """Send (or queue) one frame; ``counted=False`` when the caller counts a batch itself."""
        if self.close_code is not None or self.gone:
            return
        if counted:
            metrics.ws_sent(text)
        if self.send is not None and self.drainer is None:
            self._step({"type": "websocket.send", "text": text})
            return
        if len(self.frames) >= OUTBOX_LIMIT:
            self.close(CLOSE_TOO_SLOW)
            return
        self.frames.append([text])

    def push_progress(self, text: str) -> None:
        if self.close_code is not None or self.gone:
            return
        if self.send is not None and self.drainer is None:
            self._step({"type": "websocket.send", "text": text})
            return
        if self.progress_slot is not None:
            self.progress_slot[0] = text
            return
        self.progress_slot = [text]
        self.frames.append(self.progress_slot)

    def close(self, code: int) -> None:
        if self.close_code is not None:
            return
        self.close_code = code
        if self.send is not None and self.drainer is None and not self.gone:
            self._step({"type": "websocket.close", "code": code})

    def pop(self) -> str | None:
        if not self.frames:
            return None
        slot = self.frames.popleft()
        if slot is self.progress_slot:
            self.progress_slot = None
        return slot[0]

    def detach(self) -> None:
        """The socket is gone: stop writing (the reader calls this on disconnect)."""
        self.gone = True
        self.frames.clear()
        self.progress_slot = None
        if self.drainer is not None:
            self.drainer.cancel()

    def _step(self, message: dict[str, Any]) -> None:
        assert self.send is not None
        coro: Any = self.send(message)
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return
        except Exception:  # the client went away (ClientDisconnected, OSError, ...)
            self.gone = True
            return
        self.drainer = asyncio.get_running_loop().create_task(self._drain(coro, waiting_on))

    async def _drain(self, coro: Any, waiting_on: Any) -> None:
        assert self.send is not None
        try:
            await _resume(coro, waiting_on)
            while (text := self.pop()) is not None:
                await self.send({"type": "websocket.send", "text": text})
            if self.close_code is not None:
                await self.send({"type": "websocket.close", "code": self.close_code})
        except asyncio.CancelledError:
            raise
        except Exception:
            self.gone = True
        finally:
            self.drainer = None


async def _resume(coro: Any, waiting_on: Any) -> None:
    """Finish a coroutine whose first step already ran and suspended, as a task would: wait for
    what it yielded, then step it again, until it returns (its exceptions propagate)."""
    try:
        while True:
            try:
                if waiting_on is None:  # a bare yield (asyncio.sleep(0))
                    await asyncio.sleep(0)
                else:
                    await waiting_on
            except BaseException as exc:
                waiting_on = coro.throw(exc)
                continue
            waiting_on = coro.send(None)
    except StopIteration:
        return
