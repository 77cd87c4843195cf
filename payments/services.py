"""Stars payments: invoices, pre-checkout, crediting, cancellation, refunds (SPEC §3).

Money is credited only from Telegram's ``successful_payment`` (or the reconciliation that reads
Telegram's own transaction list), once per ``telegram_payment_charge_id``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notification_enqueue_in_tx
from accounts.services import (
    staff_action_record_in_tx,
    staff_action_refused,
    staff_reason_required,
)
from chancetap.core.errors import ApplicationError, ConflictError, NotFoundError
from chancetap.core.i18n import language_for
from chancetap.core.transactions import atomic_use_case
from chancetap.observability import metrics
from payments.events import payment_paid_event_send
from payments.hooks import DonationCharged, hooks
from payments.ledger import (
    InsufficientBalanceError,
    Posting,
    balance_get,
    charge_business_key,
    debt_record_in_tx,
    ledger_post_in_tx,
)
from payments.lock import balances_lock_in_tx
from payments.models import (
    DonationPreset,
    LedgerEntry,
    Payment,
    PaymentSettings,
    StarCharge,
    StarDebt,
    SupportRefund,
)
from payments.rates import rate_get, tons_for_stars

logger = logging.getLogger(__name__)

CURRENCY = "XTR"
# Charge ids of development payments (payments/dev_apis.py, debug builds only) start with this.
DEV_CHARGE_PREFIX = "dev-"
INVOICE_TEXTS = {
    "en": {
        Payment.Purpose.TOPUP: ("Chance Tap balance", "Top up your Chance Tap balance with {n} ⭐"),
        Payment.Purpose.DONATION: ("Chance Tap donation", "Donate {n} ⭐ to climb the leaderboard"),
    },
    "ru": {
        Payment.Purpose.TOPUP: ("Баланс Chance Tap", "Пополнение баланса Chance Tap на {n} ⭐"),
        Payment.Purpose.DONATION: ("Донат Chance Tap", "Донат {n} ⭐ для подъёма в лидерборде"),
    },
}


def _lang(user: User) -> str:
    return language_for(user.language_code)


def payment_settings_get() -> PaymentSettings:
    return PaymentSettings.get_solo()


# --- invoices ---------------------------------------------------------------------------------


def _invoice_amount(
    *, purpose: str, stars: int | None, preset_id: int | None, limits: PaymentSettings
) -> tuple[int, DonationPreset | None]:
    if (stars is None) == (preset_id is None):
        raise ApplicationError("amount_required", "Give either 'stars' or 'preset_id'.")
    preset = None
    if preset_id is not None:
        if purpose != Payment.Purpose.DONATION:
            raise ApplicationError("preset_not_allowed", "Presets are for donations only.")
        preset = DonationPreset.objects.filter(pk=preset_id, is_active=True).first()
        if preset is None:
            raise NotFoundError("preset_not_found", "This package is not available.")
        stars = preset.stars
    assert stars is not None
    stars_amount_check(stars, limits)
    return stars, preset


def stars_amount_check(stars: int, limits: PaymentSettings | None = None) -> None:
    """A custom amount (invoice, TON top-up, rank preview) within the admin's limits, else 400
    ``amount_out_of_range`` with the limits."""
    limits = limits or payment_settings_get()
    if not limits.min_stars <= stars <= limits.max_stars:
        raise ApplicationError(
            "amount_out_of_range",
            f"The amount must be between {limits.min_stars} and {limits.max_stars} Stars.",
            details={"min": limits.min_stars, "max": limits.max_stars},
        )


def _invoice_link_create(*, payment_id: uuid.UUID, purpose: str, stars: int, lang: str) -> str:
    # aiogram is imported where it is used: importing it costs a process ~3.5 s (pydantic models)
    from aiogram.exceptions import TelegramAPIError
    from aiogram.methods import CreateInvoiceLink
    from aiogram.types import LabeledPrice

    from chancetap.telegram.bot_api import bot_call

    title, description = INVOICE_TEXTS[lang][Payment.Purpose(purpose)]
    try:
        return str(
            bot_call(
                CreateInvoiceLink(
                    title=title,
                    description=description.format(n=stars),
                    payload=str(payment_id),
                    currency=CURRENCY,
                    prices=[LabeledPrice(label=title, amount=stars)],
                )
            )
        )
    except (TelegramAPIError, OSError) as exc:
        logger.error(
            "createInvoiceLink failed",
            extra={"event": "invoice_failed", "payment_id": str(payment_id), "error": str(exc)},
        )
        raise ApplicationError(
            "invoice_unavailable",
            "Telegram could not create the invoice right now. Please try again.",
            status=502,
        ) from exc


def invoice_create(
    *,
    user: User,
    purpose: str,
    stars: int | None,
    preset_id: int | None,
    telegram_invoice: bool = True,
) -> Payment:
    """Step 1 of an invoice: ``Payment(created)`` with no link yet, in one short transaction.

    The API runs it once per Idempotency-Key (its stored answer commits with the payment), then
    ``invoice_link_ensure`` asks Telegram for the link with no transaction held.
    ``telegram_invoice=False`` (development payments, debug builds only): the payment never gets a
    link and is paid by a ``successful_payment`` the server posts to itself.
    """
    if not telegram_invoice and not settings.DEV_PAYMENTS_ENABLED:
        raise NotFoundError("not_found", "Development payments are switched off.")
    with atomic_use_case():
        limits = payment_settings_get()
        amount, preset = _invoice_amount(
            purpose=purpose, stars=stars, preset_id=preset_id, limits=limits
        )
        payment = Payment.objects.create(
            id=uuid.uuid4(), user=user, purpose=purpose, stars=amount, preset=preset
        )
    metrics.payments_total.labels(status="created", purpose=purpose).inc()
    logger.info(
        "payment created",
        extra={
            "event": "payment_created",
            "payment_id": str(payment.id),
            "user_id": user.tg_id,
            "purpose": purpose,
            "stars": amount,
            "telegram_invoice": telegram_invoice,
        },
    )
    return payment


def invoice_link_ensure(*, user: User, payment_id: uuid.UUID) -> Payment:
    """Steps 2–3 of an invoice: Telegram's invoice link with no transaction or lock held (a slow
    Telegram must not hold a database connection "idle in transaction"), then the link recorded
    in one statement.

    A crash or a Telegram error before the link is stored leaves a payment without a link, which
    nobody can pay: the same request again (same Idempotency-Key) comes here again and asks
    Telegram again, and the pending list shows only payments that have their link.
    """
    payment = Payment.objects.get(pk=payment_id, user_id=user.tg_id)
    if payment.status == Payment.Status.CREATED and not payment.invoice_link:
        # One request at a time asks Telegram for this payment's link (the same key sent twice
        # at once: the second is told to wait, as while the first one's transaction runs).
        lock = f"payments:invoice-link:{payment.pk}"
        if not cache.add(lock, 1, timeout=60):
            raise ConflictError(
                "idempotency_in_flight",
                "A request with this Idempotency-Key is still being processed.",
            )
        try:
            if not connection.in_atomic_block:
                connection.close()  # back to the pool (or closed) while Telegram takes its time
            link = _invoice_link_create(
                payment_id=payment.id,
                purpose=payment.purpose,
                stars=payment.stars,
                lang=_lang(user),
            )
            Payment.objects.filter(pk=payment.pk, invoice_link="").update(invoice_link=link)
        finally:
            cache.delete(lock)
        payment.refresh_from_db()
    return payment


def dev_charge_id(payment_id: uuid.UUID) -> str:
    """The charge id of a development payment: ``dev-`` + the payment id, never a Telegram one
    (Telegram's start with letters such as ``stx``); one per payment, so paying twice credits once.
    """
    return f"{DEV_CHARGE_PREFIX}{payment_id}"


@transaction.atomic(durable=True)
def payment_cancel(*, user: User, payment_id: uuid.UUID) -> Payment:
    """The player closed the invoice and gave up: ``created`` → ``cancelled`` (idempotent)."""
    payment = Payment.objects.select_for_update().filter(pk=payment_id, user_id=user.tg_id).first()
    if payment is None:
        raise NotFoundError("payment_not_found", "No such payment.")
    if payment.status == Payment.Status.CANCELLED:
        return payment
    if payment.status != Payment.Status.CREATED:
        raise ConflictError("payment_not_cancellable", f"This payment is already {payment.status}.")
    payment.status = Payment.Status.CANCELLED
    payment.cancelled_at = timezone.now()
    payment.save(update_fields=["status", "cancelled_at"])
    metrics.payments_total.labels(status="cancelled", purpose=payment.purpose).inc()
    return payment


# --- bot: pre-checkout and successful payment ---------------------------------------------------


def _payment_id_parse(payload: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(payload)
    except (ValueError, TypeError, AttributeError):
        return None


def pre_checkout_check(
    *, from_user_id: int, payload: str, currency: str, total_amount: int
) -> None:
    """Fast check before Telegram charges the player; raises ApplicationError with a code."""
    payment_id = _payment_id_parse(payload)
    payment = (
        Payment.objects.select_related("user").filter(pk=payment_id).first() if payment_id else None
    )
    if payment is None:
        raise ApplicationError("payment_not_found", "This invoice is unknown.")
    if payment.user.is_blocked:
        raise ApplicationError("user_blocked", "Your account is blocked.", status=403)
    if payment.user_id != from_user_id:
        raise ApplicationError("payment_user_mismatch", "This invoice belongs to someone else.")
    if currency != CURRENCY or total_amount != payment.stars:
        raise ApplicationError("payment_amount_mismatch", "The invoice amount does not match.")
    if payment.status != Payment.Status.CREATED:
        raise ApplicationError("payment_not_payable", f"This invoice is already {payment.status}.")


@dataclass(frozen=True)
class ChargeResult:
    charge: StarCharge
    applied: bool  # False: this charge id had been applied before (a duplicate update)


def star_payment_apply(
    *,
    from_user_id: int,
    payload: str,
    currency: str,
    total_amount: int,
    telegram_payment_charge_id: str,
    provider_payment_charge_id: str = "",
    source: str = "bot",
) -> ChargeResult:
    """Credit one Telegram Stars charge exactly once (keyed by ``telegram_payment_charge_id``).

    Deliveries of one charge for one of our invoices queue on the invoice's row lock. Deliveries
    of a charge we cannot match to an invoice have no row to queue on: the second one's insert of
    the charge fails on its primary key, its whole transaction (the top-up invoice it recorded
    included) rolls back, and it answers as the duplicate it is.
    """
    try:
        return _star_payment_apply(
            from_user_id=from_user_id,
            payload=payload,
            currency=currency,
            total_amount=total_amount,
            telegram_payment_charge_id=telegram_payment_charge_id,
            provider_payment_charge_id=provider_payment_charge_id,
            source=source,
        )
    except IntegrityError:
        twin = StarCharge.objects.filter(pk=telegram_payment_charge_id).first()
        if twin is None:
            raise
        return ChargeResult(twin, applied=False)


@transaction.atomic(durable=True)
def _star_payment_apply(
    *,
    from_user_id: int,
    payload: str,
    currency: str,
    total_amount: int,
    telegram_payment_charge_id: str,
    provider_payment_charge_id: str,
    source: str,
) -> ChargeResult:
    if not telegram_payment_charge_id or currency != CURRENCY or total_amount <= 0:
        raise ApplicationError("charge_invalid", "This is not a valid Stars charge.")
    existing = StarCharge.objects.filter(pk=telegram_payment_charge_id).first()
    if existing is not None:
        return ChargeResult(existing, applied=False)

    payment_id = _payment_id_parse(payload)
    payment = (
        Payment.objects.select_for_update().filter(pk=payment_id).first() if payment_id else None
    )
    if payment is None or payment.user_id != from_user_id:
        # Telegram took the player's Stars for something we cannot match: never drop it. Record
        # it as a top-up of what was paid, for this payer.
        logger.error(
            "charge for an unknown invoice credited as top-up",
            extra={"event": "payment_unmatched", "user_id": from_user_id, "payload": payload[:128]},
        )
        User.objects.get_or_create(tg_id=from_user_id)
        payment = Payment.objects.create(
            user_id=from_user_id,
            purpose=Payment.Purpose.TOPUP,
            stars=total_amount,
            status=Payment.Status.PAID,
            paid_at=timezone.now(),
            telegram_payment_charge_id=telegram_payment_charge_id,
        )
    if total_amount != payment.stars:
        logger.warning(
            "charge amount differs from invoice; crediting what was paid",
            extra={"event": "payment_amount_mismatch", "payment_id": str(payment.id)},
        )

    # Deliveries of one charge name one invoice, so they queue on its row lock: once we hold it,
    # a twin that got there first has committed and is visible here.
    twin = StarCharge.objects.filter(pk=telegram_payment_charge_id).first()
    if twin is not None:
        return ChargeResult(twin, applied=False)
    charge_fields = {
        "telegram_payment_charge_id": telegram_payment_charge_id,
        "provider_payment_charge_id": provider_payment_charge_id or "",
        "payment": payment,
        "user_id": payment.user_id,
        "stars": total_amount,
        "purpose": payment.purpose,
        "source": source,
    }
    # No savepoint (two round trips fewer): a twin that gets here too fails on the primary key and
    # rolls back whole (star_payment_apply).
    charge = StarCharge.objects.create(**charge_fields)

    now = timezone.now()
    if payment.status in (Payment.Status.CREATED, Payment.Status.CANCELLED):
        payment.status = Payment.Status.PAID
        payment.paid_at = now
        payment.telegram_payment_charge_id = telegram_payment_charge_id
        payment.provider_payment_charge_id = provider_payment_charge_id or ""
        payment.save(
            update_fields=[
                "status",
                "paid_at",
                "telegram_payment_charge_id",
                "provider_payment_charge_id",
            ]
        )

    balance_after: int | None = None
    if payment.purpose == Payment.Purpose.TOPUP:
        posted = ledger_post_in_tx(
            [
                Posting(
                    user_id=payment.user_id,
                    kind=LedgerEntry.Kind.TOPUP,
                    amount=total_amount,
                    business_key=charge_business_key("topup", telegram_payment_charge_id),
                    cause_type="star_charge",
                    cause_id=str(payment.id),
                )
            ]
        )
        balance_after = posted.entries[0].balance_after
    else:
        quote = rate_get(fetch=False)  # no network call with the invoice's row locked
        charge.rate = quote.rate
        charge.tons = tons_for_stars(total_amount, quote.rate)
        charge.save(update_fields=["rate", "tons"])
        if payment.tons is None:
            payment.tons, payment.rate = charge.tons, charge.rate
            payment.save(update_fields=["tons", "rate"])
        donation = DonationCharged(
            charge_id=telegram_payment_charge_id,
            user_id=payment.user_id,
            stars=total_amount,
            tons=charge.tons,
            rate=quote.rate,
            at=charge.applied_at,
        )
        for charged in hooks.donation_charged:  # leaderboards: the donation and its tons
            charged(donation)

    metrics.payments_total.labels(status="paid", purpose=payment.purpose).inc()
    logger.info(
        "payment applied",
        extra={
            "event": "payment_applied",
            "payment_id": str(payment.id),
            "user_id": payment.user_id,
            "stars": total_amount,
            "purpose": payment.purpose,
            "source": source,
        },
    )
    payment_paid_event_send(payment=payment, balance=balance_after)
    return ChargeResult(charge, applied=True)


# --- refunds -----------------------------------------------------------------------------------


def _refund_debit_in_tx(*, charge: StarCharge, staff_id: int | None, memo: str) -> StarDebt | None:
    """Take back what a refunded charge credited and mark it refunded.

    A top-up's Stars come back out of the balance; what the player already spent becomes a
    ``StarDebt`` that later credits settle first (so leaving a room the Stars paid for, or winning
    a prize with them, pays the debt rather than the player). A donation's tons leave the boards.
    """
    debt = None
    if charge.purpose == Payment.Purpose.TOPUP:
        balance = balances_lock_in_tx([charge.user_id])[charge.user_id]
        take = min(balance.stars, charge.stars)
        if take:
            ledger_post_in_tx(
                [
                    Posting(
                        user_id=charge.user_id,
                        kind=LedgerEntry.Kind.SUPPORT_REFUND,
                        amount=-take,
                        business_key=charge_business_key(
                            "refund", charge.telegram_payment_charge_id
                        ),
                        cause_type="star_charge",
                        cause_id=str(charge.payment_id),
                        memo=memo,
                        created_by_id=staff_id,
                    )
                ]
            )
        if take < charge.stars:
            debt = debt_record_in_tx(balance=balance, charge=charge, amount=charge.stars - take)
    else:
        for refunded in hooks.donation_refunded:  # leaderboards: the tons leave the boards
            refunded(charge.telegram_payment_charge_id)
    charge.refunded_at = timezone.now()
    charge.save(update_fields=["refunded_at"])
    payment = Payment.objects.select_for_update().get(pk=charge.payment_id)
    if not payment.charges.filter(refunded_at__isnull=True).exists():
        payment.status = Payment.Status.REFUNDED
        payment.refunded_at = charge.refunded_at
        payment.save(update_fields=["status", "refunded_at"])
    return debt


def support_refund_issue(*, charge_id: str, staff: User, reason: str) -> SupportRefund:
    """A support agent refunds a charge: Telegram gives the Stars back, we debit what we credited.

    Three steps, none holding a transaction while Telegram is asked (issue #12): a short
    transaction records the refund as ``pending`` (refused while the balance no longer covers the
    credit, or while another refund of the charge is pending); the call to Telegram; a second
    short transaction records the answer and debits. ``CHARGE_ALREADY_REFUNDED`` counts as done.
    Every attempt is audited, refused and failed ones included.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("refund_reason_required", "Say why the payment is refunded.")
    try:
        with transaction.atomic(durable=True):
            charge = StarCharge.objects.select_for_update().filter(pk=charge_id).first()
            if charge is None:
                raise NotFoundError("charge_not_found", "No such charge.")
            if charge.refunded_at is not None:
                raise ConflictError("charge_already_refunded", "This charge is already refunded.")
            if SupportRefund.objects.filter(
                charge=charge, outcome=SupportRefund.Outcome.PENDING
            ).exists():
                raise _refund_in_progress()
            if charge.purpose == Payment.Purpose.TOPUP:
                available = balance_get(user_id=charge.user_id)
                if available < charge.stars:
                    raise InsufficientBalanceError(
                        user_id=charge.user_id, needed=charge.stars, available=available
                    )
            refund = SupportRefund.objects.create(
                charge=charge,
                staff=staff,
                reason=reason[:500],
                outcome=SupportRefund.Outcome.PENDING,
            )
    except InsufficientBalanceError as exc:
        _audit_failed(charge_id, staff, reason, SupportRefund.Outcome.REFUSED, exc.message)
        raise ApplicationError(
            "refund_balance_insufficient",
            "The player's balance no longer covers this payment, so it cannot be refunded.",
            details=exc.details,
            status=409,
        ) from exc
    except IntegrityError as exc:  # the one-pending-refund-per-charge constraint
        raise _refund_in_progress() from exc
    return support_refund_send(refund_id=refund.pk)


def _refund_in_progress() -> ConflictError:
    return ConflictError(
        "refund_in_progress", "A refund of this charge is already waiting for Telegram's answer."
    )


def support_refund_send(*, refund_id: int) -> SupportRefund:
    """Ask Telegram for a pending support refund (no transaction held) and record the answer.

    A definite refusal closes the refund as ``failed`` (nothing debited) and raises
    ``refund_telegram_error``; no answer, or a server error, leaves it ``pending`` and raises
    ``refund_pending`` — Telegram may have refunded, so the reconciliation asks again.
    """
    from aiogram.exceptions import (
        TelegramAPIError,
        TelegramBadRequest,
        TelegramForbiddenError,
        TelegramNotFound,
    )
    from aiogram.methods import RefundStarPayment

    from chancetap.telegram.bot_api import bot_call

    # Not inside a transaction: the durable blocks before (support_refund_issue) and after refuse
    # to nest in one, so no caller can hold a lock across the call.
    refund = SupportRefund.objects.select_related("charge").get(pk=refund_id)
    if refund.outcome != SupportRefund.Outcome.PENDING:
        return refund
    charge = refund.charge
    outcome, detail = SupportRefund.Outcome.REFUNDED, ""
    # A development payment (debug builds) never reached Telegram: nothing to give back. Nor does
    # a charge whose refund Telegram already reported (refunded_payment) need asking again.
    dev_charge = settings.DEBUG and charge.pk.startswith(DEV_CHARGE_PREFIX)
    if not dev_charge and charge.refunded_at is None:
        SupportRefund.objects.filter(pk=refund_id).update(attempts=F("attempts") + 1)
        try:
            bot_call(
                RefundStarPayment(
                    user_id=charge.user_id,
                    telegram_payment_charge_id=charge.telegram_payment_charge_id,
                )
            )
        except TelegramBadRequest as exc:
            if "CHARGE_ALREADY_REFUNDED" in str(exc):
                outcome = SupportRefund.Outcome.ALREADY_REFUNDED
            else:
                outcome, detail = SupportRefund.Outcome.FAILED, str(exc)
        except (TelegramForbiddenError, TelegramNotFound) as exc:
            outcome, detail = SupportRefund.Outcome.FAILED, str(exc)
        except (TelegramAPIError, OSError) as exc:
            SupportRefund.objects.filter(pk=refund_id).update(detail=str(exc)[:500])
            logger.warning(
                "support refund left pending",
                extra={"event": "support_refund_pending", "refund_id": refund_id},
            )
            raise ApplicationError(
                "refund_pending",
                "Telegram did not answer. The refund stays pending and is retried automatically.",
                status=502,
            ) from exc
    with transaction.atomic(durable=True):
        charge = StarCharge.objects.select_for_update().get(pk=charge.pk)
        refund = SupportRefund.objects.select_for_update().get(pk=refund_id)
        if refund.outcome != SupportRefund.Outcome.PENDING:
            return refund  # the reconciliation (or the first request) got there first
        if outcome != SupportRefund.Outcome.FAILED and charge.refunded_at is None:
            _refund_debit_in_tx(charge=charge, staff_id=refund.staff_id, memo=refund.reason)
        if outcome == SupportRefund.Outcome.REFUNDED:
            notification_enqueue_in_tx(
                user_id=charge.user_id,
                kind=Notification.Kind.SUPPORT_REFUND,
                key=f"charge:{charge.pk}",
                params={"stars": charge.stars},
            )
        refund.outcome = outcome
        refund.detail = detail[:500]
        refund.completed_at = timezone.now()
        refund.save(update_fields=["outcome", "detail", "completed_at"])
    if outcome == SupportRefund.Outcome.FAILED:
        raise ApplicationError(
            "refund_telegram_error", f"Telegram refused the refund: {detail}", status=502
        )
    metrics.payments_total.labels(status="refunded", purpose=charge.purpose).inc()
    logger.info(
        "support refund",
        extra={
            "event": "support_refund",
            "charge_id": charge.pk,
            "staff_id": refund.staff_id,
            "outcome": outcome,
        },
    )
    return refund


def support_refunds_reconcile(*, older_than_seconds: int = 120, limit: int = 100) -> int:
    """Ask Telegram again for support refunds left pending (a crash or no answer); returns how
    many were closed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = list(
        SupportRefund.objects.filter(
            outcome=SupportRefund.Outcome.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for refund_id in pending:
        try:
            support_refund_send(refund_id=refund_id)
        except ApplicationError as exc:
            if exc.code == "refund_pending":
                continue
        closed += 1
    return closed


def _audit_failed(charge_id: str, staff: User, reason: str, outcome: str, detail: str) -> None:
    with transaction.atomic(durable=True):
        charge = StarCharge.objects.filter(pk=charge_id).first()
        if charge is not None:
            SupportRefund.objects.create(
                charge=charge,
                staff=staff,
                reason=reason[:500],
                outcome=outcome,
                detail=detail[:500],
                completed_at=timezone.now(),
            )


@transaction.atomic(durable=True)
def star_refund_record(*, from_user_id: int, telegram_payment_charge_id: str) -> bool:
    """A ``refunded_payment`` update: make sure our books show the refund (idempotent).

    Returns False when it was already recorded. Stars the player already spent become a debt
    (``StarDebt``) that later credits settle first.
    """
    charge = StarCharge.objects.select_for_update().filter(pk=telegram_payment_charge_id).first()
    if charge is None:
        logger.critical(
            "refund for an unknown charge",
            extra={"event": "refund_unknown_charge", "user_id": from_user_id},
        )
        return False
    if charge.refunded_at is not None:
        return False
    _refund_debit_in_tx(charge=charge, staff_id=None, memo="refunded_payment update")
    return True


def tons_decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


# --- reconciliation ----------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    seen: int = 0
    applied: int = 0
    refunds_recorded: int = 0
    skipped: int = 0


def payments_reconcile(*, max_pages: int = 50, page_size: int = 100) -> ReconcileReport:
    """Page through Telegram's ``getStarTransactions`` and apply any charge we have not recorded.

    A user's payment appears with ``source`` = the user (``TransactionPartnerUser``) and
    ``transaction.id`` = its ``telegram_payment_charge_id``; a refund has ``receiver`` = the user.
    """
    from aiogram.methods import GetStarTransactions

    from chancetap.telegram.bot_api import bot_call

    report = ReconcileReport()
    offset = 0
    for _ in range(max_pages):
        result = bot_call(GetStarTransactions(offset=offset, limit=page_size))
        transactions = list(result.transactions or [])
        for tx in transactions:
            report.seen += 1
            source = getattr(tx, "source", None)
            receiver = getattr(tx, "receiver", None)
            if (
                source is not None
                and getattr(source, "type", "") == "user"
                and getattr(source, "transaction_type", "invoice_payment") == "invoice_payment"
            ):
                user = getattr(source, "user", None)
                payload = getattr(source, "invoice_payload", None) or ""
                if user is None:
                    report.skipped += 1
                    continue
                outcome = star_payment_apply(
                    from_user_id=int(user.id),
                    payload=payload,
                    currency=CURRENCY,
                    total_amount=int(tx.amount),
                    telegram_payment_charge_id=str(tx.id),
                    source="reconcile",
                )
                report.applied += int(outcome.applied)
            elif receiver is not None and getattr(receiver, "type", "") == "user":
                user = getattr(receiver, "user", None)
                if user is not None and star_refund_record(
                    from_user_id=int(user.id), telegram_payment_charge_id=str(tx.id)
                ):
                    report.refunds_recorded += 1
            else:
                report.skipped += 1
        if len(transactions) < page_size:
            break
        offset += page_size
    logger.info(
        "payments reconciled",
        extra={
            "event": "payments_reconciled",
            "seen": report.seen,
            "applied": report.applied,
            "refunds_recorded": report.refunds_recorded,
        },
    )
    return report


# --- support tools (issue #14) -----------------------------------------------------------------

ADJUSTMENT_LIMIT = 1_000_000  # Stars one adjustment may move: a typo of extra zeros is refused


def balance_adjust(*, staff: User, user_id: int, stars: int, reason: str, key: str) -> LedgerEntry:
    """A support agent credits (``stars`` > 0) or debits (< 0) a player's balance.

    One ledger ``adjustment`` keyed ``adjust:<key>`` (the admin form's one-time key, so a double
    submit applies once), never below zero; audited with the reason, refused attempts included.
    """
    reason = staff_reason_required(reason)
    if stars == 0 or abs(stars) > ADJUSTMENT_LIMIT:
        raise ApplicationError(
            "adjustment_invalid",
            f"Adjust by 1 to {ADJUSTMENT_LIMIT} Stars, up or down.",
            details={"limit": ADJUSTMENT_LIMIT},
        )
    if not key or len(key) > 64:
        raise ApplicationError("adjustment_key_invalid", "The form's key is missing; reload it.")
    if not User.objects.filter(tg_id=user_id).exists():
        raise NotFoundError("user_not_found", "No such player.")
    audit: dict[str, Any] = {
        "staff": staff,
        "kind": "balance_adjustment",
        "reason": reason,
        "player_id": user_id,
        "subject": f"balance of {user_id}",
        "stars": stars,
    }
    try:
        with transaction.atomic(durable=True):
            posted = ledger_post_in_tx(
                [
                    Posting(
                        user_id=user_id,
                        kind=LedgerEntry.Kind.ADJUSTMENT,
                        amount=stars,
                        business_key=f"adjust:{key}",
                        cause_type="staff_action",
                        memo=reason,
                        created_by_id=staff.tg_id,
                    )
                ]
            )
            if posted.applied:
                staff_action_record_in_tx(**audit)
    except InsufficientBalanceError as exc:
        staff_action_refused(**audit, detail=exc.message)
        raise ApplicationError(
            "adjustment_below_zero",
            "The balance cannot go below zero.",
            details=exc.details,
            status=409,
        ) from exc
    logger.info(
        "balance adjusted",
        extra={
            "event": "balance_adjusted",
            "user_id": user_id,
            "stars": stars,
            "staff_id": staff.tg_id,
        },
    )
    return posted.entries[0]
