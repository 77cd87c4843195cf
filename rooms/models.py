"""Rooms: tiers, rooms, seats (SPEC §5). Taps live in Redis while a game runs; results land here."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel


class RoomTier(models.Model):
    """A standard-room price on the home screen (admin-managed)."""

    stars = models.PositiveIntegerField(unique=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "room_tiers"
        ordering = ["position", "stars"]
        constraints = [models.CheckConstraint(condition=Q(stars__gt=0), name="tier_stars_gt_0")]

    def __str__(self) -> str:
        return f"{self.stars} ⭐ room"

    def clean(self) -> None:
        if not 10 <= self.stars <= 100_000 or self.stars % 10:
            raise ValidationError(
                {"stars": _("Use a round price: a multiple of 10 Stars from 10 to 100 000.")}
            )


class RoomSettings(SingletonModel):
    """Singleton (django-solo, pk=1): house share of standard rooms and hero fee limits."""

    house_share_bp = models.PositiveIntegerField(
        default=0, help_text="House share of a standard room's pool, in basis points (100 = 1 %)."
    )
    hero_min_fee = models.PositiveIntegerField(default=1)
    hero_max_fee = models.PositiveIntegerField(default=10_000)

    class Meta:
        db_table = "room_settings"
        verbose_name_plural = "room settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(house_share_bp__lte=5000), name="house_share_at_most_half"
            )
        ]

    def __str__(self) -> str:
        return f"house share {self.house_share_bp / 100:.2f} %"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.house_share_bp > 5000:
            errors["house_share_bp"] = _("The house may keep at most half of the pool (5000).")
        if self.hero_min_fee < 1:
            errors["hero_min_fee"] = _("A hero room costs at least 1 Star.")
        if self.hero_max_fee < self.hero_min_fee:
            errors["hero_max_fee"] = _("The highest hero fee cannot be below the lowest.")
        if errors:
            raise ValidationError(errors)


class Room(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard"
        HERO = "hero", "Hero"

    class Phase(models.TextChoices):
        GATHERING = "gathering", "Gathering"
        COUNTDOWN = "countdown", "Countdown"
        PLAYING = "playing", "Playing"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    tier = models.ForeignKey(RoomTier, null=True, blank=True, on_delete=models.PROTECT)
    fee = models.PositiveIntegerField()
    phase = models.CharField(
        max_length=16, choices=Phase.choices, default=Phase.GATHERING, db_index=True
    )
    key = models.CharField(max_length=8, null=True, blank=True, unique=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organized_rooms",
    )
    seated = models.PositiveSmallIntegerField(default=0)
    max_players = models.PositiveSmallIntegerField(default=10)
    created_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(help_text="Gathering ends (standard) or times out (hero).")
    countdown_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pool = models.PositiveIntegerField(default=0)
    prize = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "rooms"
        indexes = [models.Index(fields=["tier", "phase", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(seated__lte=models.F("max_players")), name="room_not_overfull"
            ),
            models.CheckConstraint(
                condition=Q(kind="standard", tier__isnull=False, organizer__isnull=True)
                | Q(kind="hero", tier__isnull=True, organizer__isnull=False, key__isnull=False),
                name="room_kind_shape",
            ),
            # One running hero room per organizer (SPEC §5), held by the database, not a read.
            models.UniqueConstraint(
                fields=["organizer"],
                condition=Q(phase__in=["gathering", "countdown", "playing"]),
                name="one_active_room_per_organizer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} room {self.pk} ({self.fee} ⭐, {self.phase})"


class Seat(models.Model):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seats"
    )
    number = models.PositiveSmallIntegerField()
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    taps = models.PositiveIntegerField(default=0)
    reached_at_ms = models.BigIntegerField(default=0)
    cheater = models.BooleanField(default=False)
    active = models.BooleanField(
        default=False,
        help_text="Seated in a room that is gathering, counting down or playing (denormalised: "
        "set on join, cleared on leave, cancel and settle in the same transaction).",
    )

    class Meta:
        db_table = "seats"
        constraints = [
            models.UniqueConstraint(
                fields=["room", "user"], condition=Q(left_at__isnull=True), name="seat_once"
            ),
            models.UniqueConstraint(
                fields=["room", "number"], condition=Q(left_at__isnull=True), name="seat_number"
            ),
            # SPEC §5: a player holds at most one active seat, whatever path seats them.
            models.UniqueConstraint(
                fields=["user"], condition=Q(active=True), name="one_active_seat_per_user"
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(left_at__isnull=True), name="seat_left_inactive"
            ),
        ]
        indexes = [models.Index(fields=["user", "joined_at"])]

    def __str__(self) -> str:
        return f"seat {self.number} of room {self.room_id}: {self.user_id}"


class BonusSettings(SingletonModel):
    """Singleton (django-solo, pk=1): the 24-hour bonus run's target, duration and reward."""

    target_taps = models.PositiveIntegerField(default=1_000_000)
    duration_hours = models.PositiveIntegerField(default=24)
    reward_stars = models.PositiveIntegerField(default=100)
    cooldown_hours = models.PositiveIntegerField(
        default=24,
        help_text="One reward per player per this many hours: after a completed run, the next "
        "may start only once they have passed.",
    )
    min_paid_games = models.PositiveIntegerField(
        default=1,
        help_text="Against farming with many accounts: a player may start a bonus run only after "
        "playing this many paid games to the end (0: anyone may).",
    )

    class Meta:
        db_table = "bonus_settings"
        verbose_name_plural = "bonus settings"

    def __str__(self) -> str:
        return f"{self.target_taps} taps in {self.duration_hours} h → {self.reward_stars} ⭐"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.target_taps < 1:
            errors["target_taps"] = _("A bonus run needs at least one tap.")
        if not 1 <= self.duration_hours <= 168:
            errors["duration_hours"] = _("A bonus run lasts from 1 to 168 hours.")
        if self.reward_stars < 1:
            errors["reward_stars"] = _("The reward must be at least 1 Star.")
        if errors:
            raise ValidationError(errors)


class BonusRun(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bonus_runs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    target_taps = models.PositiveIntegerField()
    reward_stars = models.PositiveIntegerField()
    taps = models.PositiveIntegerField(default=0, help_text="Final count (live count in Redis).")
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "bonus_runs"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="active"), name="one_active_bonus_run"
            )
        ]

    def __str__(self) -> str:
        return f"bonus run {self.pk} of {self.user_id} [{self.status}]"
