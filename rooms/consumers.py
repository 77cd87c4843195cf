"""``ws/rooms/<id>/``: the game protocol (SPEC §5).

A plain ASGI application rather than a Channels consumer: a room socket is the hot path (a packet
per player every 200 ms, a progress frame per room every 100 ms), and it needs none of a
consumer's per-socket machinery — the process's ``RoomHub`` holds the channel-layer subscription
for each room and counts the taps in Redis once per tick. Each connection has one task, this
reader, which validates frames; frames out go through its ``Outbox``, written at once (see
``rooms.outbox.Outbox`` for what happens when a client reads too slowly).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from accounts.ws_auth import (
    CLOSE_UNAUTHENTICATED,
    SUBPROTOCOL,
    close_code_for,
    token_expired,
)
from chancetap.core.errors import ApplicationError
from chancetap.core.realtime import group_send_now
from chancetap.observability import metrics
from rooms import engine
from rooms.frames import closed_frame, dumps, error_frame, pong_frame, state_frame
from rooms.hub import RULES, Member, Packet, RoomHub, RoomInfo, hub, room_counts
from rooms.outbox import Outbox
from rooms.services import hero_room_start, room_group, room_leave
from rooms.snapshots import bonus_run_state, room_snapshot

REACTIONS = ("🔥", "😂", "😎", "🚀", "💪", "🍀", "⚡", "🎯", "😱", "👏")
REACTION_INTERVAL = 0.5

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class RoomConsumer:
    """``RoomConsumer.as_asgi()`` is the ASGI app routed at ``ws/rooms/<room_id>/``."""

    def __init__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.room_id = 0
        self.outbox = Outbox(send)
        self.member: Member | None = None
        self.last_reaction = 0.0

    @classmethod
    def as_asgi(cls) -> Any:  # typed loosely, as Channels' consumers are, for URLRouter's path()
        async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
            await cls(scope, receive, send).run()

        return app

    # --- lifecycle ----------------------------------------------------------------------------
    async def run(self) -> None:
        self.hub: RoomHub = hub()
        if (await self._receive())["type"] != "websocket.connect":
            return
        member = await self._connect()
        if member is None:
            return
        metrics.ws_connections.labels(endpoint="room").inc()
        try:
            while True:
                message = await self._receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    await self._on_text(message.get("text"))
                elif kind == "websocket.disconnect":
                    break
        finally:
            metrics.ws_connections.labels(endpoint="room").dec()
            self.outbox.detach()
            await self.hub.leave(self.room_id, member)

    async def _connect(self) -> Member | None:
        subprotocol = SUBPROTOCOL if SUBPROTOCOL in (self.scope.get("subprotocols") or []) else None
        error: ApplicationError | None = self.scope.get("auth_error")
        user = self.scope.get("user")
        if error is not None or user is None:
            assert error is not None
            await self._refuse(subprotocol, error.code, error.message, close_code_for(error))
            return None
        if not settings.REDIS_URL:
            await self._refuse(subprotocol, "rooms_unavailable", "Games need Redis.", 4503)
            return None
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        snapshot = await database_sync_to_async(room_snapshot)(self.room_id)
        if snapshot is None or user.tg_id not in snapshot[1]:
            await self._refuse(subprotocol, "room_not_found", "No such room for you.", 4404)
            return None
        state = snapshot[0]
        bonus_run = await database_sync_to_async(bonus_run_state)(user_id=user.tg_id)
        await self._send({"type": "websocket.accept", "subprotocol": subprotocol})
        self.member = Member(user_id=user.tg_id, outbox=self.outbox, bonus_run=bonus_run)
        await self.hub.join(self.room_id, self.member, RoomInfo.from_state(state))
        self.outbox.push(dumps(state_frame(state, await room_counts(self.room_id))))
        return self.member

    async def _refuse(self, subprotocol: str | None, code: str, message: str, close: int) -> None:
        await self._send({"type": "websocket.accept", "subprotocol": subprotocol})
        await self._send(
            {
                "type": "websocket.send",
                "text": error_frame(code, message),
            }
        )
        await self._send({"type": "websocket.close", "code": close})

    # --- client frames ------------------------------------------------------------------------
    async def _on_text(self, text: str | None) -> None:
        try:
            frame = json.loads(text or "")
        except ValueError:
            metrics.ws_message("in", None)
            self._error("frame_invalid", "Frames must be JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            metrics.ws_message("in", None)
            self._error("frame_invalid", "A frame needs a 'type'.")
            return
        kind = frame["type"]
        if token_expired(self.scope):  # the socket outlived its token: reconnect with a fresh one
            metrics.ws_message("in", kind)
            self._error("token_expired", "Sign in again: the access token has expired.")
            self.outbox.close(CLOSE_UNAUTHENTICATED)
            return
        if kind == "taps":  # the hot frame: counted in batches by the hub's flush
            self._on_taps(frame)
            return
        metrics.ws_message("in", kind)
        try:
            if kind == "ping":
                self.outbox.push(pong_frame())
            elif kind == "reaction":
                self._on_reaction(frame)
            elif kind == "start":
                await database_sync_to_async(hero_room_start)(
                    organizer=self.scope["user"], room_id=self.room_id
                )
            elif kind == "leave":
                await database_sync_to_async(room_leave)(
                    user=self.scope["user"], room_id=self.room_id
                )
                self.outbox.push(closed_frame("left"))
                self.outbox.close(1000)
            else:
                self._error("frame_unsupported", "Unknown frame type.")
        except ApplicationError as exc:
            self._error(exc.code, exc.message)

    def _on_taps(self, frame: dict[str, Any]) -> None:
        assert self.member is not None
        info = self.hub.info(self.room_id)
        if info.organizer_id == self.member.user_id:
            self._refuse_packet(
                frame, "organizer_cannot_play", "Organizers watch; they do not tap."
            )
            return
        if "user_id" in frame and frame["user_id"] != self.member.user_id:
            self._refuse_packet(
                frame, "tap_sender_invalid", "Taps are counted for the signed-in player."
            )
            return
        now_ms = int(time.time() * 1000)
        problem = engine.packet_error(
            RULES,
            count=frame.get("count"),
            timestamp_ms=frame.get("timestamp"),
            now_ms=now_ms,
            started_at_ms=info.started_ms or now_ms + 10**9,
            ends_at_ms=info.ends_ms,
            last_timestamp_ms=None,
        )
        if problem is not None:
            self._refuse_packet(frame, problem.value, "This tap packet was refused.")
            return
        packet = Packet(self.member, frame["count"], frame["timestamp"], now_ms)
        self.hub.enqueue(self.room_id, packet)

    def _refuse_packet(self, frame: dict[str, Any], code: str, message: str) -> None:
        metrics.ws_message("in", "taps")
        metrics.tap_packet(code, frame.get("count"))
        self._error(code, message)

    def _on_reaction(self, frame: dict[str, Any]) -> None:
        assert self.member is not None
        info = self.hub.info(self.room_id)
        if info.started_ms and time.time() * 1000 >= info.started_ms:
            self._error("reaction_closed", "Reactions end when the game starts.")
            return
        now = time.monotonic()
        if now - self.last_reaction < REACTION_INTERVAL:
            self._error("reaction_rate_limited", "Slow down.")
            return
        target = frame.get("target")
        if not isinstance(target, int) or isinstance(target, bool):
            self._error("reaction_invalid", "Tap a player's avatar.")
            return
        self.last_reaction = now
        burst = target == self.member.user_id
        group_send_now(
            room_group(self.room_id),
            {
                "type": "room.reaction",
                "room_id": self.room_id,
                "from": self.member.user_id,
                "target": target,
                "emoji": [random.choice(REACTIONS) for _ in range(6 if burst else 1)],
                "burst": burst,
            },
        )

    def _error(self, code: str, message: str) -> None:
        self.outbox.push(error_frame(code, message))
