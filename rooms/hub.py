"""Process-local fan-out of rooms (SPEC §5; the issue's throughput notes).

Each web process keeps one hub per event loop: a registry of the rooms its sockets watch.

* **Taps in**: sockets validate a packet and queue it here; once per tick (100 ms) the hub sends
  every queued packet of every room it serves to Redis in *one* pipelined round trip (one script
  call per room, which also answers whether the room's counts moved — its own packets or other
  processes'). Acks and refusals go back to the senders.
* **Progress out**: a room whose counts moved gets one ``progress`` frame, encoded once and queued
  on each local socket (a socket holds at most one unsent progress frame: snapshots coalesce).
* **Control events** (joined, countdown, started, finished, closed, reactions) keep using the
  channel layer, but the hub — not each socket — is the group member: one subscription per room
  per process; the room's state is read from the database once per event and per process.

Players of one room may sit on different processes: all count in the same Redis keys, so all see
the same numbers and the same winner. The parts: ``rooms.outbox`` writes a socket's frames,
``rooms.frames`` encodes them, ``rooms.taps`` is the Redis side; this module is the registry and
the tick (``flush`` = collect → apply → broadcast).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chancetap.observability import metrics
from rooms import engine
from rooms.bonus import bonus_run_complete
from rooms.frames import (
    ack_frame,
    closed_frame,
    dumps,
    error_frame,
    event_frames,
    progress_frame,
    reaction_frame,
    state_frame,
)
from rooms.outbox import Outbox
from rooms.services import room_advance, room_group
from rooms.snapshots import room_snapshot
from rooms.taps import (
    FlushRequest,
    RoomFlush,
    TapResult,
    async_client,
    bonus_add_many_async,
    room_progress_async,
    rooms_flush_async,
)

logger = logging.getLogger(__name__)
TICK_SECONDS = 0.1
CLOSE_KICKED = 4403  # the player's account was blocked (accounts.ws_auth.CLOSE_FORBIDDEN)
RULES = engine.standard_rules()  # the packet checks and the cheat window are alike for all rooms
_LIVE_AFTER_END_MS = 3_000  # keep polling a little after the end so the last counts go out


@dataclass(eq=False)
class Member:
    """What the hub needs of a socket (rooms.consumers.RoomConnection)."""

    user_id: int
    outbox: Outbox
    bonus_run: dict[str, Any] | None = None


@dataclass
class RoomInfo:
    started_ms: int = 0
    ends_ms: int = 0
    target: int = 0
    organizer_id: int | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> RoomInfo:
        room = state["room"]
        return cls(
            started_ms=_ms(room["started_at"]),
            ends_ms=_ms(room["ends_at"]),
            target=state["rules"]["target_taps"] or 0,
            organizer_id=room["organizer_id"],
        )

    def live(self, now_ms: int) -> bool:
        return bool(self.started_ms) and (
            self.started_ms - RULES.clock_skew_ms <= now_ms <= self.ends_ms + _LIVE_AFTER_END_MS
        )


@dataclass
class Packet:
    member: Member
    count: int
    timestamp_ms: int
    received_ms: int
    flagged: bool = False  # broke the anti-cheat window: the flush makes the player a cheater


@dataclass
class Batch:
    """One room's part of a tick: its packets and the request that carries them to Redis."""

    room_id: int
    room: LocalRoom
    packets: list[Packet]
    request: FlushRequest


@dataclass
class LocalRoom:
    info: RoomInfo
    members: set[Member] = field(default_factory=set)
    pending: list[Packet] = field(default_factory=list)
    # Each player's anti-cheat window by this process's clock (the flush script keeps the one
    # every process shares; this one only flags early what this process alone saw).
    windows: dict[int, engine.TapWindow] = field(default_factory=dict)
    version: int = 0
    events: asyncio.Lock = field(default_factory=asyncio.Lock)


class RoomHub:
    def __init__(self) -> None:
        self.rooms: dict[int, LocalRoom] = {}
        self._layer = get_channel_layer()
        self._channel: str | None = None
        self._grouped: set[int] = set()
        self._group_lock = asyncio.Lock()
        self._ticker: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.stats = {"packets": 0, "flushes": 0, "progress": 0}

    # --- membership ---------------------------------------------------------------------------
    async def join(self, room_id: int, member: Member, info: RoomInfo) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = LocalRoom(info=info)
        else:
            room.info = info
        room.members.add(member)
        await self._sync_group(room_id)
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._tick_loop())

    async def leave(self, room_id: int, member: Member) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.members.discard(member)
        if not room.members and not room.pending:
            self.rooms.pop(room_id, None)
        await self._sync_group(room_id)
        if not self.rooms and self._listener is not None:
            self._listener.cancel()
            self._listener = None

    def info(self, room_id: int) -> RoomInfo:
        room = self.rooms.get(room_id)
        return room.info if room is not None else RoomInfo()

    def watching(self, room_id: int) -> int:
        room = self.rooms.get(room_id)
        return len(room.members) if room is not None else 0

    async def _sync_group(self, room_id: int) -> None:
        """Reconcile the hub's channel-layer groups with the rooms it serves (idempotent)."""
        if self._layer is None:
            return
        async with self._group_lock:
            if self._channel is None:
                self._channel = await self._layer.new_channel()
            wanted = room_id in self.rooms
            if wanted and room_id not in self._grouped:
                await self._layer.group_add(room_group(room_id), self._channel)
                self._grouped.add(room_id)
            elif not wanted and room_id in self._grouped:
                await self._layer.group_discard(room_group(room_id), self._channel)
                self._grouped.discard(room_id)
            if self.rooms and (self._listener is None or self._listener.done()):
                self._listener = asyncio.get_running_loop().create_task(self._listen())

    # --- taps ---------------------------------------------------------------------------------
    def enqueue(self, room_id: int, packet: Packet) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        window = room.windows.get(packet.member.user_id)
        if window is None:
            window = room.windows[packet.member.user_id] = engine.TapWindow(RULES.cheat_window_ms)
        packet.flagged = engine.breaks_window(RULES, window, packet.received_ms, packet.count)
        room.pending.append(packet)

    async def _tick_loop(self) -> None:
        loop = asyncio.get_running_loop()
        client = async_client()
        while self.rooms:
            started = loop.time()
            try:
                await self.flush(client)
            except Exception:  # Redis hiccup: the senders were told; try again next tick
                logger.warning("room flush failed", exc_info=True)
            await asyncio.sleep(max(0.0, TICK_SECONDS - (loop.time() - started)))

    async def flush(self, client: Any) -> None:
        """One tick: collect every room's queued packets, count them in Redis in one round trip,
        answer the senders and send the rooms whose counts moved their progress."""
        batches = self._collect(int(time.time() * 1000))
        if not batches:
            return
        self.stats["flushes"] += 1
        try:
            replies = await rooms_flush_async(client, [b.request for b in batches])
        except Exception as exc:
            replies = [exc] * len(batches)
        bonus = self._apply(batches, replies)
        self._broadcast(batches, replies)
        if bonus:
            await self._bonus(client, bonus)

    def _collect(self, now_ms: int) -> list[Batch]:
        """The rooms to flush: those with queued packets, and live rooms to poll for others'."""
        batches: list[Batch] = []
        for room_id, room in list(self.rooms.items()):
            if not room.pending and not room.info.live(now_ms):
                continue
            packets, room.pending = room.pending, []
            if not room.members and not packets:
                continue
            request = FlushRequest(
                room_id=room_id,
                known_version=room.version,
                target=room.info.target,
                ends_ms=room.info.ends_ms,
                window_ms=RULES.cheat_window_ms,
                limit=RULES.cheat_limit,
                packets=[
                    (p.member.user_id, p.count, p.timestamp_ms, p.received_ms, p.flagged)
                    for p in packets
                ],
            )
            batches.append(Batch(room_id, room, packets, request))
        return batches

    def _apply(
        self, batches: list[Batch], replies: list[RoomFlush | Exception]
    ) -> list[tuple[Member, int]]:
        """Answer every packet (ack or refusal); returns the accepted taps that also count for
        the players' bonus runs, and starts the settlement of a room that has its winner."""
        bonus: list[tuple[Member, int]] = []
        accepted = acks = 0
        for batch, reply in zip(batches, replies, strict=True):
            if isinstance(reply, Exception):
                logger.warning(
                    "room flush failed", extra={"room_id": batch.room_id}, exc_info=reply
                )
                refusal = error_frame("taps_unavailable", "Taps not counted.")
                for packet in batch.packets:
                    metrics.tap_packet("taps_unavailable", packet.count)
                    packet.member.outbox.push(refusal)
                continue
            self.stats["packets"] += len(batch.packets)
            for packet, result in zip(batch.packets, reply.results, strict=True):
                self._answer(packet, result)
                if result.refused is not None:
                    metrics.tap_packet(result.refused, packet.count)
                    continue
                accepted += packet.count
                acks += 1
                if packet.member.bonus_run is not None:
                    bonus.append((packet.member, packet.count))
                if result.first_to_target:
                    self._spawn(database_sync_to_async(room_advance)(room_id=batch.room_id))
        metrics.ws_message("in", "taps", sum(len(b.packets) for b in batches))
        if accepted:
            metrics.tap_packet(None, accepted)
            metrics.ws_message("out", "ack", acks)
        return bonus

    def _broadcast(self, batches: list[Batch], replies: list[RoomFlush | Exception]) -> None:
        """One progress frame per room whose counts moved, to each of its local sockets; rooms
        nobody here watches any more leave the registry."""
        progress = 0
        for batch, reply in zip(batches, replies, strict=True):
            room, room_id = batch.room, batch.room_id
            if (
                isinstance(reply, RoomFlush)
                and reply.counts is not None
                and reply.version != room.version
            ):
                room.version = reply.version
                frame = progress_frame(room_id, reply.counts, reply.version)
                progress += len(room.members)
                for member in room.members:
                    member.outbox.push_progress(frame)
            if not room.members and not room.pending and self.rooms.get(room_id) is room:
                self.rooms.pop(room_id, None)
                self._spawn(self._sync_group(room_id))
        self.stats["progress"] += progress
        if progress:
            metrics.ws_message("out", "progress", progress)

    @staticmethod
    def _answer(packet: Packet, result: TapResult) -> None:
        if result.refused is not None:
            packet.member.outbox.push(error_frame(result.refused, "These taps do not count."))
        else:
            packet.member.outbox.push(ack_frame(result.taps), counted=False)

    async def _bonus(self, client: Any, adds: list[tuple[Member, int]]) -> None:
        """Accepted game taps also count towards the players' running bonus runs."""
        requests = [
            (int(run["id"]), m.user_id, count, int(run["target_taps"]))
            for m, count in adds
            if (run := m.bonus_run) is not None
        ]
        members = [m for m, _ in adds if m.bonus_run is not None]
        try:
            replies = await bonus_add_many_async(client, requests)
        except Exception:
            logger.warning("bonus taps not added", exc_info=True)
            return
        for member, request, reply in zip(members, requests, replies, strict=True):
            if isinstance(reply, Exception):
                logger.warning("bonus taps not added", exc_info=reply)
                continue
            if reply[1]:
                member.bonus_run = None
                self._spawn(database_sync_to_async(bonus_run_complete)(run_id=request[0]))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("room background task failed", exc_info=task.exception())

    # --- control events -----------------------------------------------------------------------
    async def _listen(self) -> None:
        assert self._layer is not None
        assert self._channel is not None
        while True:
            message = await self._layer.receive(self._channel)
            room_id = message.get("room_id")
            room = self.rooms.get(room_id) if isinstance(room_id, int) else None
            if room is None:
                continue
            if message.get("type") == "room.reaction":
                frame = reaction_frame(message)
                for member in room.members:
                    member.outbox.push(frame)
            elif message.get("type") == "room.event":
                self._spawn(self._event(room_id, room, message))
            elif message.get("type") == "room.kick":  # the player was blocked
                frame = closed_frame(message.get("reason", "user_blocked"))
                for member in list(room.members):
                    if member.user_id == message.get("user_id"):
                        member.outbox.push(frame)
                        member.outbox.close(CLOSE_KICKED)

    async def _event(self, room_id: int, room: LocalRoom, event: dict[str, Any]) -> None:
        async with room.events:  # one room's events go out in the order they came
            snapshot = await database_sync_to_async(room_snapshot)(room_id)
            name = event.get("event")
            default = "" if name == "closed" else "left"
            closed = closed_frame(event.get("reason", default))
            if snapshot is None or name == "closed":
                for member in list(room.members):
                    member.outbox.push(closed)
                    member.outbox.close(1000)
                return
            state, members = snapshot
            room.info = RoomInfo.from_state(state)
            counts = await room_counts(room_id)
            texts = [*event_frames(name, state["room"], counts), dumps(state_frame(state, counts))]
            for member in list(room.members):
                if member.user_id not in members:
                    member.outbox.push(closed)
                    member.outbox.close(1000)
                    continue
                for text in texts:
                    member.outbox.push(text)


async def room_counts(room_id: int) -> dict[str, int]:
    progress = await room_progress_async(async_client(), room_id, -1)
    return {str(k): v for k, v in progress[1].items()} if progress else {}


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub] = weakref.WeakKeyDictionary()


def hub() -> RoomHub:
    """One hub per event loop (one per process under uvicorn/daphne)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = RoomHub()
    return found


def _ms(iso: str | None) -> int:
    if not iso:
        return 0
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)
