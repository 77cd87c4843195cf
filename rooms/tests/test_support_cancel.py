"""Support cancels a room stuck by an incident (issue #14): any unfinished phase, every seat
refunded once, audited; a finished room is refused; two agents at once cancel it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Notification, StaffAction
from botapp.notify import notification_text
from chancetap.core.errors import ApplicationError
from payments.ledger import balance_get, ledger_mismatches
from payments.models import LedgerEntry
from payments.tests.test_support_tools import _race
from rooms.models import Room, RoomTier
from rooms.services import room_advance, room_cancel_by_staff
from rooms.tests.test_rooms import join_tier, players  # noqa: F401 - fixture


@pytest.fixture
def agent(make_user):
    staff = make_user(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name="support")[0])
    return staff


def _playing_room(build) -> Room:
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    users = build(10)
    room_id = [join_tier(user, tier).json()["id"] for user in users][-1]
    room = Room.objects.get(pk=room_id)
    assert room.phase == "countdown"
    assert room.started_at is not None
    room_advance(room_id=room.pk, now=room.started_at + timedelta(milliseconds=1))
    room.refresh_from_db()
    assert room.phase == "playing"
    return room


@pytest.mark.django_db
def test_a_game_in_play_is_cancelled_and_every_seat_refunded_once(players, agent) -> None:  # noqa: F811
    room = _playing_room(players)
    seated = list(room.seats.values_list("user_id", flat=True))
    assert all(balance_get(user_id=u) == 80 for u in seated)
    cancelled = room_cancel_by_staff(staff=agent, room_id=room.pk, reason="Redis outage")
    assert cancelled.phase == "cancelled"
    assert all(balance_get(user_id=u) == 100 for u in seated)
    # The game's own end changes nothing any more.
    room_advance(room_id=room.pk, now=timezone.now() + timedelta(minutes=5))
    assert LedgerEntry.objects.filter(cause_type="room", cause_id=str(room.pk)).count() == 20
    with pytest.raises(ApplicationError) as over:
        room_cancel_by_staff(staff=agent, room_id=room.pk, reason="again")
    assert over.value.code == "room_over"
    log = list(StaffAction.objects.order_by("id").values_list("kind", "stars", "outcome"))
    assert log == [("room_cancel", 200, "done"), ("room_cancel", None, "refused")]
    assert ledger_mismatches() == []
    # Each refunded player is owed one message saying support cancelled the room.
    notes = Notification.objects.filter(kind="room_cancelled")
    assert sorted(notes.values_list("user_id", flat=True)) == sorted(seated)
    assert {n.params["reason"] for n in notes} == {"cancelled_by_support"}
    assert "cancelled by support" in notification_text("room_cancelled", notes[0].params, "en")


@pytest.mark.django_db(transaction=True)
def test_two_agents_cancelling_one_room_refund_it_once(players, make_user) -> None:  # noqa: F811
    first, second = make_user(is_staff=True), make_user(is_staff=True)
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    users = players(3)
    room_id = [join_tier(user, tier).json()["id"] for user in users][-1]
    results = _race(
        [
            lambda: room_cancel_by_staff(staff=first, room_id=room_id, reason="stuck"),
            lambda: room_cancel_by_staff(staff=second, room_id=room_id, reason="stuck"),
        ]
    )
    assert sorted(r if isinstance(r, str) else "done" for r in results) == ["done", "room_over"]
    assert all(balance_get(user_id=u.tg_id) == 100 for u in users)
    assert LedgerEntry.objects.filter(kind="room_refund").count() == 3
    assert ledger_mismatches() == []
