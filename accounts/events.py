"""Realtime events to one user's ``ws/me/`` connections, sent only after commit."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chancetap.core.transactions import on_commit


def user_group(tg_id: int) -> str:
    return f"user.{tg_id}"


def user_event_send(*, tg_id: int, payload: dict[str, Any]) -> None:
    """Queue ``payload`` for the user's sockets once the current transaction commits."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(
                user_group(tg_id), {"type": "user.event", "payload": payload}
            )

    on_commit(send)
