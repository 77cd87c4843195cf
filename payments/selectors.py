from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from payments.models import Balance, DonationPreset, LedgerEntry, Payment, StarCharge

PENDING_WINDOW = timedelta(hours=24)


def payment_get_for_user(*, user_id: int, payment_id: uuid.UUID) -> Payment | None:
    return Payment.objects.filter(pk=payment_id, user_id=user_id).first()


def payment_list_pending(*, user_id: int, limit: int = 5) -> list[Payment]:
    """Invoices the player opened but has not paid or cancelled in the last 24 hours (with their
    Telegram link: one whose link Telegram never gave cannot be paid)."""
    since = timezone.now() - PENDING_WINDOW
    return list(
        Payment.objects.filter(
            user_id=user_id, status=Payment.Status.CREATED, created_at__gte=since
        )
        .exclude(invoice_link="")
        .order_by("-created_at")[:limit]
    )


def ledger_list_for_user(*, user_id: int) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(user_id=user_id).order_by("-created_at", "-id")


def preset_list_active() -> list[DonationPreset]:
    return list(DonationPreset.objects.filter(is_active=True).order_by("place"))


def dev_payments_available() -> bool:
    """Whether this server completes Stars top-ups without Telegram (debug builds only)."""
    return bool(settings.DEBUG and settings.DEV_PAYMENTS_ENABLED)


def balance_for_user(*, user_id: int) -> tuple[int, int]:
    """(Stars on the balance, Stars owed after refunds) of a player; (0, 0) before his first."""
    row = Balance.objects.filter(user_id=user_id).values_list("stars", "debt").first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def star_charges_recent(*, user_id: int, limit: int = 5) -> list[StarCharge]:
    """A player's latest Stars payments, newest first (what /paysupport lists)."""
    return list(star_charges_for_user(user_id=user_id)[:limit])


def star_charges_for_user(*, user_id: int) -> QuerySet[StarCharge]:
    """Every Stars payment of a player (top-ups and donations), newest first: the history's
    Payments tab; each with its charge id, what support asks for."""
    return StarCharge.objects.filter(user_id=user_id).order_by("-applied_at", "-pk")
