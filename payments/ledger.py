"""The Stars ledger: every movement is one immutable entry with a unique business key.

``ledger_post_in_tx`` is the only writer of balances. It locks the balance rows in a fixed order,
applies each posting at most once (by ``business_key``), refuses to take a balance below zero and
keeps the cached balance equal to the sum of entries in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import Sum

from chancetap.core import rls
from chancetap.core.errors import ApplicationError
from chancetap.core.transactions import assert_in_transaction
from payments.lock import balances_lock_in_tx
from payments.models import Balance, LedgerEntry

logger = logging.getLogger(__name__)


class InsufficientBalanceError(ApplicationError):
    status = 402

    def __init__(self, *, user_id: int, needed: int, available: int) -> None:
        super().__init__(
            "insufficient_balance",
            "Not enough Stars on your balance.",
            details={"needed": needed, "available": available, "shortfall": needed - available},
        )
        self.user_id = user_id


@dataclass(frozen=True)
class Posting:
    user_id: int
    kind: str
    amount: int
    business_key: str
    cause_type: str = ""
    cause_id: str = ""
    memo: str = ""
    created_by_id: int | None = None


@dataclass
class PostResult:
    entries: list[LedgerEntry] = field(default_factory=list)
    applied: bool = True  # False when every posting had been applied before (a replay)


# Row-level security: one business event moves Stars between several users (a prize, the house's
# fee), so posting runs as the trusted ``service`` even inside a player's request.
@rls.service()
def ledger_post_in_tx(postings: list[Posting]) -> PostResult:
    """Apply ``postings`` atomically inside the caller's transaction.

    All postings of one business event go together (a room payout, a refund): if any of their keys
    was applied before, the whole set must have been, and nothing changes (idempotent replay).
    Raises ``InsufficientBalanceError`` (and the caller's transaction rolls back) when a debit
    would take a balance below zero.
    """
    assert_in_transaction()
    if not postings:
        return PostResult(applied=False)
    keys = [p.business_key for p in postings]
    if len(set(keys)) != len(keys):
        raise ValueError("business keys within one post must be unique")
    for posting in postings:
        if posting.amount == 0:
            raise ValueError("a posting must move at least one Star")

    balances = balances_lock_in_tx(p.user_id for p in postings)
    # Checked after locking: a concurrent poster of the same key has committed or rolled back.
    existing = {e.business_key: e for e in LedgerEntry.objects.filter(business_key__in=keys)}
    if existing:
        if len(existing) != len(keys):
            missing = sorted(set(keys) - set(existing))
            raise ValueError(f"business event partly applied before; missing {missing}")
        return PostResult(entries=[existing[k] for k in keys], applied=False)

    entries: list[LedgerEntry] = []
    for posting in postings:
        balance = balances[posting.user_id]
        new_stars = balance.stars + posting.amount
        if new_stars < 0:
            raise InsufficientBalanceError(
                user_id=posting.user_id, needed=-posting.amount, available=balance.stars
            )
        balance.stars = new_stars
        entries.append(
            LedgerEntry(
                user_id=posting.user_id,
                kind=posting.kind,
                amount=posting.amount,
                balance_after=new_stars,
                business_key=posting.business_key,
                cause_type=posting.cause_type,
                cause_id=posting.cause_id,
                memo=posting.memo[:255],
                created_by_id=posting.created_by_id,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    for balance in balances.values():
        Balance.objects.filter(pk=balance.user_id).update(stars=balance.stars)
    for entry in entries:
        logger.info(
            "ledger entry",
            extra={
                "event": "ledger_entry",
                "user_id": entry.user_id,
                "kind": entry.kind,
                "amount": entry.amount,
                "business_key": entry.business_key,
            },
        )
    return PostResult(entries=entries, applied=True)


def ledger_post_one_in_tx(posting: Posting) -> PostResult:
    return ledger_post_in_tx([posting])


@dataclass(frozen=True)
class LedgerMismatch:
    user_id: int
    cached: int | None
    entries_sum: int

    def __str__(self) -> str:
        return f"user {self.user_id}: balance {self.cached} != ledger sum {self.entries_sum}"


def ledger_mismatches() -> list[LedgerMismatch]:
    """Every user whose cached balance differs from the sum of their ledger entries."""
    sums = {
        row["user_id"]: int(row["total"])
        for row in LedgerEntry.objects.values("user_id").annotate(total=Sum("amount"))
    }
    cached = dict(Balance.objects.values_list("user_id", "stars"))
    problems: list[LedgerMismatch] = []
    for user_id in sorted(set(sums) | set(cached)):
        total = sums.get(user_id, 0)
        stars = cached.get(user_id)
        if (stars if stars is not None else 0) != total or (stars is None and total != 0):
            problems.append(LedgerMismatch(user_id=user_id, cached=stars, entries_sum=total))
    return problems


def balance_get(*, user_id: int) -> int:
    stars = Balance.objects.filter(user_id=user_id).values_list("stars", flat=True).first()
    return int(stars or 0)
