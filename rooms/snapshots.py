"""What the room and bonus sockets are told, rendered by the REST API's serializers (sync: the
consumers and the hub call these through ``database_sync_to_async``)."""

from __future__ import annotations

from typing import Any

from rooms.bonus import bonus_run_active, bonus_run_progress
from rooms.models import Room
from rooms.serializers import BonusRunSerializer, RoomStateSerializer
from rooms.services import room_rules


def room_snapshot(room_id: int) -> tuple[dict[str, Any], frozenset[int]] | None:
    """What a room's sockets are told (room + rules) and who may watch it, or None if gone."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        return None
    state = RoomStateSerializer({"room": room, "rules": room_rules(room)}).data
    members = {p["tg_id"] for p in state["room"]["players"]}
    if room.organizer_id is not None:
        members.add(room.organizer_id)
    return state, frozenset(members)


def bonus_run_state(*, user_id: int) -> dict[str, Any] | None:
    """The player's running bonus run as the sockets show it (None when none)."""
    progress = bonus_run_progress(bonus_run_active(user_id=user_id))
    return None if progress is None else dict(BonusRunSerializer(progress).data)
