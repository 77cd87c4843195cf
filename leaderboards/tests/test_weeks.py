"""ISO weeks in Europe/Berlin: year boundaries, week 53, Sunday→Monday midnight, DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leaderboards.weeks import day_start, week_key_for, week_key_valid, week_start

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("moment", "key"),
    [
        (berlin(2027, 1, 1, 12), "2026-W53"),  # Friday 1 Jan 2027 belongs to 2026's week 53
        (berlin(2027, 1, 3, 23, 59, 59), "2026-W53"),
        (berlin(2027, 1, 4, 0, 0, 0), "2027-W01"),
        (berlin(2024, 12, 30, 0, 0, 0), "2025-W01"),  # Monday 30 Dec 2024 is 2025's week 1
        (berlin(2024, 12, 29, 23, 59, 59), "2024-W52"),
        (berlin(2021, 1, 3, 12), "2020-W53"),
        (berlin(2026, 1, 1, 0, 0, 0), "2026-W01"),  # Thursday: week 1 of 2026
        (berlin(2026, 3, 29, 12), "2026-W13"),  # DST starts (02:00 → 03:00)
        (berlin(2026, 10, 25, 12), "2026-W43"),  # DST ends (03:00 → 02:00)
    ],
)
def test_week_keys(moment: datetime, key: str) -> None:
    assert week_key_for(moment) == key
    assert week_key_for(moment.astimezone(UTC)) == key


def test_a_second_before_and_after_monday_midnight_in_berlin() -> None:
    midnight = berlin(2026, 1, 12, 0, 0, 0)  # Monday, winter: 23:00 UTC on Sunday
    assert midnight.astimezone(UTC).hour == 23
    assert week_key_for(midnight - timedelta(seconds=1)) == "2026-W02"
    assert week_key_for(midnight) == "2026-W03"
    summer = berlin(2026, 7, 6, 0, 0, 0)  # Monday, summer: 22:00 UTC on Sunday
    assert summer.astimezone(UTC).hour == 22
    assert week_key_for(summer - timedelta(seconds=1)) == "2026-W27"
    assert week_key_for(summer) == "2026-W28"
    # The same UTC instant is still Sunday in UTC but already Monday in Berlin.
    assert week_key_for(datetime(2026, 7, 5, 22, 30, tzinfo=UTC)) == "2026-W28"


def test_dst_weeks_start_at_local_midnight() -> None:
    # The week of the spring change is 167 hours long, the autumn one 169.
    spring = week_start(berlin(2026, 3, 29, 12))
    after_spring = week_start(berlin(2026, 3, 26, 12))
    assert spring == after_spring == berlin(2026, 3, 23, 0, 0).astimezone(UTC)
    assert week_start(berlin(2026, 3, 30, 0, 0)) - spring == timedelta(hours=167)
    autumn = week_start(berlin(2026, 10, 25, 12))
    assert week_start(berlin(2026, 10, 26, 0, 0)) - autumn == timedelta(hours=169)
    assert day_start(berlin(2026, 10, 25, 23, 0)) == berlin(2026, 10, 25, 0, 0).astimezone(UTC)


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("2026-W03", True),
        ("2026-W53", True),
        ("2027-W53", False),  # 2027 has 52 ISO weeks
        ("2026-W00", False),
        ("2026-W3", False),
        ("26-W03", False),
        ("2026W03", False),
        ("", False),
        ("1999-W10", False),
        ("2026-W03; DROP TABLE", False),
    ],
)
def test_week_key_validation(key: str, valid: bool) -> None:
    assert week_key_valid(key) is valid
