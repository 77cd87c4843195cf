"""``ws/rooms/<id>/``: the game protocol (SPEC §5). An async shell: validate the frame, call one
service (Redis for taps, the database through ``database_sync_to_async`` for the rest)."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from accounts.ws_auth import AuthenticatedConsumerMixin
from chancetap.core.errors import ApplicationError
from chancetap.core.realtime import group_send_now
from rooms import engine
from rooms.bonus import bonus_run_active, bonus_run_complete, bonus_run_public
from rooms.hub import hub
from rooms.models import Room
from rooms.selectors import room_is_member
from rooms.services import (
    hero_room_start,
    room_advance,
    room_group,
    room_leave,
    room_public,
    room_rules,
)
from rooms.taps import async_client, bonus_add_async, room_progress_async, taps_record_async

REACTIONS = ("🔥", "😂", "😎", "🚀", "💪", "🍀", "⚡", "🎯", "😱", "👏")
REACTION_INTERVAL = 0.5


def _state(room_id: int, user_id: int) -> dict[str, Any] | None:
    room = Room.objects.filter(pk=room_id).first()
    if room is None or not room_is_member(room=room, user_id=user_id):
        return None
    rules = room_rules(room)
    return {
        "room": room_public(room),
        "rules": {
            "target_taps": rules.target_taps,
            "game_seconds": rules.game_seconds,
            "countdown_seconds": rules.countdown_seconds,
            "max_packet": rules.max_packet,
        },
    }


def _bonus_state(user_id: int) -> dict[str, Any] | None:
    return bonus_run_public(bonus_run_active(user_id=user_id))


class RoomConsumer(AuthenticatedConsumerMixin, AsyncJsonWebsocketConsumer):
    room_id: int = 0
    user_id: int = 0
    is_organizer = False
    started_ms = 0
    ends_ms = 0
    target = 0
    last_reaction = 0.0
    bonus_run: dict[str, Any] | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Like Channels' dispatch, without its per-message database clean-up hop.

        Channels runs ``close_old_connections`` in a thread before every message; the tap path
        never touches the database, and every database call here goes through
        ``database_sync_to_async``, which does that clean-up itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        if await self.refuse_unless_authenticated():
            return
        if not settings.REDIS_URL:
            await self.accept(self._chosen_subprotocol())
            await self._error("rooms_unavailable", "Games need Redis on this server.")
            await self.close(code=4503)
            return
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        self.user_id = self.scope["user"].tg_id
        state = await database_sync_to_async(_state)(self.room_id, self.user_id)
        await self.accept(self._chosen_subprotocol())
        if state is None:
            await self.send_json({"type": "error", "code": "room_not_found"})
            await self.close(code=4404)
            return
        self._remember(state)
        self.bonus_run = await database_sync_to_async(_bonus_state)(self.user_id)
        await self.channel_layer.group_add(room_group(self.room_id), self.channel_name)
        hub().subscribe(self.room_id, self.send_json)
        await self._send_state(state)

    async def disconnect(self, code: int) -> None:
        if self.room_id:
            hub().unsubscribe(self.room_id, self.send_json)
            await self.channel_layer.group_discard(room_group(self.room_id), self.channel_name)

    def _remember(self, state: dict[str, Any]) -> None:
        room = state["room"]
        self.is_organizer = room["organizer_id"] == self.user_id
        self.target = state["rules"]["target_taps"] or 0
        self.started_ms = _ms(room["started_at"])
        self.ends_ms = _ms(room["ends_at"])

    async def _send_state(self, state: dict[str, Any]) -> None:
        progress = await room_progress_async(async_client(), self.room_id, -1)
        counts = progress[1] if progress else {}
        await self.send_json(
            {
                "type": "state",
                **state,
                "counts": {str(k): v for k, v in counts.items()},
                "server_time": int(time.time() * 1000),
            }
        )

    # --- client frames ------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            await self._error("frame_invalid", "Frames must be JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("frame_invalid", "A frame needs a 'type'.")
            return
        handler = {
            "taps": self._on_taps,
            "reaction": self._on_reaction,
            "start": self._on_start,
            "leave": self._on_leave,
            "ping": self._on_ping,
        }.get(frame["type"])
        if handler is None:
            await self._error("frame_unsupported", "Unknown frame type.")
            return
        try:
            await handler(frame)
        except ApplicationError as exc:
            await self._error(exc.code, exc.message)

    async def _on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong", "server_time": int(time.time() * 1000)})

    async def _on_taps(self, frame: dict[str, Any]) -> None:
        if self.is_organizer:
            await self._error("organizer_cannot_play", "Organizers watch; they do not tap.")
            return
        if "user_id" in frame and frame["user_id"] != self.user_id:
            await self._error("tap_sender_invalid", "Taps are counted for the signed-in player.")
            return
        now_ms = int(time.time() * 1000)
        rules = engine.hero_rules() if self.target else engine.standard_rules()
        problem = engine.packet_error(
            rules,
            count=frame.get("count"),
            timestamp_ms=frame.get("timestamp"),
            now_ms=now_ms,
            started_at_ms=self.started_ms or now_ms + 10**9,
            ends_at_ms=self.ends_ms,
            last_timestamp_ms=None,
        )
        if problem is not None:
            await self._error(problem.value, "This tap packet was refused.")
            return
        result = await taps_record_async(
            async_client(),
            self.room_id,
            self.user_id,
            int(frame["count"]),
            int(frame["timestamp"]),
            window_ms=rules.cheat_window_ms,
            limit=rules.cheat_limit,
            target=self.target,
        )
        if result.refused is not None:
            await self._error(result.refused, "These taps do not count.")
            return
        await self.send_json({"type": "ack", "taps": result.taps})
        if self.bonus_run is not None:
            _total, reached = await bonus_add_async(
                async_client(),
                int(self.bonus_run["id"]),
                self.user_id,
                int(frame["count"]),
                int(self.bonus_run["target_taps"]),
            )
            if reached:
                await database_sync_to_async(bonus_run_complete)(run_id=int(self.bonus_run["id"]))
                self.bonus_run = None
        if result.first_to_target:
            await database_sync_to_async(room_advance)(room_id=self.room_id)

    async def _on_reaction(self, frame: dict[str, Any]) -> None:
        if self.started_ms and time.time() * 1000 >= self.started_ms:
            await self._error("reaction_closed", "Reactions end when the game starts.")
            return
        now = time.monotonic()
        if now - self.last_reaction < REACTION_INTERVAL:
            await self._error("reaction_rate_limited", "Slow down.")
            return
        self.last_reaction = now
        target = frame.get("target")
        if not isinstance(target, int) or isinstance(target, bool):
            await self._error("reaction_invalid", "Tap a player's avatar.")
            return
        burst = target == self.user_id
        emoji = [random.choice(REACTIONS) for _ in range(6 if burst else 1)]
        group_send_now(
            room_group(self.room_id),
            {
                "type": "room.reaction",
                "from": self.user_id,
                "target": target,
                "emoji": emoji,
                "burst": burst,
            },
        )

    async def _on_start(self, frame: dict[str, Any]) -> None:
        user = self.scope["user"]
        await database_sync_to_async(hero_room_start)(organizer=user, room_id=self.room_id)

    async def _on_leave(self, frame: dict[str, Any]) -> None:
        user = self.scope["user"]
        await database_sync_to_async(room_leave)(user=user, room_id=self.room_id)
        await self.send_json({"type": "closed", "reason": "left"})
        await self.close()

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    # --- group events -------------------------------------------------------------------------
    async def room_event(self, event: dict[str, Any]) -> None:
        state = await database_sync_to_async(_state)(self.room_id, self.user_id)
        if state is None:
            await self.send_json({"type": "closed", "reason": event.get("reason", "left")})
            await self.close()
            return
        self._remember(state)
        name = event.get("event")
        room = state["room"]
        if name == "countdown":
            await self.send_json(
                {"type": "countdown", "started_at": room["started_at"], "ends_at": room["ends_at"]}
            )
        elif name == "started":
            await self.send_json({"type": "started", "ends_at": room["ends_at"]})
        elif name == "finished":
            progress = await room_progress_async(async_client(), self.room_id, -1)
            await self.send_json(
                {
                    "type": "finished",
                    "winner_id": room["winner_id"],
                    "prize": room["prize"],
                    "pool": room["pool"],
                    "counts": {str(k): v for k, v in (progress[1] if progress else {}).items()},
                }
            )
        elif name == "closed":
            await self.send_json({"type": "closed", "reason": event.get("reason", "")})
            await self.close()
            return
        await self._send_state(state)

    async def room_reaction(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "reaction",
                "from": event["from"],
                "target": event["target"],
                "emoji": event["emoji"],
                "burst": event["burst"],
            }
        )

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False)


def _ms(iso: str | None) -> int:
    if not iso:
        return 0
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)
