from __future__ import annotations

from typing import Any

from django.db.models import Max

from rooms.models import Room, RoomTier, Seat


def tier_list_with_occupancy() -> list[dict[str, Any]]:
    """Active tiers and how full the room a new player would join is."""
    open_rooms = {
        row["tier_id"]: row["seated"]
        for row in Room.objects.filter(
            kind=Room.Kind.STANDARD, phase=Room.Phase.GATHERING, seated__lt=10
        )
        .values("tier_id")
        .annotate(seated=Max("seated"))
    }
    return [
        {
            "id": tier.pk,
            "stars": tier.stars,
            "waiting": open_rooms.get(tier.pk, 0),
            "max_players": 10,
        }
        for tier in RoomTier.objects.filter(is_active=True)
    ]


def room_current_for(*, user_id: int) -> Room | None:
    seat = (
        Seat.objects.filter(
            user_id=user_id,
            left_at__isnull=True,
            room__phase__in=[Room.Phase.GATHERING, Room.Phase.COUNTDOWN, Room.Phase.PLAYING],
        )
        .select_related("room")
        .first()
    )
    if seat is not None:
        return seat.room
    return (
        Room.objects.filter(
            organizer_id=user_id,
            phase__in=[Room.Phase.GATHERING, Room.Phase.COUNTDOWN, Room.Phase.PLAYING],
        )
        .order_by("-id")
        .first()
    )


def room_history_for(*, user_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
    seats = (
        Seat.objects.filter(user_id=user_id, left_at__isnull=True)
        .select_related("room")
        .order_by("-room__created_at")[offset : offset + limit]
    )
    return [
        {
            "room_id": s.room_id,
            "kind": s.room.kind,
            "fee": s.room.fee,
            "phase": s.room.phase,
            "taps": s.taps,
            "won": s.room.winner_id == user_id,
            "prize": s.room.prize if s.room.winner_id == user_id else 0,
            "finished_at": s.room.finished_at,
        }
        for s in seats
    ]


def room_is_member(*, room: Room, user_id: int) -> bool:
    return (
        room.organizer_id == user_id
        or room.seats.filter(user_id=user_id, left_at__isnull=True).exists()
    )
