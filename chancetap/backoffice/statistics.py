"""Daily figures for the people who run the game (issue #14): money in and out, games, players.

Every figure is a grouped aggregate over the ledger and the game tables (so it reconciles with
``ledger_check``), per day in the leaderboards' time zone (Europe/Berlin by default). Each query is
one ``GROUP BY`` day over an indexed time column, bounded by the range, whatever the tables' size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate

from accounts.models import User
from leaderboards.models import Donation
from leaderboards.weeks import leaderboard_tz
from payments.models import LedgerEntry, StarCharge, TonTopup
from rooms.models import Room, Seat

# (key, label, unit) in the order the page and the CSV show them.
METRICS: list[tuple[str, str, str]] = [
    ("donations", "Donations", "count"),
    ("donation_stars", "Donated Stars", "⭐"),
    ("donation_tons", "Donated tons", "tons"),
    ("topup_stars", "Stars topped up (Telegram)", "⭐"),
    ("ton_topups", "TON top-ups paid", "count"),
    ("ton_topup_stars", "Stars topped up (TON)", "⭐"),
    ("house_stars", "House revenue", "⭐"),
    ("prize_stars", "Prizes paid", "⭐"),
    ("organizer_stars", "Organizer shares paid", "⭐"),
    ("room_refund_stars", "Room refunds", "⭐"),
    ("support_refund_stars", "Stars refunded by Telegram", "⭐"),
    ("games_finished", "Games played", "count"),
    ("games_cancelled", "Games cancelled", "count"),
    ("hero_games", "Hero games played", "count"),
    ("players_new", "New players", "count"),
    ("players_active", "Active players (took a seat)", "count"),
    ("players_paying", "Paying players", "count"),
]


@dataclass
class Statistics:
    start: date
    end: date  # inclusive
    days: list[date]
    figures: dict[str, dict[date, Any]] = field(default_factory=dict)
    distinct: dict[str, int] = field(default_factory=dict)  # players over the whole range

    def value(self, key: str, day: date) -> Any:
        return self.figures.get(key, {}).get(day, 0)

    def total(self, key: str) -> Any:
        if key in self.distinct:
            return self.distinct[key]  # a player active on two days counts once
        return sum(self.figures.get(key, {}).values(), Decimal(0) if "tons" in key else 0)

    def rows(self) -> list[tuple[date, list[Any]]]:
        return [(day, [self.value(key, day) for key, _, _ in METRICS]) for day in self.days]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = leaderboard_tz()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _per_day(queryset: QuerySet[Any], column: str, **aggregates: Any) -> dict[str, dict[date, Any]]:
    rows = (
        queryset.annotate(day=TruncDate(column, tzinfo=leaderboard_tz()))
        .values("day")
        .annotate(**aggregates)
        .order_by()
    )
    out: dict[str, dict[date, Any]] = {name: {} for name in aggregates}
    for row in rows:
        for name in aggregates:
            out[name][row["day"]] = row[name] or 0
    return out


def statistics_daily(*, start: date, end: date) -> Statistics:
    since, until = _bounds(start, end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    stats = Statistics(start=start, end=end, days=days)
    f = stats.figures

    def within(model_qs: QuerySet[Any], column: str) -> QuerySet[Any]:
        return model_qs.filter(**{f"{column}__gte": since, f"{column}__lt": until})

    donations = within(Donation.objects.filter(refunded_at__isnull=True), "created_at")
    f.update(
        _per_day(
            donations,
            "created_at",
            donations=Count("id"),
            donation_stars=Sum("stars"),
            donation_tons=Sum("tons"),
        )
    )
    f.update(
        _per_day(
            within(StarCharge.objects.filter(purpose="topup"), "applied_at"),
            "applied_at",
            topup_stars=Sum("stars"),
        )
    )
    f.update(
        _per_day(
            within(TonTopup.objects.filter(status="paid"), "paid_at"),
            "paid_at",
            ton_topups=Count("id"),
            ton_topup_stars=Sum("stars"),
        )
    )
    ledger = within(LedgerEntry.objects.all(), "created_at")
    house = ledger.filter(user_id=settings.HOUSE_TG_ID, cause_type="room")
    f.update(_per_day(house, "created_at", house_stars=Sum("amount")))
    for key, kind in (
        ("prize_stars", LedgerEntry.Kind.PRIZE),
        ("organizer_stars", LedgerEntry.Kind.ORGANIZER_SHARE),
        ("room_refund_stars", LedgerEntry.Kind.ROOM_REFUND),
    ):
        f.update(_per_day(ledger.filter(kind=kind), "created_at", **{key: Sum("amount")}))
    # Stars Telegram gave back (support refunds and refunds players got from Telegram), whatever
    # the balance still held: the part already spent is a debt (payments.StarDebt).
    f.update(
        _per_day(
            within(StarCharge.objects.filter(refunded_at__isnull=False), "refunded_at"),
            "refunded_at",
            support_refund_stars=Sum("stars"),
        )
    )
    finished = within(Room.objects.filter(phase="finished"), "finished_at")
    f.update(_per_day(finished, "finished_at", games_finished=Count("id")))
    f.update(_per_day(finished.filter(kind="hero"), "finished_at", hero_games=Count("id")))
    f.update(
        _per_day(
            within(Room.objects.filter(phase="cancelled"), "finished_at"),
            "finished_at",
            games_cancelled=Count("id"),
        )
    )
    players = User.objects.exclude(tg_id=settings.HOUSE_TG_ID).filter(is_staff=False)
    f.update(_per_day(within(players, "created_at"), "created_at", players_new=Count("tg_id")))
    seats = within(Seat.objects.all(), "joined_at")
    f.update(_per_day(seats, "joined_at", players_active=Count("user_id", distinct=True)))
    charges = within(StarCharge.objects.all(), "applied_at")
    f.update(_per_day(charges, "applied_at", players_paying=Count("user_id", distinct=True)))
    stats.distinct["players_active"] = seats.values("user_id").distinct().count()
    stats.distinct["players_paying"] = charges.values("user_id").distinct().count()
    return stats


def statistics_csv(stats: Statistics) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", *[key for key, _, _ in METRICS]])
    for day, values in stats.rows():
        writer.writerow([day.isoformat(), *values])
    writer.writerow(["total", *[stats.total(key) for key, _, _ in METRICS]])
    return out.getvalue()


def bars_svg(values: Iterable[Any], *, width: int = 240, height: int = 36) -> str:
    """A small bar chart of a series (server-rendered, no script, no CDN)."""
    series = [float(v or 0) for v in values]
    top = max(series, default=0) or 1.0
    step = width / max(len(series), 1)
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{height - v / top * height:.1f}" '
        f'width="{max(step - 1, 1):.1f}" height="{v / top * height:.1f}"/>'
        for i, v in enumerate(series)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" fill="#417690">{bars}</svg>'
    )
