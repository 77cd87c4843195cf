from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, tg_id: int, password: str | None = None, **extra: Any) -> User:
        user = self.model(tg_id=tg_id, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, tg_id: int, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(tg_id, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A Telegram user, keyed by their Telegram id. Staff log in to the admin with a password."""

    tg_id = models.BigIntegerField(primary_key=True, verbose_name="Telegram id")
    username = models.CharField(max_length=64, blank=True, default="")
    first_name = models.CharField(max_length=128, blank=True, default="")
    last_name = models.CharField(max_length=128, blank=True, default="")
    photo_url = models.URLField(max_length=512, blank=True, default="")
    language_code = models.CharField(max_length=16, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    is_premium = models.BooleanField(default=False)
    is_blocked = models.BooleanField(default=False, db_index=True)
    blocked_reason = models.CharField(max_length=255, blank=True, default="")
    is_staff = models.BooleanField(default=False)
    # Bot notifications (accounts.notifications): the player's switch for game results, and when
    # Telegram last refused a message because the player blocked the bot (cleared when he comes
    # back through /start or the Mini App with write access).
    notify_game_results = models.BooleanField(default=True)
    bot_blocked_at = models.DateTimeField(null=True, blank=True)
    referrer = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="Set once, when the user is created; never changed.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "tg_id"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        permissions = [("block_user", "Can block and unblock players")]
        constraints = [
            models.CheckConstraint(condition=models.Q(tg_id__gt=0), name="user_tg_id_positive"),
            models.CheckConstraint(
                condition=~models.Q(referrer=models.F("tg_id")), name="user_not_own_referrer"
            ),
        ]

    def __str__(self) -> str:
        handle = f"@{self.username}" if self.username else self.display_name
        return f"{handle} ({self.tg_id})"

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.username or str(self.tg_id)


class StaffAction(models.Model):
    """The audit log of the back office: every support tool a staff member used — who, when, on
    whom or what, how much, why, and what came of it (refused attempts included). Append-only in
    practice: the admin shows it read-only."""

    class Kind(models.TextChoices):
        BALANCE_ADJUSTMENT = "balance_adjustment", "Balance adjustment"
        ROOM_CANCEL = "room_cancel", "Room cancelled"
        TON_TRANSFER_CREDIT = "ton_transfer_credit", "TON transfer credited"
        TON_TRANSFER_REFUND = "ton_transfer_refund", "TON transfer marked for an on-chain refund"
        BLOCK = "block", "Player blocked"
        UNBLOCK = "unblock", "Player unblocked"

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    staff = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="staff_actions", null=True, blank=True
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    player = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    subject = models.CharField(
        max_length=100, blank=True, default="", help_text="What it acted on: room 12, transfer …"
    )
    stars = models.BigIntegerField(null=True, blank=True, help_text="Stars moved, signed.")
    reason = models.CharField(max_length=500)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "staff_actions"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("adjust_balance", "Can adjust a player's balance"),
            ("cancel_room", "Can cancel a room and refund its seats"),
            ("resolve_ton_transfer", "Can settle a held TON transfer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.staff_id}: {self.outcome}"


class Notification(models.Model):
    """A bot message owed to a player for one event (accounts.notifications).

    The row is written in the event's own transaction under a unique business key, so an event
    handled twice (a retried task, a replayed webhook) owes one message; ``botapp.tasks`` claims
    due rows and sends each at most once.
    """

    class Kind(models.TextChoices):
        GAME_RESULT = "game_result", "Game result"
        ROOM_CANCELLED = "room_cancelled", "Room cancelled and refunded"
        HERO_TIMEOUT = "hero_timeout", "Hero room timed out"
        BONUS_COMPLETED = "bonus_completed", "Bonus run completed"
        BONUS_EXPIRED = "bonus_expired", "Bonus run expired"
        SUPPORT_REFUND = "support_refund", "Support refund"
        TON_CREDITED = "ton_credited", "TON top-up credited"
        REFERRAL_DONATION = "referral_donation", "A referral's first donation"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="notification_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.status})"
