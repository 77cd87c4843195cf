"""Reads for the back office: one player, everything support needs, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q

from accounts.models import StaffAction, User
from payments.models import (
    Balance,
    LedgerEntry,
    StarCharge,
    StarDebt,
    SupportRefund,
    TonTopup,
    TonTransfer,
    TonWallet,
)
from rooms.models import Seat

LEDGER_PAGE = 50


def player_find(query: str) -> User | None:
    """A player by Telegram id, @username (or username) or one of his Stars charge ids."""
    query = query.strip()
    if not query:
        return None
    if query.isdigit():
        found = User.objects.filter(tg_id=int(query)).first()
        if found is not None:
            return found
    username = query.removeprefix("@")
    found = User.objects.filter(username__iexact=username).first()
    if found is not None:
        return found
    charge = StarCharge.objects.filter(pk=query).select_related("user").first()
    return charge.user if charge is not None else None


@dataclass(frozen=True)
class PlayerFile:
    user: User
    stars: int
    debt: int
    ledger: Page  # type: ignore[type-arg]
    charges: list[StarCharge]
    refunds: list[SupportRefund]
    debts: list[StarDebt]
    wallet: TonWallet | None
    ton_topups: list[TonTopup]
    ton_transfers: list[TonTransfer]
    seats: list[Seat]
    referrer: User | None
    referrals_count: int
    referrals: list[User]
    staff_actions: list[StaffAction]


def player_file(*, user: User, ledger_page: Any = 1) -> PlayerFile:
    balance = Balance.objects.filter(pk=user.tg_id).first()
    ledger = Paginator(LedgerEntry.objects.filter(user=user).order_by("-id"), LEDGER_PAGE).get_page(
        ledger_page
    )
    referrals = User.objects.filter(referrer=user).order_by("-created_at")
    return PlayerFile(
        user=user,
        stars=balance.stars if balance else 0,
        debt=balance.debt if balance else 0,
        ledger=ledger,
        charges=list(StarCharge.objects.filter(user=user).order_by("-applied_at")[:50]),
        refunds=list(
            SupportRefund.objects.filter(charge__user=user)
            .select_related("staff")
            .order_by("-created_at")[:50]
        ),
        debts=list(StarDebt.objects.filter(user=user).order_by("-created_at")),
        wallet=TonWallet.objects.filter(user=user).first(),
        ton_topups=list(TonTopup.objects.filter(user=user).order_by("-created_at")[:50]),
        ton_transfers=list(TonTransfer.objects.filter(user=user).order_by("-received_at")[:50]),
        seats=list(
            Seat.objects.filter(user=user)
            .select_related("room", "room__winner")
            .order_by("-joined_at")[:50]
        ),
        referrer=user.referrer,
        referrals_count=referrals.count(),
        referrals=list(referrals[:50]),
        staff_actions=list(
            StaffAction.objects.filter(Q(player=user) | Q(subject=f"balance of {user.tg_id}"))
            .select_related("staff")
            .order_by("-created_at")[:50]
        ),
    )
