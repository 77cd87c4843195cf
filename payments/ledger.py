"""The Stars ledger: every movement is one immutable entry with a unique business key.

``ledger_post_in_tx`` is the only writer of balances. It locks the balance rows in a fixed order,
applies each posting at most once (by ``business_key``), refuses to take a balance below zero and
keeps the cached balance equal to the sum of entries in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from chancetap import rls
from chancetap.core.errors import ApplicationError
from chancetap.core.transactions import assert_in_transaction
from payments.lock import balances_lock_in_tx
from payments.models import (
    Balance,
    LedgerEntry,
    Payment,
    StarCharge,
    StarDebt,
    TonTopup,
    TonTransfer,
)

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
    would take a balance below zero. A player who owes Stars (``StarDebt``) pays the debt out of
    each credit first: the settlement entries follow the postings' own in ``entries``.
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
    credited = sorted({p.user_id for p in postings if p.amount > 0})
    for user_id in credited:
        balance = balances[user_id]
        if balance.debt > 0 and balance.stars > 0:
            entries.extend(_debts_settle_in_tx(balance))
    LedgerEntry.objects.bulk_create(entries)
    for balance in balances.values():
        Balance.objects.filter(pk=balance.user_id).update(stars=balance.stars, debt=balance.debt)
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


def _debts_settle_in_tx(balance: Balance) -> list[LedgerEntry]:
    """Settle the player's open debts, oldest first, from the balance a credit just raised.

    Runs under the balance row's lock, so a debt's ``settled`` grows one step at a time and the
    key ``settle:<debt>:<settled after>`` is unique without any other coordination."""
    entries: list[LedgerEntry] = []
    now = timezone.now()
    debts = StarDebt.objects.filter(user_id=balance.user_id, settled_at__isnull=True).order_by(
        "created_at", "id"
    )
    for debt in debts:
        take = min(debt.remaining, balance.stars)
        if take <= 0:
            break
        debt.settled += take
        if debt.settled == debt.amount:
            debt.settled_at = now
        debt.save(update_fields=["settled", "settled_at"])
        balance.stars -= take
        balance.debt -= take
        entries.append(
            LedgerEntry(
                user_id=balance.user_id,
                kind=LedgerEntry.Kind.DEBT_SETTLEMENT,
                amount=-take,
                balance_after=balance.stars,
                business_key=f"settle:{debt.pk}:{debt.settled}",
                cause_type="star_debt",
                cause_id=str(debt.pk),
                memo="refunded Stars that had been spent",
            )
        )
    return entries


def debt_record_in_tx(*, balance: Balance, charge: StarCharge, amount: int) -> StarDebt:
    """A refund could not take ``amount`` Stars back (already spent): the player owes them."""
    assert_in_transaction()
    debt = StarDebt.objects.create(user_id=charge.user_id, charge=charge, amount=amount)
    balance.debt += amount
    Balance.objects.filter(pk=balance.user_id).update(debt=balance.debt)
    logger.warning(
        "refund exceeded the balance; debt recorded",
        extra={"event": "star_debt_recorded", "user_id": charge.user_id, "amount": amount},
    )
    return debt


def charge_business_key(prefix: str, charge_id: str) -> str:
    """Ledger key for a Telegram charge; long charge ids are hashed to fit the column."""
    if len(charge_id) > 150:
        charge_id = "sha256:" + hashlib.sha256(charge_id.encode()).hexdigest()
    return f"{prefix}:{charge_id}"


def ledger_post_one_in_tx(posting: Posting) -> PostResult:
    return ledger_post_in_tx([posting])


@dataclass(frozen=True)
class LedgerMismatch:
    user_id: int
    cached: int | None
    entries_sum: int

    def __str__(self) -> str:
        return f"user {self.user_id}: balance {self.cached} != ledger sum {self.entries_sum}"


@dataclass(frozen=True)
class ConservationMismatch:
    """A business event whose entries do not add up (Stars created or lost)."""

    subject: str  # "room 12", "star charge <id>"
    expected: int
    actual: int
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail} (expected {self.expected}, found {self.actual})"


LedgerProblem = LedgerMismatch | ConservationMismatch
ConservationCheck = Callable[[], Iterable[ConservationMismatch]]
_conservation_checks: list[ConservationCheck] = []


def conservation_check_register(check: ConservationCheck) -> None:
    """Apps that post entries add their own conservation rule (rooms: fees = payouts + refunds),
    so ``payments`` stays a leaf that imports none of them."""
    if check not in _conservation_checks:
        _conservation_checks.append(check)


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """Read balances, entries and their causes as of one instant (REPEATABLE READ, read only):
    a room settling or a charge being refunded between two queries is no false alarm."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield  # SQLite serialises writers; a caller's transaction keeps its own snapshot
        return
    connection.ensure_connection()
    rls.claims_apply(connection)  # now, so that SET TRANSACTION is the transaction's first query
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def ledger_mismatches() -> list[LedgerProblem]:
    """What ``ledger_check`` reports: balances that differ from the sum of their entries, and
    business events whose entries do not conserve Stars (``star_charge_conservation`` and the
    checks other apps register, e.g. rooms)."""
    with _one_snapshot():
        problems: list[LedgerProblem] = [*balance_mismatches()]
        checks = [star_charge_conservation, star_debt_conservation, ton_topup_conservation]
        for check in [*checks, *_conservation_checks]:
            problems.extend(check())
        return problems


def balance_mismatches() -> list[LedgerMismatch]:
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


def star_charge_conservation() -> list[ConservationMismatch]:
    """Per Telegram Stars charge: Stars credited = Stars charged − Stars refunded.

    A top-up charge credits its Stars once (``topup:<charge>``) and a refund takes them back once
    (``refund:<charge>``, what the balance held, plus a ``StarDebt`` for the rest); a donation
    charge credits no Stars. A ``star_charge`` entry that belongs to no charge is reported too
    (Stars from nowhere). Debts are checked by ``star_debt_conservation``.
    """
    problems: list[ConservationMismatch] = []
    charges = list(
        StarCharge.objects.order_by("applied_at").values_list(
            "telegram_payment_charge_id", "stars", "purpose", "refunded_at"
        )
    )
    keys = {
        cid: (charge_business_key("topup", cid), charge_business_key("refund", cid))
        for cid, *_ in charges
    }
    amounts: dict[str, int] = {}
    wanted = [key for pair in keys.values() for key in pair]
    for start in range(0, len(wanted), 1000):
        amounts.update(
            LedgerEntry.objects.filter(business_key__in=wanted[start : start + 1000]).values_list(
                "business_key", "amount"
            )
        )
    owed = dict(StarDebt.objects.values_list("charge_id", "amount"))
    for cid, stars, purpose, refunded_at in charges:
        topup_key, refund_key = keys[cid]
        credited = amounts.get(topup_key, 0)
        refunded = -amounts.get(refund_key, 0) + owed.get(cid, 0)
        paid_in = stars if purpose == Payment.Purpose.TOPUP else 0
        paid_back = paid_in if refunded_at is not None else 0
        if (credited, refunded) != (paid_in, paid_back):
            problems.append(
                ConservationMismatch(
                    subject=f"star charge {cid}",
                    expected=paid_in - paid_back,
                    actual=credited - refunded,
                    detail=f"credited {credited} and took back {refunded} of a {purpose} "
                    f"charge of {stars} (refunded: {refunded_at is not None})",
                )
            )
    known = set(wanted)
    orphans = (
        LedgerEntry.objects.filter(cause_type="star_charge")
        .order_by("id")
        .values_list("business_key", "amount")
    )
    for key, amount in orphans:
        if key not in known:
            problems.append(
                ConservationMismatch(
                    subject=f"entry {key}",
                    expected=0,
                    actual=amount,
                    detail="a star_charge entry that belongs to no recorded charge",
                )
            )
    return problems


def star_debt_conservation() -> list[ConservationMismatch]:
    """Per debt: its settlement entries add up to what it records as settled; per player: the
    balance's ``debt`` is what the open debts still owe."""
    problems: list[ConservationMismatch] = []
    entries = dict(
        LedgerEntry.objects.filter(cause_type="star_debt")
        .values("cause_id")
        .annotate(total=Sum("amount"))
        .values_list("cause_id", "total")
    )
    owed: dict[int, int] = {}
    for pk, user_id, amount, settled in StarDebt.objects.values_list(
        "pk", "user_id", "amount", "settled"
    ):
        paid = -int(entries.pop(str(pk), 0) or 0)
        if paid != settled:
            problems.append(
                ConservationMismatch(
                    subject=f"star debt {pk}",
                    expected=settled,
                    actual=paid,
                    detail=f"settlement entries of a debt of {amount}",
                )
            )
        owed[user_id] = owed.get(user_id, 0) + amount - settled
    for cause_id, total in entries.items():
        problems.append(
            ConservationMismatch(
                subject=f"star debt {cause_id}",
                expected=0,
                actual=-int(total or 0),
                detail="settlement entries of a debt that does not exist",
            )
        )
    recorded = dict(Balance.objects.filter(debt__gt=0).values_list("user_id", "debt"))
    for user_id in sorted(set(owed) | set(recorded)):
        if owed.get(user_id, 0) != recorded.get(user_id, 0):
            problems.append(
                ConservationMismatch(
                    subject=f"user {user_id}",
                    expected=owed.get(user_id, 0),
                    actual=recorded.get(user_id, 0),
                    detail="balance debt differs from the open debts",
                )
            )
    return problems


def ton_topup_conservation() -> list[ConservationMismatch]:
    """Per TON top-up: a paid order credited its Stars once (and has exactly one crediting
    transfer), an unpaid one credited nothing; a ``ton_topup`` entry of no order is reported."""
    problems: list[ConservationMismatch] = []
    credited: dict[str, int] = {}
    for cause_id, amount in LedgerEntry.objects.filter(cause_type="ton_topup").values_list(
        "cause_id", "amount"
    ):
        credited[cause_id] = credited.get(cause_id, 0) + amount
    crediting: dict[str, int] = {}
    for topup_id in TonTransfer.objects.filter(
        outcome__in=[TonTransfer.Outcome.CREDITED, TonTransfer.Outcome.OVERPAID]
    ).values_list("topup_id", flat=True):
        crediting[str(topup_id)] = crediting.get(str(topup_id), 0) + 1
    topups = TonTopup.objects.order_by("created_at").values_list("id", "stars", "status")
    known = set()
    for topup_id, stars, status in topups:
        key = str(topup_id)
        known.add(key)
        paid = status == TonTopup.Status.PAID
        expected = stars if paid else 0
        if credited.get(key, 0) != expected:
            problems.append(
                ConservationMismatch(
                    subject=f"ton top-up {key}",
                    expected=expected,
                    actual=credited.get(key, 0),
                    detail=f"credited {credited.get(key, 0)} for a {status} order of {stars}",
                )
            )
        # Orders paid before transfers were recorded have no crediting transfer (0 is fine then).
        if crediting.get(key, 0) > int(paid):
            problems.append(
                ConservationMismatch(
                    subject=f"ton top-up {key}",
                    expected=int(paid),
                    actual=crediting[key],
                    detail="more crediting transfers than one paid order",
                )
            )
    for cause_id in sorted(set(credited) - known):
        problems.append(
            ConservationMismatch(
                subject=f"entry cause {cause_id}",
                expected=0,
                actual=credited[cause_id],
                detail="a ton_topup entry that belongs to no TON top-up",
            )
        )
    # Held transfers support settled: a credited one has exactly its recorded Stars in the ledger
    # (``ton:transfer:<id>``), nothing else has any.
    settled: dict[str, int] = {}
    for cause_id, amount in LedgerEntry.objects.filter(cause_type="ton_transfer").values_list(
        "cause_id", "amount"
    ):
        settled[cause_id] = settled.get(cause_id, 0) + int(amount)
    for pk, resolved in TonTransfer.objects.filter(
        outcome=TonTransfer.Outcome.SUPPORT_CREDITED
    ).values_list("pk", "resolved_stars"):
        got = settled.pop(str(pk), 0)
        if got != (resolved or 0):
            problems.append(
                ConservationMismatch(
                    subject=f"ton transfer {pk}",
                    expected=resolved or 0,
                    actual=got,
                    detail="support's credit of a held transfer",
                )
            )
    for cause_id, amount in sorted(settled.items()):
        problems.append(
            ConservationMismatch(
                subject=f"ton transfer {cause_id}",
                expected=0,
                actual=amount,
                detail="a ton_transfer entry for a transfer support did not credit",
            )
        )
    return problems


def balance_get(*, user_id: int) -> int:
    stars = Balance.objects.filter(user_id=user_id).values_list("stars", flat=True).first()
    return int(stars or 0)
