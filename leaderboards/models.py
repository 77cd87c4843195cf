"""Donations and the aggregates the leaderboards read (kept in the donation's transaction)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def tons_field() -> models.DecimalField:
    return models.DecimalField(max_digits=30, decimal_places=9, default=Decimal(0))


class Donation(models.Model):
    """One paid donation (a Stars charge with purpose ``donation``)."""

    charge_id = models.TextField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="donations"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_donations",
        help_text="The donor's referrer, when the donor joined as a referral.",
    )
    stars = models.PositiveIntegerField()
    tons = tons_field()
    rate = models.DecimalField(max_digits=30, decimal_places=12)
    week_key = models.CharField(max_length=8, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "donations"
        indexes = [models.Index(fields=["user", "week_key"])]

    def __str__(self) -> str:
        return f"{self.tons} tons by {self.user_id} ({self.week_key})"


class DonorTotal(models.Model):
    """All-time tons per donor; ``achieved_at``: when the total was reached (earlier wins ties)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    tons = tons_field()
    achieved_at = models.DateTimeField()
    hidden = models.BooleanField(default=False, help_text="The donor is blocked.")

    class Meta:
        db_table = "donor_totals"
        indexes = [
            models.Index(
                fields=["-tons", "achieved_at", "user"],
                name="donor_rank_idx",
                condition=Q(tons__gt=0, hidden=False),
            )
        ]
        constraints = [models.CheckConstraint(condition=Q(tons__gte=0), name="donor_tons_ge_0")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.tons}"


class DonorWeekTotal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_key = models.CharField(max_length=8)
    tons = tons_field()
    achieved_at = models.DateTimeField()
    hidden = models.BooleanField(default=False, help_text="The donor is blocked.")

    class Meta:
        db_table = "donor_week_totals"
        constraints = [
            models.UniqueConstraint(fields=["user", "week_key"], name="donor_week_unique"),
            models.CheckConstraint(condition=Q(tons__gte=0), name="donor_week_tons_ge_0"),
        ]
        indexes = [
            models.Index(
                fields=["week_key", "-tons", "achieved_at", "user"],
                name="donor_week_rank_idx",
                condition=Q(tons__gt=0, hidden=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week_key}: {self.tons}"


class ReferrerTotal(models.Model):
    """All-time tons donated by a referrer's referrals, and how many referrals they brought."""

    referrer = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    tons = tons_field()
    referrals_count = models.PositiveIntegerField(default=0)
    achieved_at = models.DateTimeField()
    hidden = models.BooleanField(default=False, help_text="The referrer is blocked.")

    class Meta:
        db_table = "referrer_totals"
        indexes = [
            models.Index(
                fields=["-tons", "achieved_at", "referrer"],
                name="referrer_rank_idx",
                condition=Q(tons__gt=0, hidden=False),
            )
        ]
        constraints = [models.CheckConstraint(condition=Q(tons__gte=0), name="referrer_tons_ge_0")]

    def __str__(self) -> str:
        return f"{self.referrer_id}: {self.tons} ({self.referrals_count} referrals)"


class ReferrerWeekTotal(models.Model):
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week_key = models.CharField(max_length=8)
    tons = tons_field()
    achieved_at = models.DateTimeField()

    class Meta:
        db_table = "referrer_week_totals"
        constraints = [
            models.UniqueConstraint(fields=["referrer", "week_key"], name="referrer_week_unique"),
            models.CheckConstraint(condition=Q(tons__gte=0), name="referrer_week_tons_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} {self.week_key}: {self.tons}"
