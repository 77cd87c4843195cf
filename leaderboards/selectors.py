"""Leaderboard reads: pages with stable ranks, "me" blocks, game winners. Cached briefly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from chancetap import rls
from chancetap.core.i18n import language_for
from chancetap.observability import metrics
from leaderboards.models import DonorTotal, DonorWeekTotal, ReferrerTotal
from leaderboards.services import VERSION_KEY
from leaderboards.weeks import day_start, week_key_for, week_start
from payments.models import LedgerEntry
from payments.rates import rate_get, rate_settings_get, tons_for_stars
from payments.selectors import preset_list_active
from payments.services import payment_settings_get, stars_amount_check

BOARDS = ("all-time", "week", "referrals")


def _version() -> int:
    return int(cache.get(VERSION_KEY) or 0)


def _cached(key: str, build: Any) -> Any:
    full = f"lb:{_version()}:{key}"
    value = cache.get(full)
    metrics.leaderboard_cache_total.labels(result="miss" if value is None else "hit").inc()
    if value is None:
        value = build()
        cache.set(full, value, timeout=settings.LEADERBOARD_CACHE_TTL)
    return value


@dataclass(frozen=True)
class Board:
    queryset: QuerySet[Any]
    owner: str  # the user field
    extra: tuple[str, ...] = ()


def _board(name: str, week_key: str) -> Board:
    """The visible rows of a board: positive totals of users who are not blocked."""
    if name == "all-time":
        qs: QuerySet[Any] = DonorTotal.objects.filter(tons__gt=0, hidden=False)
        return Board(qs, "user")
    if name == "week":
        qs = DonorWeekTotal.objects.filter(week_key=week_key, tons__gt=0, hidden=False)
        return Board(qs, "user")
    qs = ReferrerTotal.objects.filter(tons__gt=0, hidden=False)
    return Board(qs, "referrer", ("referrals_count",))


def donation_board_page(
    *, name: str, week_key: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of a board from rank ``offset + 1`` on (no count: the API asks for one
    row more than it shows to know whether a page follows)."""

    def build() -> list[dict[str, Any]]:
        board = _board(name, week_key)
        owner_id = f"{board.owner}_id"
        # Page through the aggregate's own index first, then fetch the users the page names.
        ordered = board.queryset.order_by("-tons", "achieved_at", owner_id)
        rows: list[dict[str, Any]] = list(
            ordered.values(owner_id, "tons", *board.extra)[offset : offset + limit]
        )
        people: dict[int, dict[str, Any]] = {
            u["tg_id"]: dict(u)
            for u in User.objects.filter(tg_id__in=[r[owner_id] for r in rows]).values(
                "tg_id", "username", "first_name", "photo_url"
            )
        }
        items = []
        for i, row in enumerate(rows):
            person = people.get(row[owner_id], {})
            item = {
                "rank": offset + i + 1,
                "tg_id": row[owner_id],
                "username": person.get("username", ""),
                "first_name": person.get("first_name", ""),
                "photo_url": person.get("photo_url", ""),
                "tons": format(row["tons"].normalize(), "f"),
            }
            item.update({k: row[k] for k in board.extra})
            items.append(item)
        return items

    return list(_cached(f"rows:{name}:{week_key}:{limit}:{offset}", build))


def donation_board_me(*, name: str, week_key: str, user_id: int) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        board = _board(name, week_key)
        owner_id = f"{board.owner}_id"
        mine = (
            board.queryset.filter(**{owner_id: user_id})
            .values("tons", "achieved_at", *board.extra)
            .first()
        )
        if mine is None:
            return {"rank": None, "tons": "0", **dict.fromkeys(board.extra, 0)}
        ahead = board.queryset.filter(
            Q(tons__gt=mine["tons"])
            | Q(tons=mine["tons"], achieved_at__lt=mine["achieved_at"])
            | Q(tons=mine["tons"], achieved_at=mine["achieved_at"], **{f"{owner_id}__lt": user_id})
        ).count()
        return {
            "rank": ahead + 1,
            "tons": format(mine["tons"].normalize(), "f"),
            **{k: mine[k] for k in board.extra},
        }

    return dict(_cached(f"me:{name}:{week_key}:{user_id}", build))


def weekly_ranks_with(*, user_id: int, extras: Sequence[Decimal], week_key: str) -> list[int]:
    """The weekly rank ``user_id`` would have after donating each of ``extras`` more tons now."""
    current = (
        DonorWeekTotal.objects.filter(user_id=user_id, week_key=week_key)
        .values_list("tons", flat=True)
        .first()
    ) or Decimal(0)
    others = DonorWeekTotal.objects.filter(week_key=week_key, tons__gt=0, hidden=False).exclude(
        user_id=user_id
    )
    if not extras:
        return []
    # Reaching a total now means arriving after everyone already on it: ties rank us behind.
    # One scan counts every package's threshold (issue #16: at 28 000 weekly donors three counts
    # took 40 ms, one scan with a COUNT FILTER per package 16-30 ms; presets warm p50 48 → 28 ms).
    thresholds = [current + extra for extra in extras]
    counts = others.filter(tons__gte=min(thresholds)).aggregate(
        **{f"r{i}": Count("user_id", filter=Q(tons__gte=t)) for i, t in enumerate(thresholds)}
    )
    return [int(counts[f"r{i}"]) + 1 for i in range(len(thresholds))]


def weekly_rank_with(*, user_id: int, extra_tons: Decimal, week_key: str) -> int:
    """The weekly rank ``user_id`` would have after donating ``extra_tons`` more now."""
    return weekly_ranks_with(user_id=user_id, extras=[extra_tons], week_key=week_key)[0]


def game_period_start(period: str, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    if period == "today":
        return day_start(now)
    if period == "week":
        return week_start(now)
    return None


def game_board(*, period: str, user_id: int) -> dict[str, Any]:
    """Top 10 by Stars won (prize entries) in the period, plus the caller's own line."""
    start = game_period_start(period)

    @rls.service()  # everyone's prizes: public results, read past row-level security
    def build() -> list[dict[str, Any]]:
        qs = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIZE, user__is_blocked=False)
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        rows = (
            qs.values("user_id", "user__username", "user__first_name", "user__photo_url")
            .annotate(won=Sum("amount"), wins=Count("id"), first=Min("created_at"))
            .order_by("-won", "first", "user_id")[:10]
        )
        return [
            {
                "rank": i + 1,
                "tg_id": r["user_id"],
                "username": r["user__username"],
                "first_name": r["user__first_name"],
                "photo_url": r["user__photo_url"],
                "stars_won": int(r["won"]),
                "wins": int(r["wins"]),
            }
            for i, r in enumerate(rows)
        ]

    key = f"games:{period}:{start.isoformat() if start else 'all'}"
    items = _cached(key, build)
    mine = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIZE, user_id=user_id)
    if start is not None:
        mine = mine.filter(created_at__gte=start)
    me = mine.aggregate(won=Sum("amount"), wins=Count("id"))
    return {
        "period": period,
        "items": items,
        "me": {"stars_won": int(me["won"] or 0), "wins": int(me["wins"] or 0)},
    }


@dataclass(frozen=True)
class UserStats:
    games_played: int
    wins: int
    stars_won: int
    tons_all_time: Decimal
    tons_week: Decimal
    week_key: str


def user_stats(*, user: User) -> UserStats:
    """Games, wins, Stars won and tons for ``GET /api/v1/me``."""
    prizes = LedgerEntry.objects.filter(user=user, kind=LedgerEntry.Kind.PRIZE).aggregate(
        won=Sum("amount"), wins=Count("id")
    )
    games = (
        LedgerEntry.objects.filter(user=user, kind=LedgerEntry.Kind.ENTRY_FEE)
        .exclude(cause_id="")
        .values("cause_id")
        .distinct()
        .count()
    )
    week = week_key_for(timezone.now())
    all_time = DonorTotal.objects.filter(user=user).values_list("tons", flat=True).first()
    this_week = (
        DonorWeekTotal.objects.filter(user=user, week_key=week).values_list("tons", flat=True)
    ).first()
    return UserStats(
        games_played=games,
        wins=int(prizes["wins"] or 0),
        stars_won=int(prizes["won"] or 0),
        tons_all_time=(all_time or Decimal(0)).normalize(),
        tons_week=(this_week or Decimal(0)).normalize(),
        week_key=week,
    )


@dataclass(frozen=True)
class ReferralStats:
    referrals_count: int
    referrals_tons: Decimal


def referral_stats(*, user: User) -> ReferralStats:
    row = ReferrerTotal.objects.filter(referrer=user).values("tons", "referrals_count").first()
    return ReferralStats(
        referrals_count=int(row["referrals_count"]) if row else 0,
        referrals_tons=(row["tons"] if row else Decimal(0)).normalize(),
    )


@dataclass(frozen=True)
class DonationOption:
    """A donation package with its tons now and the weekly rank it would give the player."""

    id: int
    place: int
    title: str
    stars: int
    tons: Decimal
    weekly_rank_after: int


@dataclass(frozen=True)
class DonationOffer:
    presets: list[DonationOption]
    min_stars: int
    max_stars: int
    rate: Decimal
    week_key: str


def donation_offer_for(*, user: User) -> DonationOffer:
    """Donation packages and custom-amount limits for ``user``, in his language."""
    limits = payment_settings_get()
    quote = rate_get()
    rates = rate_settings_get()  # the rounding rule, read once for every package
    week = week_key_for(timezone.now())
    russian = language_for(user.language_code) == "ru"
    presets = preset_list_active()
    tons = [
        tons_for_stars(p.stars, quote.rate, rounding=rates.rounding, decimals=rates.decimals)
        for p in presets
    ]
    ranks = weekly_ranks_with(user_id=user.tg_id, extras=tons, week_key=week)
    options = [
        DonationOption(
            id=preset.pk,
            place=preset.place,
            title=preset.title_ru if russian else preset.title_en,
            stars=preset.stars,
            tons=preset_tons,
            weekly_rank_after=rank,
        )
        for preset, preset_tons, rank in zip(presets, tons, ranks, strict=True)
    ]
    return DonationOffer(
        presets=options,
        min_stars=limits.min_stars,
        max_stars=limits.max_stars,
        rate=quote.rate,
        week_key=week,
    )


@dataclass(frozen=True)
class DonationPreview:
    """What a custom donation of ``stars`` would count and do to the player's weekly rank."""

    stars: int
    tons: Decimal
    weekly_rank_after: int
    week_key: str


def donation_preview_for(*, user: User, stars: int) -> DonationPreview:
    """The rank preview of the donate sheet's custom amount (limits as for an invoice)."""
    stars_amount_check(stars)
    week = week_key_for(timezone.now())
    tons = tons_for_stars(stars, rate_get().rate)
    rank = weekly_rank_with(user_id=user.tg_id, extra_tons=tons, week_key=week)
    return DonationPreview(stars=stars, tons=tons, weekly_rank_after=rank, week_key=week)
