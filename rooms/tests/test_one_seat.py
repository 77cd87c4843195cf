"""SPEC §5: a player holds at most one active seat — held by the database, not by a read."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connections
from django.utils import timezone

from payments.ledger import balance_get, ledger_mismatches
from payments.models import LedgerEntry
from rooms.models import Room, RoomTier, Seat
from rooms.services import room_advance
from rooms.tests.test_rooms import client_for, fund


def create_hero(organizer, fee: int) -> str:
    response = client_for(organizer).post(
        "/api/v1/rooms/hero",
        {"fee": fee},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"hero-create-{organizer.tg_id}",
    )
    assert response.status_code == 201, response.content
    return str(response.json()["key"])


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_joins_across_tiers_and_hero_rooms_seat_once(make_user) -> None:
    tiers = [RoomTier.objects.get_or_create(stars=stars)[0] for stars in (20, 50, 100)]
    hero_keys = [create_hero(make_user(), fee) for fee in (7, 11)]
    player = make_user()
    fund(player, 1000)
    requests = [("tier", tiers[i % 3].pk) for i in range(12)] + [
        ("hero", hero_keys[i % 2]) for i in range(8)
    ]
    barrier = threading.Barrier(len(requests))
    answers: list[tuple[int, str | None]] = []

    def worker(i: int, kind: str, target) -> None:
        try:
            client = client_for(player)
            barrier.wait()
            if kind == "tier":
                response = client.post(
                    f"/api/v1/rooms/tiers/{target}/join", HTTP_IDEMPOTENCY_KEY=f"race-{i:04d}"
                )
            else:
                response = client.post(
                    "/api/v1/rooms/hero/join",
                    {"key": target},
                    format="json",
                    HTTP_IDEMPOTENCY_KEY=f"race-{i:04d}",
                )
            answers.append((response.status_code, response.json().get("code")))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(i, kind, target))
        for i, (kind, target) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == sorted([(201, None)] + [(409, "already_in_room")] * 19)
    seat = Seat.objects.get(user=player)  # exactly one seat, ever
    assert seat.active
    fees = LedgerEntry.objects.filter(user=player, kind=LedgerEntry.Kind.ENTRY_FEE)
    assert [e.amount for e in fees] == [-seat.room.fee]
    assert balance_get(user_id=player.tg_id) == 1000 - seat.room.fee
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_active_seat(make_user) -> None:
    """Whatever path forgets the check, the partial unique index holds."""
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    player = make_user()
    rooms = [
        Room.objects.create(kind="standard", tier=tier, fee=20, deadline_at=timezone.now())
        for _ in range(2)
    ]
    Seat.objects.create(room=rooms[0], user=player, number=0, active=True)
    with pytest.raises(IntegrityError, match="one_active_seat_per_user"):
        Seat.objects.create(room=rooms[1], user=player, number=0, active=True)


@pytest.mark.django_db(transaction=True)
def test_a_seat_is_free_again_once_the_room_is_over(make_user) -> None:
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    player = make_user()
    fund(player, 100)
    first = client_for(player).post(
        f"/api/v1/rooms/tiers/{tier.pk}/join", HTTP_IDEMPOTENCY_KEY="a" * 8
    )
    assert first.status_code == 201
    room = Room.objects.get()
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "cancelled"  # alone: refunded
    assert not Seat.objects.get(room=room).active
    again = client_for(player).post(
        f"/api/v1/rooms/tiers/{tier.pk}/join", HTTP_IDEMPOTENCY_KEY="b" * 8
    )
    assert again.status_code == 201
    assert Seat.objects.filter(user=player, active=True).count() == 1
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_hero_creations_make_one_room(make_user) -> None:
    organizer = make_user()
    barrier = threading.Barrier(6)
    codes: list[tuple[int, str | None]] = []

    def worker(i: int) -> None:
        try:
            client = client_for(organizer)
            barrier.wait()
            response = client.post(
                "/api/v1/rooms/hero", {"fee": 5}, format="json", HTTP_IDEMPOTENCY_KEY=f"hc-{i:06d}"
            )
            codes.append((response.status_code, response.json().get("code")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == sorted([(201, None)] + [(409, "hero_room_exists")] * 5)
    assert Room.objects.filter(organizer=organizer).count() == 1
