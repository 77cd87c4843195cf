"""What the room and bonus sockets are told, rendered by the REST API's serializers (sync: the
consumers and the hub call these through ``database_sync_to_async``)."""

from __future__ import annotations

from typing import Any

from rooms.bonus import bonus_run_active, bonus_run_progress
from rooms.models import Room
from rooms.serializers import BonusRunSerializer, RoomStateSerializer
from rooms.services import room_rules

# One serializer of each, reused: building one deep-copies its fields, and 5 000 sockets connecting
# at once made that garbage ~15 KB of resident memory per connection (make bench, 31.6 → 47.0 KB
# when these bodies moved to serializers). ``to_representation`` keeps no state between calls.
_ROOM_STATE = RoomStateSerializer()
_BONUS_RUN = BonusRunSerializer()


def room_snapshot(room_id: int) -> tuple[dict[str, Any], frozenset[int]] | None:
    """What a room's sockets are told (room + rules) and who may watch it, or None if gone."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        return None
    state = _ROOM_STATE.to_representation({"room": room, "rules": room_rules(room)})
    members = {p["tg_id"] for p in state["room"]["players"]}
    if room.organizer_id is not None:
        members.add(room.organizer_id)
    return state, frozenset(members)


def bonus_run_state(*, user_id: int) -> dict[str, Any] | None:
    """The player's running bonus run as the sockets show it (None when none)."""
    progress = bonus_run_progress(bonus_run_active(user_id=user_id))
    return None if progress is None else dict(_BONUS_RUN.to_representation(progress))
