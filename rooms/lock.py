"""Lock order for rooms: the player, then tier, then room, then balances (payments.lock) — never
the reverse."""

from __future__ import annotations

from accounts.models import User
from rooms.models import Room, RoomTier


def player_lock_in_tx(tg_id: int) -> User | None:
    """Serialise one player's joins and hero creations (one active seat, one running hero room).

    ``FOR NO KEY UPDATE``: it does not conflict with the ``FOR KEY SHARE`` that inserting a row
    referencing the user takes (a refund or prize for this player posted by ``room_advance`` while
    it holds a room lock), so it cannot deadlock against settlement.
    """
    return User.objects.filter(pk=tg_id).select_for_update(no_key=True, of=("self",)).first()


def tier_lock_in_tx(tier_id: int) -> RoomTier | None:
    return (
        RoomTier.objects.filter(pk=tier_id, is_active=True).select_for_update(of=("self",)).first()
    )


def room_lock_in_tx(room_id: int) -> Room | None:
    return Room.objects.filter(pk=room_id).select_for_update(of=("self",)).first()
