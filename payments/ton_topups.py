"""Stars top-ups paid in TON (the second payment method when the balance is short).

The player sends ``amount_nano`` to ``TON_RECEIVER_ADDRESS`` with the order's comment (the Mini App
does it through TON Connect). A poller reads the receiver's transactions from a toncenter-compatible
API, newest first, page by page back to a cursor stored per receiver address, and records every
transfer whose comment looks like an order's (``CT-…``) once, keyed by its transaction hash: the
order is credited once when the transfers for it add up to its amount; what is not credited
(underpaid, a second payment, no such order) stays recorded for support.

Cursor (``TonPollCursor``): every transaction with ``lt`` up to ``cursor.lt`` is recorded. A poll
reads from the newest transaction back to ``cursor.lt``, records what it read oldest first, and only
then moves ``cursor.lt`` up to the newest it read. A poll that stops early (page cap, time budget,
API error) records what it read and keeps a resume point (the oldest transaction it read and the
newest of that scan): the next poll goes on from there down to ``cursor.lt`` before it looks at
newer ones. No TON call is made inside a transaction; each transfer is recorded in a short one.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notification_enqueue_in_tx
from accounts.services import (
    staff_action_record_in_tx,
    staff_action_refused,
    staff_reason_required,
)
from chancetap import rls
from chancetap.core.errors import ApplicationError, ConflictError, NotFoundError
from chancetap.core.transactions import atomic_use_case
from chancetap.outbound.http import OutboundError, Policy, get_json
from payments.events import ton_topup_paid_event_send
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry, TonPollCursor, TonTopup, TonTransfer

logger = logging.getLogger(__name__)
COMMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# What our order comments look like (``_comment``); only such transfers are recorded (dust spam
# with other comments never reaches the database).
OUR_COMMENT = re.compile(r"CT-[A-Z0-9]{4,29}")
PAGE_SIZE = 50
FETCH_BUDGET_SECONDS = 30.0  # paging stops after this (the task's soft limit is 50 s)
# A transfer can only follow its order; the first scan of an address goes back to the oldest
# order still open, with this margin for clock skew.
FIRST_SCAN_MARGIN = timedelta(minutes=10)
# Expired orders stay payable this long; later money is held for support.
LATE_AFTER = timedelta(days=30)
# toncenter: a page answers in well under a second; its free tier answers 429 beyond 1 request/s
# (retried with jitter). A player's "check now" waits for the same call, hence the 12 s deadline;
# after five failed calls in a row it is left alone for 30 s.
TON_API = Policy(
    service="ton_api",
    timeout=5.0,
    deadline=12.0,
    attempts=3,
    backoff=0.5,
    max_bytes=4 * 1024 * 1024,
    breaker_failures=5,
    breaker_reset=30.0,
)


class TonApiError(Exception):
    pass


def _comment() -> str:
    return "CT-" + "".join(secrets.choice(COMMENT_ALPHABET) for _ in range(10))


def ton_topup_create(*, user: User, stars: int) -> TonTopup:
    """Order a Stars top-up paid in TON (the API runs it once per Idempotency-Key)."""
    if not settings.TON_RECEIVER_ADDRESS:
        raise ApplicationError(
            "ton_unavailable", "Paying with TON is not available right now.", status=503
        )
    from payments.services import stars_amount_check

    with atomic_use_case():
        stars_amount_check(stars)
        topup = TonTopup.objects.create(
            user=user,
            stars=stars,
            amount_nano=stars * settings.TON_NANO_PER_STAR,
            comment=_comment(),
            expires_at=timezone.now() + timedelta(seconds=settings.TON_TOPUP_TTL_SECONDS),
        )
    logger.info(
        "ton top-up created",
        extra={"event": "ton_topup_created", "user_id": user.tg_id, "stars": stars},
    )
    return topup


def ton_topup_get(*, user: User, topup_id: Any) -> TonTopup:
    topup = TonTopup.objects.filter(pk=topup_id, user=user).first()
    if topup is None:
        raise NotFoundError("ton_topup_not_found", "No such TON top-up.")
    return topup


@dataclass(frozen=True)
class TonTransaction:
    """One transaction of our address, as far as the poller needs it (``value_nano`` 0 and
    ``sender`` '' for one without an incoming transfer, e.g. our own outgoing)."""

    lt: int
    tx_hash: str
    utime: int
    sender: str
    comment: str
    value_nano: int

    @property
    def order_comment(self) -> str | None:
        """The comment normalised as an order's (``CT-…``), or None when it is not one."""
        comment = self.comment.strip().upper()
        return comment if self.sender and OUR_COMMENT.fullmatch(comment) else None


def ton_transactions_fetch(
    *,
    limit: int = PAGE_SIZE,
    lt: int | None = None,
    tx_hash: str | None = None,
    to_lt: int | None = None,
) -> list[TonTransaction]:
    """One page of our address's transactions, newest first (toncenter v2 ``getTransactions``):
    from the transaction (``lt``, ``tx_hash``) itself (inclusive) when given, else from the newest;
    ``to_lt`` asks the API to stop at that logical time."""
    params: dict[str, Any] = {
        "address": settings.TON_RECEIVER_ADDRESS,
        "limit": limit,
        "archival": "true",
    }
    if lt is not None and tx_hash:
        params.update(lt=lt, hash=tx_hash)
    if to_lt:
        params["to_lt"] = to_lt
    url = settings.TON_API_BASE.rstrip("/") + "/api/v2/getTransactions"
    headers = {"Accept": "application/json"}
    if settings.TON_API_KEY:
        headers["X-API-Key"] = settings.TON_API_KEY
    try:
        document = get_json(TON_API, url, params=params, headers=headers)
    except OutboundError as exc:
        raise TonApiError(f"{exc.kind}: {exc}") from exc
    if not isinstance(document, dict) or not document.get("ok"):
        raise TonApiError(f"TON API said: {str(document)[:200]}")
    result = document.get("result")
    if not isinstance(result, list):
        raise TonApiError("TON API gave no transaction list")
    page = []
    for tx in result:
        try:
            in_msg = tx.get("in_msg") or {}
            sender = str(in_msg.get("source") or "")  # '' for an external message (ours)
            page.append(
                TonTransaction(
                    lt=int(tx["transaction_id"]["lt"]),
                    tx_hash=str(tx["transaction_id"]["hash"]),
                    utime=int(tx.get("utime") or 0),
                    sender=sender,
                    comment=str(in_msg.get("message") or "") if sender else "",
                    value_nano=int(in_msg.get("value") or 0) if sender else 0,
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # Paging needs every transaction's (lt, hash): a malformed one stops this poll
            # rather than being stepped over.
            raise TonApiError(f"malformed transaction: {str(tx)[:200]}") from exc
    return page


@dataclass
class TonScan:
    """What one poll read: ``transactions`` newer than the cursor, newest first."""

    transactions: list[TonTransaction]
    top: tuple[int, str] | None  # (lt, hash) of this scan's newest (kept across resumes)
    complete: bool  # read down to the cursor (or the first scan's bound, or the account's start)
    error: TonApiError | None = None


def _transfer_outcome_in_tx(
    *, topup: TonTopup | None, transfer: TonTransaction
) -> tuple[str, int, list[TonTransfer]]:
    """(outcome, excess nanotons, earlier underpayments now counted) for a transfer, its order
    locked by the caller."""
    if topup is None:
        return TonTransfer.Outcome.UNMATCHED, 0, []
    if topup.status == TonTopup.Status.PAID:
        if topup.tx_hash == transfer.tx_hash:  # paid before transfers were recorded (0004)
            excess = max(0, transfer.value_nano - topup.amount_nano)
            return (
                TonTransfer.Outcome.OVERPAID if excess else TonTransfer.Outcome.CREDITED,
                excess,
                [],
            )
        return TonTransfer.Outcome.DUPLICATE, 0, []
    if topup.created_at < timezone.now() - LATE_AFTER:
        return TonTransfer.Outcome.LATE, 0, []
    earlier = list(
        topup.transfers.filter(outcome=TonTransfer.Outcome.UNDERPAID).order_by("lt", "pk")
    )
    total = sum(t.value_nano for t in earlier) + transfer.value_nano
    if total < topup.amount_nano:
        return TonTransfer.Outcome.UNDERPAID, 0, []
    if total == topup.amount_nano:
        return TonTransfer.Outcome.CREDITED, 0, earlier
    return TonTransfer.Outcome.OVERPAID, total - topup.amount_nano, earlier


def tons_text(nano: int) -> str:
    """Nanotons as TON for people: ``1.5``, ``0.000000001``."""
    return f"{Decimal(nano).scaleb(-9).normalize():f}"


def ton_topup_business_key(topup_id: Any) -> str:
    """The ledger key of a TON top-up's credit: one per order, whatever transfers paid it."""
    return f"ton:topup:{topup_id}"


@rls.service()  # one poll records every player's transfers
@transaction.atomic(durable=True)
def ton_transfer_record(*, transfer: TonTransaction, receiver: str) -> tuple[TonTransfer, bool]:
    """Record one transfer with an order's comment, once per transaction hash, and credit its order
    when the order's transfers reach its amount. Returns (the record, whether this call credited
    the order)."""
    comment = transfer.order_comment
    if comment is None:
        raise ValueError("only transfers with an order's comment are recorded")
    existing = TonTransfer.objects.filter(tx_hash=transfer.tx_hash).first()
    if existing is not None:
        return existing, False
    # Transfers for one order queue on its row: the sum of its underpayments and its status are
    # read and written by one of them at a time.
    topup = TonTopup.objects.select_for_update().filter(comment=comment).first()
    existing = TonTransfer.objects.filter(tx_hash=transfer.tx_hash).first()
    if existing is not None:  # recorded by a concurrent poll while we waited for the lock
        return existing, False
    outcome, excess, counted = _transfer_outcome_in_tx(topup=topup, transfer=transfer)
    try:
        with transaction.atomic():  # an unmatched transfer takes no lock: the hash decides
            record = TonTransfer.objects.create(
                tx_hash=transfer.tx_hash,
                lt=transfer.lt,
                received_at=datetime.fromtimestamp(transfer.utime, tz=UTC),
                receiver=receiver,
                sender=transfer.sender[:80],
                comment=comment,
                value_nano=transfer.value_nano,
                topup=topup,
                user_id=topup.user_id if topup else None,
                outcome=outcome,
                excess_nano=excess,
            )
    except IntegrityError:
        return TonTransfer.objects.get(tx_hash=transfer.tx_hash), False
    log = {
        "event": f"ton_transfer_{outcome}",
        "tx_hash": transfer.tx_hash,
        "value_nano": transfer.value_nano,
        "topup_id": str(topup.id) if topup else None,
    }
    if topup is None or topup.status == TonTopup.Status.PAID or outcome == TonTransfer.Outcome.LATE:
        if outcome in TonTransfer.HELD:
            logger.warning("ton transfer held for support", extra=log)
        return record, False
    total = sum(t.value_nano for t in counted) + transfer.value_nano
    topup.received_nano = total
    if outcome == TonTransfer.Outcome.UNDERPAID:
        topup.save(update_fields=["received_nano"])
        logger.warning("ton transfer below the order's amount, held", extra=log)
        return record, False
    TonTransfer.objects.filter(pk__in=[t.pk for t in counted]).update(
        outcome=TonTransfer.Outcome.ACCUMULATED
    )
    posted = ledger_post_in_tx(
        [
            Posting(
                user_id=topup.user_id,
                kind=LedgerEntry.Kind.TOPUP,
                amount=topup.stars,
                business_key=ton_topup_business_key(topup.id),
                cause_type="ton_topup",
                cause_id=str(topup.id),
            )
        ]
    )
    topup.status = TonTopup.Status.PAID
    topup.tx_hash = transfer.tx_hash
    topup.paid_at = timezone.now()
    topup.save(update_fields=["status", "tx_hash", "received_nano", "paid_at"])
    logger.info("ton top-up paid", extra={**log, "user_id": topup.user_id, "excess_nano": excess})
    ton_topup_paid_event_send(
        topup=topup, balance=posted.entries[0].balance_after if posted.entries else None
    )
    notification_enqueue_in_tx(
        user_id=topup.user_id,
        kind=Notification.Kind.TON_CREDITED,
        key=f"topup:{topup.id}",
        params={"stars": topup.stars, "tons": tons_text(topup.amount_nano)},
    )
    return record, True


def _cursor_get(address: str) -> TonPollCursor:
    """The address's cursor; the first one bounds its scan to the oldest order still payable."""
    cursor = TonPollCursor.objects.filter(pk=address).first()
    if cursor is not None:
        return cursor
    oldest = TonTopup.objects.filter(
        status__in=[TonTopup.Status.CREATED, TonTopup.Status.EXPIRED],
        created_at__gte=timezone.now() - LATE_AFTER,
    ).aggregate(oldest=Min("created_at"))["oldest"]
    since = min(oldest or timezone.now(), timezone.now()) - FIRST_SCAN_MARGIN
    cursor, _ = TonPollCursor.objects.get_or_create(pk=address, defaults={"since": since})
    return cursor


def _scan(cursor: TonPollCursor, *, max_pages: int) -> TonScan:
    """Read back from the newest transaction (or the resume point) to the cursor, at most
    ``max_pages`` pages and ``FETCH_BUDGET_SECONDS``. No transaction is open meanwhile."""
    floor = cursor.lt
    since = cursor.since.timestamp() if cursor.since and not floor else None
    start: tuple[int, str] | None = None
    top: tuple[int, str] | None = None
    if cursor.resume_lt is not None and cursor.scan_top_lt is not None:
        start = (cursor.resume_lt, cursor.resume_hash)
        top = (cursor.scan_top_lt, cursor.scan_top_hash)
    read: list[TonTransaction] = []
    deadline = time.monotonic() + FETCH_BUDGET_SECONDS
    for _ in range(max_pages):
        if time.monotonic() > deadline:
            break
        try:
            page = ton_transactions_fetch(
                lt=start[0] if start else None,
                tx_hash=start[1] if start else None,
                to_lt=floor or None,
            )
        except TonApiError as exc:
            return TonScan(read, top, complete=False, error=exc)
        full = len(page) >= PAGE_SIZE
        if start is not None:  # the page starts with the transaction we started from
            page = [tx for tx in page if tx.lt < start[0]]
        if top is None and page:
            top = (page[0].lt, page[0].tx_hash)
        for tx in page:
            if tx.lt <= floor or (since is not None and tx.utime < since):
                return TonScan(read, top, complete=True)
            read.append(tx)
        if not full or not page:  # the account's first transaction (or the API's to_lt stop)
            return TonScan(read, top, complete=True)
        start = (page[-1].lt, page[-1].tx_hash)
    return TonScan(read, top, complete=False)


def _cursor_advance(cursor: TonPollCursor, scan: TonScan) -> bool:
    """Move the cursor past what this poll recorded; False when another poll moved it first (what
    both recorded stays recorded, the next poll reads from the cursor that poll left)."""
    if scan.complete:
        lt, tx_hash = scan.top if scan.top else (cursor.lt, cursor.tx_hash)
        new: dict[str, Any] = {
            "lt": max(cursor.lt, lt),
            "tx_hash": tx_hash if lt >= cursor.lt else cursor.tx_hash,
            "resume_lt": None,
            "resume_hash": "",
            "scan_top_lt": None,
            "scan_top_hash": "",
        }
    elif scan.transactions:
        assert scan.top is not None
        oldest = scan.transactions[-1]
        new = {
            "resume_lt": oldest.lt,
            "resume_hash": oldest.tx_hash,
            "scan_top_lt": scan.top[0],
            "scan_top_hash": scan.top[1],
        }
    else:
        return True  # read nothing: nothing to move
    moved = TonPollCursor.objects.filter(
        pk=cursor.pk,
        lt=cursor.lt,
        resume_lt=cursor.resume_lt,
        scan_top_lt=cursor.scan_top_lt,
    ).update(**new, updated_at=timezone.now())
    return moved == 1


@rls.service()  # the poller reads and writes every player's orders (also from the check API)
def ton_topups_poll(*, max_pages: int | None = None) -> int:
    """Record every new transfer with an order's comment; returns how many orders were credited.
    Expires old orders. Raises ``TonApiError`` (after recording what it could read) when the API
    failed."""
    address = settings.TON_RECEIVER_ADDRESS
    if not address:
        return 0
    cursor = _cursor_get(address)
    scan = _scan(cursor, max_pages=max_pages or settings.TON_POLL_MAX_PAGES)
    credited = 0
    for tx in reversed(scan.transactions):  # oldest first: underpayments add up in order
        if tx.order_comment is None:
            continue
        _, credited_now = ton_transfer_record(transfer=tx, receiver=address)
        credited += int(credited_now)
    # Only now, with everything it read recorded: a crash before this line re-reads the same
    # transactions next time, and recording them again changes nothing.
    _cursor_advance(cursor, scan)
    TonTopup.objects.filter(status=TonTopup.Status.CREATED, expires_at__lt=timezone.now()).update(
        status=TonTopup.Status.EXPIRED
    )
    if scan.error is not None:
        raise scan.error
    return credited


@rls.service()  # support settles any player's transfer
def ton_transfer_resolve(
    *, staff: User, transfer_id: int, credit: bool, reason: str, user_id: int | None = None
) -> TonTransfer:
    """Support settles a held transfer (underpaid, duplicate, late or unmatched): ``credit`` gives
    the player the Stars the TON that arrived is worth (``ton:transfer:<id>``, once); otherwise it
    is marked to be sent back on-chain. An unmatched transfer needs the player (``user_id``).
    Audited; a transfer already settled (by a colleague at the same moment) is refused."""
    reason = staff_reason_required(reason)
    kind = "ton_transfer_credit" if credit else "ton_transfer_refund"
    audit: dict[str, Any] = {"staff": staff, "kind": kind, "reason": reason}
    try:
        with transaction.atomic(durable=True):
            found = TonTransfer.objects.filter(pk=transfer_id).first()
            if found is None:
                raise NotFoundError("ton_transfer_not_found", "No such TON transfer.")
            audit["subject"] = f"TON transfer {found.tx_hash[:16]}…"
            if found.topup_id is not None:  # the poller's lock order: the order, then the transfer
                TonTopup.objects.select_for_update().filter(pk=found.topup_id).first()
            transfer = TonTransfer.objects.select_for_update().get(pk=transfer_id)
            player_id = transfer.user_id or user_id
            audit["player_id"] = player_id
            if transfer.outcome not in TonTransfer.HELD:
                raise ConflictError(
                    "ton_transfer_settled",
                    "This transfer is not held any more.",
                    details={"outcome": transfer.outcome},
                )
            stars = transfer.value_nano // settings.TON_NANO_PER_STAR
            if credit:
                if player_id is None or not User.objects.filter(tg_id=player_id).exists():
                    raise ApplicationError(
                        "ton_transfer_player_required", "Say which player to credit."
                    )
                if stars < 1:
                    raise ConflictError(
                        "ton_transfer_too_small", "The transfer is worth less than one Star."
                    )
                ledger_post_in_tx(
                    [
                        Posting(
                            user_id=player_id,
                            kind=LedgerEntry.Kind.TOPUP,
                            amount=stars,
                            business_key=f"ton:transfer:{transfer.pk}",
                            cause_type="ton_transfer",
                            cause_id=str(transfer.pk),
                            memo=reason,
                            created_by_id=staff.tg_id,
                        )
                    ]
                )
                notification_enqueue_in_tx(
                    user_id=player_id,
                    kind=Notification.Kind.TON_CREDITED,
                    key=f"transfer:{transfer.pk}",
                    params={"stars": stars, "tons": tons_text(transfer.value_nano)},
                )
            transfer.outcome = (
                TonTransfer.Outcome.SUPPORT_CREDITED
                if credit
                else TonTransfer.Outcome.SUPPORT_REFUND
            )
            transfer.user_id = player_id
            transfer.resolved_by = staff
            transfer.resolved_at = timezone.now()
            transfer.resolved_stars = stars if credit else None
            transfer.save(
                update_fields=["outcome", "user", "resolved_by", "resolved_at", "resolved_stars"]
            )
            staff_action_record_in_tx(**audit, stars=stars if credit else None)
    except ApplicationError as exc:
        if "subject" in audit:
            staff_action_refused(**audit, detail=exc.message)
        raise
    return transfer
