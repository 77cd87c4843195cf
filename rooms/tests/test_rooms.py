"""Rooms end to end through services and REST on real Postgres + Redis."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms.models import Room, RoomSettings, RoomTier, Seat
from rooms.services import room_advance, rooms_sweep
from rooms.taps import taps_record

pytestmark = pytest.mark.django_db


def fund(user, stars: int) -> None:
    with transaction.atomic():
        ledger_post_in_tx(
            [Posting(user.tg_id, LedgerEntry.Kind.TOPUP, stars, f"seed:{user.tg_id}:{stars}")]
        )


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=user.tg_id)}")
    return client


_keys = iter(range(10**6))


def join_tier(user, tier: RoomTier):
    return client_for(user).post(
        f"/api/v1/rooms/tiers/{tier.pk}/join", HTTP_IDEMPOTENCY_KEY=f"join-{next(_keys):08d}"
    )


@pytest.fixture
def tier20() -> RoomTier:
    return RoomTier.objects.get_or_create(stars=20)[0]


@pytest.fixture
def players(make_user):
    def build(n: int, stars: int = 100):
        users = [make_user() for _ in range(n)]
        for user in users:
            fund(user, stars)
        return users

    return build


def test_default_tiers_are_listed(auth_client, migration_data) -> None:
    client, _ = auth_client()
    tiers = client.get("/api/v1/rooms/tiers").json()
    assert [t["stars"] for t in tiers] == [20, 50, 100, 200, 300, 500]
    assert {t["waiting"] for t in tiers} == {0}


def test_join_debits_the_fee_and_seats(players, tier20) -> None:
    (user,) = players(1)
    response = join_tier(user, tier20)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phase"] == "gathering"
    assert [p["tg_id"] for p in body["players"]] == [user.tg_id]
    assert balance_get(user_id=user.tg_id) == 80
    again = join_tier(user, tier20)
    assert (again.status_code, again.json()["code"]) == (409, "already_in_room")
    tiers = client_for(user).get("/api/v1/rooms/tiers").json()
    assert next(t for t in tiers if t["stars"] == 20)["waiting"] == 1


def test_tiers_show_the_room_a_new_player_would_join(auth_client, tier20) -> None:
    """The oldest gathering room with a free seat (the one a join takes), with its own size."""
    deadline = timezone.now() + timedelta(minutes=1)
    Room.objects.create(
        kind=Room.Kind.STANDARD, tier=tier20, fee=20, deadline_at=deadline, seated=6, max_players=6
    )
    Room.objects.create(
        kind=Room.Kind.STANDARD, tier=tier20, fee=20, deadline_at=deadline, seated=3, max_players=8
    )
    Room.objects.create(
        kind=Room.Kind.STANDARD, tier=tier20, fee=20, deadline_at=deadline, seated=5, max_players=8
    )
    client, _ = auth_client()
    tier = next(t for t in client.get("/api/v1/rooms/tiers").json() if t["id"] == tier20.pk)
    assert (tier["waiting"], tier["max_players"]) == (3, 8)


def test_short_balance_is_402_with_the_shortfall(make_user, tier20) -> None:
    user = make_user()
    fund(user, 5)
    response = join_tier(user, tier20)
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "insufficient_balance"
    assert body["details"] == {"needed": 20, "available": 5, "shortfall": 15}
    assert not Seat.objects.exists()
    assert balance_get(user_id=user.tg_id) == 5


def test_idempotent_join_replays(players, tier20) -> None:
    (user,) = players(1)
    client = client_for(user)
    first = client.post(f"/api/v1/rooms/tiers/{tier20.pk}/join", HTTP_IDEMPOTENCY_KEY="same-join-1")
    second = client.post(
        f"/api/v1/rooms/tiers/{tier20.pk}/join", HTTP_IDEMPOTENCY_KEY="same-join-1"
    )
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert balance_get(user_id=user.tg_id) == 80


def play(room: Room, taps: dict[int, int]) -> None:
    """Taps sent faster than a person could: the anti-cheat limit is lifted for these players."""
    base = 10_000
    for user_id, count in taps.items():
        sent = 0
        while sent < count:
            n = min(20, count - sent)
            base += 1
            target = 200 if room.kind == "hero" else 0
            result = taps_record(room.pk, user_id, n, base, limit=10**9, target=target)
            assert result.refused is None
            sent += n


def test_full_standard_room_plays_and_pays_the_winner(players, tier20) -> None:
    users = players(10)
    for user in users:
        assert join_tier(user, tier20).status_code == 201
    room = Room.objects.get()
    assert room.phase == "countdown"  # 10 seated: the countdown starts at once
    assert room.started_at is not None
    assert room.ends_at is not None
    assert room_advance(room_id=room.pk, now=room.started_at) == "playing"
    play(room, {users[0].tg_id: 30, users[1].tg_id: 45, users[2].tg_id: 44})
    assert room_advance(room_id=room.pk, now=room.ends_at - timedelta(seconds=1)) == "unchanged"
    assert room_advance(room_id=room.pk, now=room.ends_at) == "finished"
    assert room_advance(room_id=room.pk, now=room.ends_at) == "unchanged"  # idempotent
    room.refresh_from_db()
    assert (room.winner_id, room.prize, room.pool) == (users[1].tg_id, 200, 200)
    assert balance_get(user_id=users[1].tg_id) == 80 + 200
    assert balance_get(user_id=users[0].tg_id) == 80
    assert Seat.objects.get(room=room, user=users[1]).taps == 45
    assert ledger_mismatches() == []


def test_house_share(players, tier20) -> None:
    RoomSettings.objects.update_or_create(pk=1, defaults={"house_share_bp": 1000})
    users = players(2)
    for user in users:
        join_tier(user, tier20)
    room = Room.objects.get()
    room_advance(room_id=room.pk, now=room.deadline_at)
    room.refresh_from_db()
    room_advance(room_id=room.pk, now=room.started_at)
    play(room, {users[0].tg_id: 5})
    room_advance(room_id=room.pk, now=room.ends_at)
    assert balance_get(user_id=users[0].tg_id) == 80 + 36
    assert balance_get(user_id=777000) == 4
    assert ledger_mismatches() == []


def test_timer_with_three_players_starts_and_lone_player_is_refunded(players, tier20) -> None:
    users = players(3)
    for user in users:
        join_tier(user, tier20)
    room = Room.objects.get()
    assert room_advance(room_id=room.pk, now=room.deadline_at - timedelta(seconds=1)) == "unchanged"
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "countdown"

    (lone,) = players(1)
    join_tier(lone, tier20)
    lonely = Room.objects.exclude(pk=room.pk).get()
    assert room_advance(room_id=lonely.pk, now=lonely.deadline_at) == "cancelled"
    assert balance_get(user_id=lone.tg_id) == 100
    assert ledger_mismatches() == []


def test_nobody_tapped_everyone_refunded(players, tier20) -> None:
    users = players(2)
    for user in users:
        join_tier(user, tier20)
    room = Room.objects.get()
    room_advance(room_id=room.pk, now=room.deadline_at)
    room.refresh_from_db()
    room_advance(room_id=room.pk, now=room.started_at)
    room_advance(room_id=room.pk, now=room.ends_at)
    assert [balance_get(user_id=u.tg_id) for u in users] == [100, 100]


def test_cheater_cannot_win(players, tier20) -> None:
    honest, cheater = players(2)
    for user in (honest, cheater):
        join_tier(user, tier20)
    room = Room.objects.get()
    room_advance(room_id=room.pk, now=room.deadline_at)
    room.refresh_from_db()
    room_advance(room_id=room.pk, now=room.started_at)
    results = [taps_record(room.pk, cheater.tg_id, 17, 1000 + i) for i in range(3)]  # 51 taps
    assert results[-1].refused == "cheater_flagged"
    assert taps_record(room.pk, cheater.tg_id, 1, 2000).refused == "cheater"
    taps_record(room.pk, honest.tg_id, 3, 1000)
    room_advance(room_id=room.pk, now=room.ends_at)
    room.refresh_from_db()
    assert room.winner_id == honest.tg_id
    assert Seat.objects.get(room=room, user=cheater).cheater is True


def test_backwards_timestamps_are_refused(players, tier20) -> None:
    (user,) = players(1)
    assert taps_record(999, user.tg_id, 5, 5000).refused is None
    assert taps_record(999, user.tg_id, 5, 4999).refused == "tap_timestamp_backwards"
    assert taps_record(999, user.tg_id, 5, 5000).taps == 10


def test_leave_before_start_refunds(players, tier20) -> None:
    (user,) = players(1)
    room_id = join_tier(user, tier20).json()["id"]
    response = client_for(user).post(f"/api/v1/rooms/{room_id}/leave")
    assert response.status_code == 200
    assert balance_get(user_id=user.tg_id) == 100
    assert join_tier(user, tier20).status_code == 201  # may join again


def test_hero_room_flow_with_first_to_200_and_90_10_split(players, make_user) -> None:
    organizer = make_user()
    a, b = players(2)
    created = client_for(organizer).post(
        "/api/v1/rooms/hero", {"fee": 50}, format="json", HTTP_IDEMPOTENCY_KEY="hero-create-1"
    )
    assert created.status_code == 201, created.content
    key, room_id = created.json()["key"], created.json()["id"]
    assert len(key) == 6
    assert created.json()["join_link"] == f"https://t.me/ChanceTapBot/play?startapp=hero_{key}"
    own = client_for(organizer).post(
        "/api/v1/rooms/hero/join", {"key": key}, format="json", HTTP_IDEMPOTENCY_KEY="own-join-1"
    )
    assert own.json()["code"] == "organizer_cannot_play"
    start_early = client_for(organizer).post(f"/api/v1/rooms/{room_id}/start")
    assert start_early.json()["code"] == "not_enough_players"
    for i, user in enumerate((a, b)):
        joined = client_for(user).post(
            "/api/v1/rooms/hero/join",
            {"key": key.lower()},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"hero-join-{i:04d}",
        )
        assert joined.status_code == 201, joined.content
    assert client_for(a).post(f"/api/v1/rooms/{room_id}/start").json()["code"] == "not_organizer"
    assert client_for(organizer).post(f"/api/v1/rooms/{room_id}/start").status_code == 200
    room = Room.objects.get(pk=room_id)
    assert room.started_at is not None
    room_advance(room_id=room.pk, now=room.started_at)
    play(room, {a.tg_id: 150, b.tg_id: 200})
    assert room_advance(room_id=room.pk, now=room.started_at + timedelta(seconds=5)) == "finished"
    room.refresh_from_db()
    assert (room.winner_id, room.prize) == (b.tg_id, 90)
    assert balance_get(user_id=b.tg_id) == 50 + 90
    assert balance_get(user_id=organizer.tg_id) == 10
    assert ledger_mismatches() == []


def test_hero_timeout_refunds_everyone(players, make_user) -> None:
    organizer = make_user()
    (a,) = players(1)
    key = (
        client_for(organizer)
        .post(
            "/api/v1/rooms/hero", {"fee": 30}, format="json", HTTP_IDEMPOTENCY_KEY="hero-create-2"
        )
        .json()["key"]
    )
    client_for(a).post(
        "/api/v1/rooms/hero/join", {"key": key}, format="json", HTTP_IDEMPOTENCY_KEY="hero-join-9"
    )
    room = Room.objects.get(key=key)
    assert balance_get(user_id=a.tg_id) == 70
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "cancelled"
    assert balance_get(user_id=a.tg_id) == 100


@pytest.mark.parametrize(
    ("body", "code"),
    [({"key": "NOPE42"}, "room_key_unknown"), ({"key": 123456}, "validation_error")],
)
def test_bad_hero_joins(players, body, code) -> None:
    (user,) = players(1)
    response = client_for(user).post(
        "/api/v1/rooms/hero/join", body, format="json", HTTP_IDEMPOTENCY_KEY="bad-join-01"
    )
    assert response.json()["code"] == code


def test_sweeper_advances_overdue_rooms(players, tier20) -> None:
    users = players(2)
    for user in users:
        join_tier(user, tier20)
    room = Room.objects.get()
    Room.objects.filter(pk=room.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    assert rooms_sweep() == 1
    assert Room.objects.get(pk=room.pk).phase == "countdown"


@pytest.mark.django_db(transaction=True)
def test_hundred_concurrent_joins_fill_rooms_of_ten(players, tier20) -> None:
    users = players(100, stars=20)
    barrier = threading.Barrier(20)
    codes: list[int] = []

    def worker(chunk) -> None:
        try:
            barrier.wait()
            for user in chunk:
                codes.append(join_tier(user, tier20).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(users[i::20],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(201) == 100
    rooms = list(Room.objects.all())
    assert len(rooms) == 10
    assert sorted(r.seated for r in rooms) == [10] * 10
    assert all(Seat.objects.filter(room=r, left_at__isnull=True).count() == 10 for r in rooms)
    assert all(balance_get(user_id=u.tg_id) == 0 for u in users)
    assert LedgerEntry.objects.filter(kind="entry_fee").count() == 100
    assert ledger_mismatches() == []


def test_a_payout_refreshes_the_cached_game_leaderboard(
    players, tier20, django_capture_on_commit_callbacks
) -> None:
    users = players(2)
    for user in users:
        join_tier(user, tier20)
    viewer = client_for(users[1])
    assert viewer.get("/api/v1/leaderboards/games/today").json()["items"] == []
    room = Room.objects.get()
    room_advance(room_id=room.pk, now=room.deadline_at)
    room.refresh_from_db()
    room_advance(room_id=room.pk, now=room.started_at)
    play(room, {users[0].tg_id: 3})
    with django_capture_on_commit_callbacks(execute=True):
        room_advance(room_id=room.pk, now=room.ends_at)
    items = viewer.get("/api/v1/leaderboards/games/today").json()["items"]
    assert [(i["tg_id"], i["stars_won"]) for i in items] == [(users[0].tg_id, 40)]


def test_without_redis_nobody_pays_for_a_game(players, tier20, settings) -> None:
    (user,) = players(1)
    settings.REDIS_URL = ""
    response = join_tier(user, tier20)
    assert (response.status_code, response.json()["code"]) == (503, "rooms_unavailable")
    hero = client_for(user).post(
        "/api/v1/rooms/hero", {"fee": 5}, format="json", HTTP_IDEMPOTENCY_KEY="hero-noredis"
    )
    assert hero.json()["code"] == "rooms_unavailable"
    assert client_for(user).post("/api/v1/bonus/start").json()["code"] == "rooms_unavailable"
    assert balance_get(user_id=user.tg_id) == 100
