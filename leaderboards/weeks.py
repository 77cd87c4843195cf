"""ISO weeks in the leaderboard time zone (Europe/Berlin by default): ``2026-W03``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


def leaderboard_tz() -> ZoneInfo:
    return ZoneInfo(settings.LEADERBOARD_TIME_ZONE)


def week_key_for(moment: datetime) -> str:
    local = moment.astimezone(leaderboard_tz())
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def week_key_valid(key: str) -> bool:
    match = WEEK_KEY.match(key or "")
    if not match:
        return False
    year, week = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100 or week < 1:
        return False
    weeks_in_year = date(year, 12, 28).isocalendar()[1]
    return week <= weeks_in_year


def day_start(moment: datetime) -> datetime:
    """Midnight (leaderboard time zone) of ``moment``'s local day, as an aware UTC datetime."""
    local = moment.astimezone(leaderboard_tz())
    return datetime.combine(local.date(), time(0), tzinfo=leaderboard_tz()).astimezone(UTC)


def week_start(moment: datetime) -> datetime:
    local = moment.astimezone(leaderboard_tz())
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=leaderboard_tz()).astimezone(UTC)
