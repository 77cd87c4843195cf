"""Stars ledger, payments, idempotency-relevant money records (SPEC §3)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from solo.models import SingletonModel


class Balance(models.Model):
    """Cached Stars balance: always equal to the sum of the user's ledger entries, never < 0."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="stars_balance",
    )
    stars = models.BigIntegerField(default=0)
    debt = models.BigIntegerField(
        default=0,
        help_text="Stars owed from refunds of Stars already spent (StarDebt); credits settle it "
        "before they reach the balance.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "balances"
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=0), name="balance_non_negative"),
            models.CheckConstraint(condition=Q(debt__gte=0), name="balance_debt_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.stars} ⭐"


class LedgerEntry(models.Model):
    """One immutable movement of Stars. ``business_key`` makes every business event apply once."""

    class Kind(models.TextChoices):
        TOPUP = "topup", "Top-up"
        ENTRY_FEE = "entry_fee", "Entry fee"
        PRIZE = "prize", "Prize"
        ORGANIZER_SHARE = "organizer_share", "Organizer share"
        ROOM_REFUND = "room_refund", "Room refund"
        BONUS_REWARD = "bonus_reward", "Bonus reward"
        SUPPORT_REFUND = "support_refund", "Support refund"
        ADJUSTMENT = "adjustment", "Adjustment"
        DEBT_SETTLEMENT = "debt_settlement", "Debt settlement"

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    amount = models.BigIntegerField(help_text="Signed Stars: credits > 0, debits < 0.")
    balance_after = models.BigIntegerField()
    business_key = models.CharField(max_length=200, unique=True)
    cause_type = models.CharField(max_length=32, blank=True, default="")
    cause_id = models.CharField(max_length=64, blank=True, default="")
    memo = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Staff member who caused it (admin actions).",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "ledger_entries"
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["cause_type", "cause_id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_non_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_after_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} ⭐ for {self.user_id} ({self.business_key})"


class DonationPreset(models.Model):
    """The donate modal's packages ("1st place", "2nd place", "3rd place")."""

    place = models.PositiveSmallIntegerField(unique=True)
    title_en = models.CharField(max_length=64)
    title_ru = models.CharField(max_length=64)
    stars = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "donation_presets"
        ordering = ["place"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gt=0), name="preset_stars_positive")
        ]

    def __str__(self) -> str:
        return f"{self.title_en} — {self.stars} ⭐"


class PaymentSettings(SingletonModel):
    """Singleton row (django-solo, pk=1) of admin-managed money settings."""

    min_stars = models.PositiveIntegerField(default=1)
    max_stars = models.PositiveIntegerField(default=100_000)
    invoices_per_minute = models.PositiveIntegerField(
        default=10, help_text="Invoices one user may create per minute."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "payment_settings"
        verbose_name_plural = "payment settings"

    def __str__(self) -> str:
        return f"Payment limits {self.min_stars}–{self.max_stars} ⭐"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.min_stars < 1:
            errors["min_stars"] = _("The smallest payment must be at least 1 Star.")
        if self.max_stars < self.min_stars:
            errors["max_stars"] = _("The largest payment cannot be below the smallest.")
        if self.invoices_per_minute < 1:
            errors["invoices_per_minute"] = _("Allow at least one invoice per minute.")
        if errors:
            raise ValidationError(errors)


class Payment(models.Model):
    """A Telegram Stars invoice and what became of it. Credited only on ``successful_payment``."""

    class Purpose(models.TextChoices):
        TOPUP = "topup", "Top-up"
        DONATION = "donation", "Donation"

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    stars = models.PositiveIntegerField()
    preset = models.ForeignKey(DonationPreset, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CREATED, db_index=True
    )
    invoice_link = models.CharField(max_length=255, blank=True, default="")
    telegram_payment_charge_id = models.TextField(null=True, blank=True, unique=True)
    provider_payment_charge_id = models.TextField(blank=True, default="")
    tons = models.DecimalField(max_digits=30, decimal_places=9, null=True, blank=True)
    rate = models.DecimalField(max_digits=30, decimal_places=12, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payments"
        indexes = [models.Index(fields=["user", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gt=0), name="payment_stars_positive"),
            models.CheckConstraint(
                condition=Q(status="created") | Q(status="cancelled") | ~Q(paid_at=None),
                name="payment_paid_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.stars} ⭐ by {self.user_id} [{self.status}]"


class StarCharge(models.Model):
    """One ``successful_payment`` from Telegram, keyed by its charge id (applied exactly once).

    The same invoice can be paid more than once (a forwarded invoice keeps its Pay button), so a
    charge is its own record: the first charge of a ``created`` payment marks it paid, any further
    charge is still recorded and credited — never dropped.
    """

    telegram_payment_charge_id = models.TextField(primary_key=True)
    provider_payment_charge_id = models.TextField(blank=True, default="")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="charges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveIntegerField()
    purpose = models.CharField(max_length=16, choices=Payment.Purpose.choices)
    tons = models.DecimalField(max_digits=30, decimal_places=9, default=Decimal(0))
    rate = models.DecimalField(max_digits=30, decimal_places=12, null=True, blank=True)
    source = models.CharField(
        max_length=16, default="bot", help_text="bot, webhook or reconcile: who told us first."
    )
    applied_at = models.DateTimeField(default=timezone.now, db_index=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "star_charges"
        permissions = [("refund_starcharge", "Can refund Stars charges to players")]

    def __str__(self) -> str:
        return f"charge {self.telegram_payment_charge_id[:16]}… {self.stars} ⭐"


class StarDebt(models.Model):
    """Stars a player owes: Telegram refunded a charge whose Stars were already spent.

    The refund takes what the balance holds; the rest is this debt, and every later credit to the
    player settles it first (``debt_settlement`` ledger entries, ``settle:<debt>:<settled>`` keys)
    before anything reaches the balance. ``Balance.debt`` is the sum of the open ones.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    charge = models.OneToOneField(StarCharge, on_delete=models.PROTECT, related_name="debt")
    amount = models.PositiveIntegerField(help_text="Stars the refund could not take back.")
    settled = models.PositiveIntegerField(default=0, help_text="Stars settled from later credits.")
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "star_debts"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "settled_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="star_debt_amount_positive"),
            models.CheckConstraint(
                condition=Q(settled__lte=models.F("amount")), name="star_debt_settled_le_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} owes {self.remaining} of {self.amount} ⭐"

    @property
    def remaining(self) -> int:
        return self.amount - self.settled


class SupportRefund(models.Model):
    """Audit of every refund a support agent issued (who, when, why, what Telegram said).

    ``pending`` while Telegram is being asked (no transaction is held meanwhile); the answer moves
    it to ``refunded`` / ``already_refunded`` / ``failed``. A refund left pending (a crash, or
    Telegram did not answer) is asked again by the reconciliation task — Telegram answers
    ``CHARGE_ALREADY_REFUNDED`` when the first call went through.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending at Telegram"
        REFUNDED = "refunded", "Refunded"
        ALREADY_REFUNDED = "already_refunded", "Already refunded at Telegram"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Telegram error"

    charge = models.ForeignKey(StarCharge, on_delete=models.PROTECT, related_name="support_refunds")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Calls to Telegram so far.")

    class Meta:
        db_table = "support_refunds"
        ordering = ["-created_at"]
        constraints = [
            # One refund in flight per charge: two agents clicking at once get 409, not two calls.
            models.UniqueConstraint(
                fields=["charge"],
                condition=Q(outcome="pending"),
                name="support_refund_one_pending_per_charge",
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} by {self.staff_id}: {self.reason[:40]}"


class RateSettings(SingletonModel):
    """Singleton row (django-solo, pk=1): where the Stars→tons rate comes from and how tons are
    rounded."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual value"
        HTTP = "http", "HTTP JSON source"

    class Rounding(models.TextChoices):
        FLOOR = "floor", "Floor"
        HALF_UP = "half_up", "Half up"
        HALF_EVEN = "half_even", "Half even (banker's)"

    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    manual_rate = models.DecimalField(
        max_digits=30, decimal_places=12, default=Decimal(1), help_text="Tons per Star."
    )
    http_url = models.URLField(max_length=500, blank=True, default="")
    http_json_path = models.CharField(
        max_length=200, blank=True, default="", help_text="Dotted path, e.g. 'data.0.price'."
    )
    http_usd_per_star = models.DecimalField(
        max_digits=30,
        decimal_places=12,
        null=True,
        blank=True,
        help_text="When the source gives TON in USD: tons per star = usd_per_star / price.",
    )
    cache_ttl_seconds = models.PositiveIntegerField(default=600, help_text="300–3600 seconds.")
    rounding = models.CharField(max_length=16, choices=Rounding.choices, default=Rounding.FLOOR)
    decimals = models.PositiveSmallIntegerField(default=0, help_text="0 or 2 decimal places.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rate_settings"
        verbose_name_plural = "rate settings"
        constraints = [
            models.CheckConstraint(condition=Q(manual_rate__gt=0), name="rate_manual_positive"),
            models.CheckConstraint(
                condition=Q(cache_ttl_seconds__gte=300) & Q(cache_ttl_seconds__lte=3600),
                name="rate_ttl_5_to_60_min",
            ),
            models.CheckConstraint(condition=Q(decimals__in=[0, 2]), name="rate_decimals_0_or_2"),
        ]

    def __str__(self) -> str:
        return f"Rate from {self.source}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.source == self.Source.HTTP:
            if not self.http_url:
                errors["http_url"] = _("An HTTP rate source needs its URL.")
            if not self.http_json_path:
                errors["http_json_path"] = _(
                    "Say where the price is in the JSON, e.g. data.0.price."
                )
        if self.manual_rate is not None and self.manual_rate <= 0:
            errors["manual_rate"] = _("The rate must be above zero.")
        if not 300 <= self.cache_ttl_seconds <= 3600:
            errors["cache_ttl_seconds"] = _("Keep a rate between 300 and 3600 seconds.")
        if self.decimals not in (0, 2):
            errors["decimals"] = _("Round tons to 0 or 2 decimal places.")
        if errors:
            raise ValidationError(errors)


class RateSnapshot(models.Model):
    """Every rate we fetched or set, with its source and time (the fallback reads the latest)."""

    rate = models.DecimalField(max_digits=30, decimal_places=12)
    source = models.CharField(max_length=500)
    fetched_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "rate_snapshots"
        ordering = ["-fetched_at"]
        constraints = [models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive")]

    def __str__(self) -> str:
        return f"{self.rate} tons/⭐ from {self.source} at {self.fetched_at:%Y-%m-%d %H:%M}"


class TonWallet(models.Model):
    """A TON wallet the player proved they own (TON Connect ``ton_proof``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="ton_wallet",
    )
    address = models.CharField(max_length=80, unique=True, help_text="Raw form <wc>:<hex>.")
    friendly_address = models.CharField(max_length=64)
    public_key = models.CharField(max_length=64)
    wallet_version = models.CharField(max_length=8)
    network = models.CharField(max_length=8)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "wallets"

    def __str__(self) -> str:
        return f"{self.friendly_address} ({self.user_id})"


class TonProofPayload(models.Model):
    """A one-time challenge for ``ton_proof``: issued to one user, used at most once."""

    payload = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "ton_proof_payloads"

    def __str__(self) -> str:
        return f"{self.payload[:12]}… for {self.user_id}"


class TonTopup(models.Model):
    """A Stars top-up paid in TON: a transfer to our address carrying this order's comment."""

    class Status(models.TextChoices):
        CREATED = "created", "Waiting for the transfer"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ton_topups"
    )
    stars = models.PositiveIntegerField()
    amount_nano = models.BigIntegerField(help_text="Expected nanotons.")
    comment = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CREATED, db_index=True
    )
    tx_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    received_nano = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "ton_topups"
        constraints = [
            models.CheckConstraint(condition=Q(stars__gt=0), name="ton_topup_stars_positive"),
            models.CheckConstraint(
                condition=Q(amount_nano__gt=0), name="ton_topup_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"TON top-up {self.stars} ⭐ by {self.user_id} [{self.status}]"


class TonTransfer(models.Model):
    """One incoming transfer whose comment looks like an order's (``CT-…``), whatever became of it.

    Every such transfer is recorded once (keyed by its transaction hash), so support sees money
    that was not credited: an underpayment (kept and added up until the order's amount is reached),
    a transfer for an order that was already paid, or one naming no order at all.
    """

    class Outcome(models.TextChoices):
        CREDITED = "credited", "Credited"
        OVERPAID = "overpaid", "Credited; the excess is held for support"
        ACCUMULATED = "accumulated", "Counted toward its order (credited with a later transfer)"
        UNDERPAID = "underpaid", "Below the order's amount: held for support"
        DUPLICATE = "duplicate", "Order already paid: held for support"
        LATE = "late", "Order expired over 30 days ago: held for support"
        UNMATCHED = "unmatched", "No such order: held for support"
        SUPPORT_CREDITED = "support_credited", "Settled by support: credited to the player"
        SUPPORT_REFUND = "support_refund", "Settled by support: to be refunded on-chain"

    HELD = (Outcome.UNDERPAID, Outcome.DUPLICATE, Outcome.LATE, Outcome.UNMATCHED)

    tx_hash = models.CharField(max_length=100, unique=True)
    lt = models.BigIntegerField(help_text="Logical time of the transaction.")
    received_at = models.DateTimeField(help_text="Block time (utime) of the transaction.")
    receiver = models.CharField(max_length=80, help_text="Our address it was sent to.")
    sender = models.CharField(max_length=80, blank=True, default="")
    comment = models.CharField(max_length=64)
    value_nano = models.BigIntegerField()
    topup = models.ForeignKey(
        TonTopup, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    # The order's player, copied for row-level security and support's search (None: no order).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ton_transfers",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The support agent who settled a held transfer.",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_stars = models.PositiveIntegerField(
        null=True, blank=True, help_text="Stars credited when support settled it."
    )
    excess_nano = models.BigIntegerField(
        default=0, help_text="Overpaid: nanotons received beyond the order's amount."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "ton_transfers"
        ordering = ["-lt"]
        indexes = [models.Index(fields=["topup", "outcome"])]
        constraints = [
            models.CheckConstraint(condition=Q(value_nano__gte=0), name="ton_transfer_value_gte_0"),
            models.CheckConstraint(
                condition=Q(excess_nano__gte=0), name="ton_transfer_excess_gte_0"
            ),
            models.CheckConstraint(
                # An unmatched transfer has no order, before and after support settled it.
                condition=Q(outcome__in=["unmatched", "support_credited", "support_refund"])
                | ~Q(topup=None),
                name="ton_transfer_matched_has_topup",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value_nano} nanoton '{self.comment}' [{self.outcome}]"


class TonPollCursor(models.Model):
    """How far the TON poller got through one receiver address's transactions (newest first).

    Every transaction with ``lt`` up to ``lt`` is recorded. A poll that stopped before it reached
    ``lt`` (page cap, API error) leaves a resume point: transactions from ``resume_lt`` up to
    ``scan_top_lt`` are recorded too, and the next poll goes on reading older ones from there
    before it starts again from the newest. ``since`` bounds the very first scan (no ``lt`` yet).
    """

    address = models.CharField(max_length=80, primary_key=True)
    lt = models.BigIntegerField(default=0)
    tx_hash = models.CharField(max_length=100, blank=True, default="")
    since = models.DateTimeField(null=True, blank=True)
    resume_lt = models.BigIntegerField(null=True, blank=True)
    resume_hash = models.CharField(max_length=100, blank=True, default="")
    scan_top_lt = models.BigIntegerField(null=True, blank=True)
    scan_top_hash = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ton_poll_cursors"
        constraints = [
            models.CheckConstraint(
                condition=(Q(resume_lt=None) & Q(scan_top_lt=None))
                | (Q(resume_lt__gt=models.F("lt")) & Q(scan_top_lt__gte=models.F("resume_lt"))),
                name="ton_cursor_resume_inside_scan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} up to lt {self.lt}"
