"""The statistics page (issue #14): a scripted history over two Berlin days — players, top-ups,
donations (one just after midnight Berlin time, still the day before in UTC), a game with a prize
and a house share, a cancelled room, a refund — gives exact daily figures and totals, and the CSV
says the same as the page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group

from payments.ledger import ledger_mismatches
from payments.services import star_refund_record
from payments.tests.test_admin import paid_charge
from rooms.models import Room, RoomSettings, RoomTier
from rooms.services import room_advance
from rooms.taps import taps_record
from rooms.tests.test_rooms import join_tier

pytestmark = pytest.mark.django_db
D1, D2 = date(2026, 11, 10), date(2026, 11, 11)


def at(day: date, hour: int, minute: int = 0) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC))


def play_and_finish(a, b, tier: RoomTier) -> None:
    room_id = [join_tier(user, tier).json()["id"] for user in (a, b)][-1]
    room = Room.objects.get(pk=room_id)
    with time_machine.travel(room.deadline_at + timedelta(seconds=1)):
        room_advance(room_id=room_id)
    room.refresh_from_db()
    assert room.started_at is not None
    assert room.ends_at is not None
    with time_machine.travel(room.started_at + timedelta(seconds=1)):
        room_advance(room_id=room_id)
        taps_record(room_id, a.tg_id, 5, 1)
    room.refresh_from_db()
    with time_machine.travel(room.ends_at + timedelta(seconds=2)):
        room_advance(room_id=room_id)
    room.refresh_from_db()
    assert (room.phase, room.winner_id, room.prize) == ("finished", a.tg_id, 36)


def test_a_scripted_history_gives_exact_figures(client, make_user) -> None:
    RoomSettings.objects.update_or_create(pk=1, defaults={"house_share_bp": 1000})  # 10 %
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    with at(D1, 9):
        a, b, c = make_user(), make_user(), make_user()
        paid_charge(a, 100)
        b_charge = paid_charge(b, 50)
        paid_charge(c, 30, "donation")
    with at(D1, 10):
        play_and_finish(a, b, tier)
    with at(D1, 23, 30):  # 00:30 on D2 in Berlin
        paid_charge(c, 10, "donation")
    with at(D2, 10):
        d = make_user()
        lone = join_tier(a, tier).json()["id"]
        room = Room.objects.get(pk=lone)
    with time_machine.travel(room.deadline_at + timedelta(seconds=1)):
        assert room_advance(room_id=lone)  # one player: cancelled, refunded
        star_refund_record(from_user_id=b.tg_id, telegram_payment_charge_id=b_charge)
    assert Room.objects.get(pk=lone).phase == "cancelled"
    assert d.pk

    staff = make_user(is_staff=True)
    staff.groups.add(Group.objects.get(name="game admin"))
    client.force_login(staff)
    page = client.get("/admin/backoffice/statistics/", {"start": "2026-11-10", "end": "2026-11-11"})
    assert page.status_code == 200
    stats = page.context["stats"]
    expected = {
        "donations": (1, 1, 2),
        "donation_stars": (30, 10, 40),
        "topup_stars": (150, 0, 150),
        "house_stars": (4, 0, 4),
        "prize_stars": (36, 0, 36),
        "room_refund_stars": (0, 20, 20),
        "support_refund_stars": (0, 50, 50),
        "games_finished": (1, 0, 1),
        "games_cancelled": (0, 1, 1),
        "hero_games": (0, 0, 0),
        "players_new": (3, 1, 4),
        "players_active": (2, 1, 2),  # A sat on both days: once in the range
        "players_paying": (3, 1, 3),
        "ton_topups": (0, 0, 0),
    }
    for key, (first, second, total) in expected.items():
        assert (stats.value(key, D1), stats.value(key, D2), stats.total(key)) == (
            first,
            second,
            total,
        ), key
    assert stats.total("donation_tons") == 40  # the default rate: 1 ton per Star

    exported = client.get(
        "/admin/backoffice/statistics/",
        {"start": "2026-11-10", "end": "2026-11-11", "format": "csv"},
    )
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["day"] for r in rows] == ["2026-11-10", "2026-11-11", "total"]
    for key, (first, second, total) in expected.items():
        assert [rows[0][key], rows[1][key], rows[2][key]] == [str(first), str(second), str(total)]
    assert ledger_mismatches() == []


def test_bad_ranges_are_400(client, make_user) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = "/admin/backoffice/statistics/"
    assert client.get(url, {"start": "yesterday"}).status_code == 400
    assert client.get(url, {"start": "2026-11-12", "end": "2026-11-10"}).status_code == 400
    assert client.get(url, {"start": "2020-01-01", "end": "2026-11-10"}).status_code == 400
    assert client.get(url).status_code == 200  # the last 30 days
