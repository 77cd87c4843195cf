"""Donations and their aggregates, written in the transaction that credits the donation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from accounts.models import User
from chancetap.core.transactions import assert_in_transaction, on_commit
from leaderboards.models import (
    Donation,
    DonorTotal,
    DonorWeekTotal,
    ReferrerTotal,
    ReferrerWeekTotal,
)
from leaderboards.weeks import week_key_for
from payments.hooks import DonationCharged

logger = logging.getLogger(__name__)
VERSION_KEY = "lb:version"


def leaderboards_touch() -> None:
    """After commit: new cache version, so no cached page outlives a change by more than its TTL."""

    def bump() -> None:
        if not cache.add(VERSION_KEY, 1, timeout=None):
            try:
                cache.incr(VERSION_KEY)
            except ValueError:
                cache.set(VERSION_KEY, 1, timeout=None)

    on_commit(bump)


def _upsert(
    table: str,
    key_cols: tuple[str, ...],
    key_vals: tuple[Any, ...],
    tons: Decimal,
    at: datetime,
    extra_count: int = 0,
) -> None:
    """Add ``tons`` to an aggregate row (creating it); a gain moves ``achieved_at`` to ``at``."""
    if tons < 0:  # a refund: the row exists, and an upsert's candidate row would fail the check
        where = " AND ".join(f"{col} = %s" for col in key_cols)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET tons = tons + %s WHERE {where}",  # noqa: S608
                [tons, *key_vals],
            )
        return
    cols = [*key_cols, "tons", "achieved_at"]
    vals: list[Any] = [*key_vals, tons, at]
    if table != "referrer_week_totals":
        cols.append("hidden")
        vals.append(User.objects.filter(tg_id=key_vals[0], is_blocked=True).exists())
    updates = [
        f"tons = {table}.tons + excluded.tons",
        f"achieved_at = CASE WHEN excluded.tons > 0 THEN excluded.achieved_at "
        f"ELSE {table}.achieved_at END",
    ]
    if table == "referrer_totals":
        cols.append("referrals_count")
        vals.append(extra_count)
        updates.append(
            "referrals_count = referrer_totals.referrals_count + excluded.referrals_count"
        )
    placeholders = ", ".join(["%s"] * len(vals))
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(key_cols)}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, vals)


def _apply(
    user_id: int, referrer_id: int | None, week_key: str, tons: Decimal, at: datetime
) -> None:
    _upsert("donor_totals", ("user_id",), (user_id,), tons, at)
    _upsert("donor_week_totals", ("user_id", "week_key"), (user_id, week_key), tons, at)
    if referrer_id is not None:
        _upsert("referrer_totals", ("referrer_id",), (referrer_id,), tons, at)
        _upsert(
            "referrer_week_totals", ("referrer_id", "week_key"), (referrer_id, week_key), tons, at
        )


def donation_record_in_tx(
    *,
    charge_id: str,
    user_id: int,
    stars: int,
    tons: Decimal,
    rate: Decimal,
    at: datetime | None = None,
) -> Donation | None:
    """Record a paid donation once (by charge id) and add it to every aggregate."""
    assert_in_transaction()
    if Donation.objects.filter(charge_id=charge_id).exists():
        return None
    at = at or timezone.now()
    referrer_id = User.objects.filter(tg_id=user_id).values_list("referrer_id", flat=True).first()
    donation = Donation.objects.create(
        charge_id=charge_id,
        user_id=user_id,
        referrer_id=referrer_id,
        stars=stars,
        tons=tons,
        rate=rate,
        week_key=week_key_for(at),
        created_at=at,
    )
    _apply(user_id, referrer_id, donation.week_key, tons, at)
    leaderboards_touch()
    return donation


def donation_refund_in_tx(*, charge_id: str) -> bool:
    """A refunded donation leaves every aggregate."""
    assert_in_transaction()
    donation = (
        Donation.objects.select_for_update()
        .filter(charge_id=charge_id, refunded_at__isnull=True)
        .first()
    )
    if donation is None:
        return False
    donation.refunded_at = timezone.now()
    donation.save(update_fields=["refunded_at"])
    _apply(
        donation.user_id,
        donation.referrer_id,
        donation.week_key,
        -donation.tons,
        donation.created_at,
    )
    leaderboards_touch()
    return True


def referral_counted_in_tx(*, referrer_id: int) -> None:
    """A new user joined as ``referrer_id``'s referral."""
    assert_in_transaction()
    _upsert(
        "referrer_totals",
        ("referrer_id",),
        (referrer_id,),
        Decimal(0),
        timezone.now(),
        extra_count=1,
    )
    leaderboards_touch()


@dataclass
class RebuildReport:
    differences: list[str]


@transaction.atomic(durable=True)
def leaderboards_rebuild(*, fix: bool = True) -> RebuildReport:
    """Recompute every aggregate from the donation rows; report (and fix) differences."""
    live = Donation.objects.filter(refunded_at__isnull=True)
    expected: dict[tuple[str, tuple[Any, ...]], tuple[Decimal, Any]] = {}
    groupings: list[tuple[str, tuple[str, ...], Any]] = [
        ("donor", ("user_id",), live),
        ("donor_week", ("user_id", "week_key"), live),
        ("referrer", ("referrer_id",), live.exclude(referrer_id=None)),
        ("referrer_week", ("referrer_id", "week_key"), live.exclude(referrer_id=None)),
    ]
    for kind, fields, source in groupings:
        for group in source.values(*fields).annotate(t=Sum("tons"), at=Max("created_at")):
            expected[(kind, tuple(group[f] for f in fields))] = (group["t"], group["at"])

    actual: dict[tuple[str, tuple[Any, ...]], Decimal] = {}
    for user_id, tons in DonorTotal.objects.values_list("user_id", "tons"):
        actual[("donor", (user_id,))] = tons
    for user_id, week, tons in DonorWeekTotal.objects.values_list("user_id", "week_key", "tons"):
        actual[("donor_week", (user_id, week))] = tons
    for ref_id, tons in ReferrerTotal.objects.values_list("referrer_id", "tons"):
        actual[("referrer", (ref_id,))] = tons
    for ref_id, week, tons in ReferrerWeekTotal.objects.values_list(
        "referrer_id", "week_key", "tons"
    ):
        actual[("referrer_week", (ref_id, week))] = tons

    differences = []
    for key in sorted(set(expected) | set(actual), key=str):
        want = expected.get(key, (Decimal(0), None))[0]
        have = actual.get(key, Decimal(0))
        if want != have:
            differences.append(f"{key[0]} {key[1]}: stored {have}, donations say {want}")
    # Blocked players stay off every board, whatever path rebuilt it (issue #14).
    blocked = set(User.objects.filter(is_blocked=True).values_list("tg_id", flat=True))
    shown = [
        *DonorTotal.objects.filter(user_id__in=blocked, hidden=False).values_list("user_id"),
        *DonorWeekTotal.objects.filter(user_id__in=blocked, hidden=False).values_list("user_id"),
        *ReferrerTotal.objects.filter(referrer_id__in=blocked, hidden=False).values_list(
            "referrer_id"
        ),
    ]
    differences += [f"blocked player {row[0]} is visible" for row in sorted(set(shown))]
    if fix and differences:
        counts: dict[int, int] = dict(
            User.objects.exclude(referrer_id=None)
            .values("referrer_id")
            .annotate(n=Count("tg_id"))
            .values_list("referrer_id", "n")
        )
        DonorTotal.objects.all().delete()
        DonorWeekTotal.objects.all().delete()
        ReferrerTotal.objects.all().delete()
        ReferrerWeekTotal.objects.all().delete()
        now = timezone.now()
        for (kind, ident), (tons, reached) in expected.items():
            reached = reached or now
            hidden = ident[0] in blocked
            if kind == "donor":
                DonorTotal.objects.create(
                    user_id=ident[0], tons=tons, achieved_at=reached, hidden=hidden
                )
            elif kind == "donor_week":
                DonorWeekTotal.objects.create(
                    user_id=ident[0],
                    week_key=str(ident[1]),
                    tons=tons,
                    achieved_at=reached,
                    hidden=hidden,
                )
            elif kind == "referrer":
                ReferrerTotal.objects.create(
                    referrer_id=ident[0],
                    tons=tons,
                    achieved_at=reached,
                    referrals_count=counts.pop(int(ident[0]), 0),
                    hidden=hidden,
                )
            else:
                ReferrerWeekTotal.objects.create(
                    referrer_id=ident[0], week_key=str(ident[1]), tons=tons, achieved_at=reached
                )
        for referrer_id, n in counts.items():
            ReferrerTotal.objects.create(
                referrer_id=referrer_id,
                tons=Decimal(0),
                achieved_at=now,
                referrals_count=n,
                hidden=referrer_id in blocked,
            )
        leaderboards_touch()
    return RebuildReport(differences=differences)


def donation_charged_in_tx(donation: DonationCharged) -> None:
    """payments hook: a donation charge counts on the boards."""
    donation_record_in_tx(
        charge_id=donation.charge_id,
        user_id=donation.user_id,
        stars=donation.stars,
        tons=donation.tons,
        rate=donation.rate,
        at=donation.at,
    )


def donation_refunded_in_tx(charge_id: str) -> None:
    """payments hook: a refunded donation's tons leave the boards."""
    donation_refund_in_tx(charge_id=charge_id)


def referral_counted_for_new_user_in_tx(user: User) -> None:
    """accounts hook: a new player who came with a referrer counts for that referrer."""
    if user.referrer_id is not None:
        referral_counted_in_tx(referrer_id=user.referrer_id)


def leaderboards_visibility_for_block_in_tx(user: User, blocked: bool) -> None:
    """accounts hook: a blocked player leaves every board (and comes back when unblocked)."""
    leaderboards_visibility_set_in_tx(user_id=user.tg_id, hidden=blocked)


def leaderboards_visibility_set_in_tx(*, user_id: int, hidden: bool) -> None:
    """A blocked user disappears from every board (and comes back when unblocked)."""
    assert_in_transaction()
    DonorTotal.objects.filter(user_id=user_id).update(hidden=hidden)
    DonorWeekTotal.objects.filter(user_id=user_id).update(hidden=hidden)
    ReferrerTotal.objects.filter(referrer_id=user_id).update(hidden=hidden)
    leaderboards_touch()
