"""Lock order for rooms: tier, then room, then balances (payments.lock) — never the reverse."""

from __future__ import annotations

from rooms.models import Room, RoomTier


def tier_lock_in_tx(tier_id: int) -> RoomTier | None:
    return (
        RoomTier.objects.filter(pk=tier_id, is_active=True).select_for_update(of=("self",)).first()
    )


def room_lock_in_tx(room_id: int) -> Room | None:
    return Room.objects.filter(pk=room_id).select_for_update(of=("self",)).first()
