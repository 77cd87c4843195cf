"""Realtime events to one user's ``ws/me/`` connections, sent only after commit."""

from __future__ import annotations

from collections.abc import Mapping

from chancetap.core.realtime import group_send_on_commit


def user_group(tg_id: int) -> str:
    return f"user.{tg_id}"


def user_event_send(*, tg_id: int, payload: Mapping[str, object]) -> None:
    """Queue ``payload`` for the user's sockets once the current transaction commits.

    ``payload`` is one of the ``ws/me/`` events declared beside its sender (``payments.events``,
    ``rooms.bonus_frames``) and listed in ``chancetap.profile.frames.MeServerFrame``."""
    group_send_on_commit(user_group(tg_id), {"type": "user.event", "payload": payload})


def user_sockets_close_on_commit(*, tg_id: int, code: str, message: str) -> None:
    """Once the transaction commits, close every socket of the user on every web process: the
    ``ws/me/`` and ``ws/bonus/`` sockets through the user's group, room sockets through their
    room's group (``rooms.services.room_kick_on_commit``)."""
    group_send_on_commit(user_group(tg_id), {"type": "user.kick", "code": code, "message": message})
