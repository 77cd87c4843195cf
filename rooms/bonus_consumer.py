"""``ws/bonus/``: the bonus room. Taps go to the run's Redis counter with the same anti-cheat."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.events import user_group
from accounts.ws_auth import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHENTICATED,
    AuthenticatedConsumerMixin,
    token_expired,
)
from chancetap.observability import metrics
from rooms import engine
from rooms.bonus import bonus_run_complete
from rooms.bonus_frames import BonusServerFrame
from rooms.snapshots import bonus_run_state
from rooms.taps import (
    BONUS_TTL_SECONDS,
    FlushRequest,
    async_client,
    bonus_prefix,
    rooms_flush_async,
)


class BonusConsumer(AuthenticatedConsumerMixin, AsyncJsonWebsocketConsumer):
    run: dict[str, Any] | None = None
    counted = False
    group = ""

    async def connect(self) -> None:
        if await self.refuse_unless_authenticated():
            return
        await self.accept(self._chosen_subprotocol())
        self.counted = True
        metrics.ws_connections.labels(endpoint="bonus").inc()
        # Blocking the account closes this socket (accounts.events.user_sockets_close_on_commit).
        self.group = user_group(self.scope["user"].tg_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.run = await database_sync_to_async(bonus_run_state)(user_id=self.scope["user"].tg_id)
        await self._send_frame({"type": "state", "run": self.run})

    async def disconnect(self, code: int) -> None:
        if self.counted:
            self.counted = False
            metrics.ws_connections.labels(endpoint="bonus").dec()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def user_event(self, event: dict[str, Any]) -> None:
        """Events for the ``ws/me/`` socket reach this group too; this socket ignores them."""

    async def user_kick(self, event: dict[str, Any]) -> None:
        await self._error(event["code"], event["message"])
        await self.close(code=CLOSE_FORBIDDEN)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        metrics.ws_message("in", frame.get("type") if isinstance(frame, dict) else None)
        if not isinstance(frame, dict) or frame.get("type") != "taps":
            await self._error("frame_unsupported", "Send taps frames here.")
            return
        if token_expired(self.scope):
            await self._error("token_expired", "Sign in again: the access token has expired.")
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if self.run is None or self.run["status"] != "active":
            await self._error("bonus_run_not_active", "Start a bonus run first.")
            return
        rules = engine.standard_rules()
        now_ms = int(time.time() * 1000)
        problem = engine.packet_error(
            rules,
            count=frame.get("count"),
            timestamp_ms=frame.get("timestamp"),
            now_ms=now_ms,
            started_at_ms=0,
            ends_at_ms=now_ms + 60_000,
            last_timestamp_ms=None,
        )
        if problem is not None:
            metrics.tap_packet(problem.value, frame.get("count"))
            await self._error(problem.value, "This tap packet was refused.")
            return
        user_id = self.scope["user"].tg_id
        count, timestamp = int(frame["count"]), int(frame["timestamp"])
        run_id = int(self.run["id"])
        # The same tap book as the rooms (rooms.engine.TapBook in Redis): the anti-cheat window,
        # timestamps that go backwards, and nothing counted after the run's deadline or target.
        request = FlushRequest(
            room_id=run_id,
            known_version=-1,
            target=int(self.run["target_taps"]),
            packets=[(user_id, count, timestamp, now_ms, False)],
            ends_ms=int(datetime.fromisoformat(self.run["expires_at"]).timestamp() * 1000),
            window_ms=rules.cheat_window_ms,
            limit=rules.cheat_limit,
            ttl_seconds=BONUS_TTL_SECONDS,
            key_prefix=bonus_prefix(run_id),
        )
        (reply,) = await rooms_flush_async(async_client(), [request])
        if isinstance(reply, Exception):
            metrics.tap_packet("taps_unavailable", count)
            await self._error("taps_unavailable", "Taps not counted.")
            return
        result = reply.results[0]
        if result.refused is engine.TapRefusal.NOT_PLAYING:
            metrics.tap_packet(result.refused, count)
            await self._error("bonus_run_not_active", "This bonus run is over.")
            return
        metrics.tap_packet(result.refused, frame["count"])
        if result.refused is not None:
            await self._error(result.refused, "These taps do not count.")
            return
        await self._send_frame(
            {"type": "progress", "taps": result.taps, "target_taps": self.run["target_taps"]}
        )
        if result.first_to_target:
            await database_sync_to_async(bonus_run_complete)(run_id=int(self.run["id"]))
            self.run = None
            await self._send_frame({"type": "completed"})

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        metrics.ws_message("out", content.get("type") if isinstance(content, dict) else None)
        return json.dumps(content)

    async def _send_frame(self, frame: BonusServerFrame) -> None:
        await self.send_json(frame)

    async def _error(self, code: str, message: str) -> None:
        await self._send_frame({"type": "error", "code": code, "message": message})
