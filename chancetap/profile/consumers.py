"""``ws/me/``: the player's personal event stream (balance changes, payment results)."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.serializers.json import DjangoJSONEncoder

from accounts.events import user_group
from accounts.ws_auth import CLOSE_FORBIDDEN, AuthenticatedConsumerMixin
from chancetap.observability import metrics
from chancetap.profile.frames import MeServerFrame
from chancetap.profile.selectors import user_profile
from chancetap.profile.serializers import ProfileSerializer

# One serializer, reused for every hello (building one per socket deep-copies its fields: memory
# and time when many players connect at once, as after a deploy).
_PROFILE = ProfileSerializer()


def _profile_render(user: Any) -> dict[str, Any]:
    return dict(_PROFILE.to_representation(user_profile(user=user)))


class UserEventsConsumer(AuthenticatedConsumerMixin, AsyncJsonWebsocketConsumer):
    group: str = ""

    async def connect(self) -> None:
        if await self.refuse_unless_authenticated():
            return
        user = self.scope["user"]
        self.group = user_group(user.tg_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(self._chosen_subprotocol())
        metrics.ws_connections.labels(endpoint="me").inc()
        profile = await database_sync_to_async(_profile_render)(user)
        await self._send_frame({"type": "hello", "user": profile})

    async def disconnect(self, code: int) -> None:
        if self.group:
            metrics.ws_connections.labels(endpoint="me").dec()
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        metrics.ws_message("in", content.get("type") if isinstance(content, dict) else None)
        if isinstance(content, dict) and content.get("type") == "ping":
            await self._send_frame({"type": "pong"})
            return
        await self._send_frame(
            {"type": "error", "code": "frame_unsupported", "message": "Unknown frame type."}
        )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data)
        except ValueError:
            await self._send_frame(
                {"type": "error", "code": "frame_invalid", "message": "Frames must be JSON."}
            )

    async def user_event(self, event: dict[str, Any]) -> None:
        """Relay an event sent to the user's group (see ``accounts.events.user_event_send``)."""
        await self._send_frame(event["payload"])

    async def user_kick(self, event: dict[str, Any]) -> None:
        """The account was blocked: say why and close (``accounts.events``)."""
        await self._send_frame(
            {"type": "error", "code": event["code"], "message": event["message"]}
        )
        await self.close(code=CLOSE_FORBIDDEN)

    async def _send_frame(self, frame: MeServerFrame) -> None:
        await self.send_json(frame)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        metrics.ws_message("out", content.get("type") if isinstance(content, dict) else None)
        return json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False)
