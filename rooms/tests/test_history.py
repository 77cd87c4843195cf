"""A player's game history (``GET /api/v1/rooms/history``): how each game ended for him, the pool,
who else played, in a constant number of queries a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.ledger import balance_get
from rooms.models import Room, RoomTier
from rooms.services import room_advance
from rooms.tests.test_rooms import client_for, join_tier, play

pytestmark = pytest.mark.django_db


@pytest.fixture
def tier20() -> RoomTier:
    return RoomTier.objects.get_or_create(stars=20)[0]


@pytest.fixture
def players(make_user):
    from rooms.tests.test_rooms import fund

    def build(*names: str, stars: int = 200):
        users = [make_user(first_name=name) for name in names]
        for user in users:
            fund(user, stars)
        return users

    return build


def finished_game(users, tier: RoomTier, taps: dict[int, int]) -> Room:
    """Seat ``users`` in one room of ``tier``, play ``taps`` and settle it."""
    for user in users:
        assert join_tier(user, tier).status_code == 201
    room = Room.objects.filter(tier=tier).order_by("-id").first()
    assert room is not None
    room_advance(room_id=room.pk, now=room.deadline_at)  # gathering over: the countdown
    room.refresh_from_db()
    assert room.started_at is not None
    assert room.ends_at is not None
    room_advance(room_id=room.pk, now=room.started_at)
    play(room, taps)
    assert room_advance(room_id=room.pk, now=room.ends_at) == "finished"
    room.refresh_from_db()
    return room


def history(user, query: str = "") -> dict:
    response = client_for(user).get(f"/api/v1/rooms/history{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_finished_game_shows_result_pool_and_the_other_players(players, tier20) -> None:
    ada, bob, cy = players("Ada", "Bob", "Cy")
    room = finished_game([ada, bob, cy], tier20, {ada.tg_id: 12, bob.tg_id: 30, cy.tg_id: 5})

    (mine,) = history(ada)["items"]
    assert mine["room_id"] == room.pk
    assert (mine["kind"], mine["fee"], mine["phase"]) == ("standard", 20, "finished")
    assert (mine["result"], mine["won"], mine["prize"], mine["taps"]) == ("lost", False, 0, 12)
    assert (mine["pool"], mine["players"]) == (60, 3)
    assert mine["co_players"] == [
        {"tg_id": bob.tg_id, "first_name": "Bob", "taps": 30},
        {"tg_id": cy.tg_id, "first_name": "Cy", "taps": 5},
    ]
    assert mine["finished_at"] is not None
    assert mine["created_at"] is not None

    (theirs,) = history(bob)["items"]
    assert (theirs["result"], theirs["won"], theirs["prize"], theirs["taps"]) == (
        "won",
        True,
        60,
        30,
    )
    assert [p["first_name"] for p in theirs["co_players"]] == ["Ada", "Cy"]
    assert balance_get(user_id=bob.tg_id) == 200 - 20 + 60


def test_a_game_nobody_won_and_a_cancelled_room_say_so(players, tier20) -> None:
    ada, bob = players("Ada", "Bob")
    no_winner = finished_game([ada, bob], tier20, {})  # no taps: nobody may win, fees go back
    assert no_winner.winner_id is None
    assert join_tier(ada, tier20).status_code == 201  # alone in the next room: cancelled
    alone = Room.objects.order_by("-id").first()
    assert alone is not None
    assert alone.pk != no_winner.pk
    assert room_advance(room_id=alone.pk, now=alone.deadline_at) == "cancelled"

    cancelled, refunded = history(ada)["items"]  # newest first
    assert (cancelled["room_id"], cancelled["phase"], cancelled["result"]) == (
        alone.pk,
        "cancelled",
        "cancelled",
    )
    assert (cancelled["pool"], cancelled["players"], cancelled["co_players"]) == (20, 1, [])
    assert (refunded["room_id"], refunded["phase"], refunded["result"]) == (
        no_winner.pk,
        "finished",
        "refunded",
    )
    assert (refunded["won"], refunded["prize"], refunded["pool"]) == (False, 0, 40)
    assert balance_get(user_id=ada.tg_id) == 200


def test_a_room_still_gathering_is_in_progress_and_a_left_seat_is_not_listed(
    players, tier20
) -> None:
    ada, bob = players("Ada", "Bob")
    assert join_tier(ada, tier20).status_code == 201
    room = Room.objects.get()
    assert join_tier(bob, tier20).status_code == 201
    assert client_for(bob).post(f"/api/v1/rooms/{room.pk}/leave").status_code == 200

    (item,) = history(ada)["items"]
    assert (item["result"], item["pool"], item["players"], item["co_players"]) == (
        "in_progress",
        20,
        1,
        [],
    )
    assert history(bob)["items"] == []  # left before the start: refunded, in the ledger only


def test_a_page_costs_the_same_queries_however_many_games_and_players(players, tier20) -> None:
    me, *others = players("Me", "A", "B", "C", "D", "E", "F")
    finished_game([me, others[0]], tier20, {me.tg_id: 3})

    def queries(query: str) -> tuple[int, dict]:
        client = client_for(me)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/rooms/history{query}")
        assert response.status_code == 200, response.content
        return len(captured), response.json()

    one_game, page = queries("")
    assert len(page["items"]) == 1
    for n in range(2, 6):  # four more games, with up to six co-players each
        finished_game([me, *others[: n + 1]], tier20, {me.tg_id: n})
    five_games, page = queries("")
    assert len(page["items"]) == 5
    assert sum(len(i["co_players"]) for i in page["items"]) == 1 + 3 + 4 + 5 + 6
    assert five_games == one_game

    first, more = queries("?limit=2")
    assert (len(more["items"]), more["has_more"]) == (2, True)
    assert first == one_game
    _, rest = queries("?limit=2&offset=4")
    assert ([i["taps"] for i in rest["items"]], rest["has_more"]) == ([3], False)
