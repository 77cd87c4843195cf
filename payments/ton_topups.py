"""Stars top-ups paid in TON (the second payment method when the balance is short).

The player sends ``amount_nano`` to ``TON_RECEIVER_ADDRESS`` with the order's comment (the Mini App
does it through TON Connect). A poller reads the receiver's transactions from a toncenter-compatible
API and credits each matching transfer once, keyed by its transaction hash.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pytoniq_core import begin_cell

from accounts.events import user_event_send
from accounts.models import User
from chancetap.core.errors import ApplicationError, NotFoundError
from chancetap.core.idempotency import IdempotentResponse, idempotent_execute
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry, TonTopup

logger = logging.getLogger(__name__)
COMMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TonApiError(Exception):
    pass


def _comment() -> str:
    return "CT-" + "".join(secrets.choice(COMMENT_ALPHABET) for _ in range(10))


def comment_payload_boc(comment: str) -> str:
    """The TON Connect message payload: a text comment cell (op 0), base64 BoC."""
    cell = begin_cell().store_uint(0, 32).store_snake_string(comment).end_cell()
    return base64.b64encode(cell.to_boc()).decode()


def ton_topup_public(topup: TonTopup) -> dict[str, Any]:
    return {
        "id": str(topup.id),
        "stars": topup.stars,
        "status": topup.status,
        "address": settings.TON_RECEIVER_ADDRESS,
        "amount_nano": str(topup.amount_nano),
        "comment": topup.comment,
        "payload": comment_payload_boc(topup.comment),
        "expires_at": topup.expires_at.isoformat(),
        "paid_at": topup.paid_at.isoformat() if topup.paid_at else None,
    }


def ton_topup_create(*, user: User, stars: int, idempotency_key: str) -> IdempotentResponse:
    if not settings.TON_RECEIVER_ADDRESS:
        raise ApplicationError(
            "ton_unavailable", "Paying with TON is not available right now.", status=503
        )
    from payments.services import payment_settings_get

    limits = payment_settings_get()
    if not limits.min_stars <= stars <= limits.max_stars:
        raise ApplicationError(
            "amount_out_of_range",
            f"The amount must be between {limits.min_stars} and {limits.max_stars} Stars.",
            details={"min": limits.min_stars, "max": limits.max_stars},
        )

    def action() -> tuple[int, Any]:
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
        return 201, ton_topup_public(topup)

    return idempotent_execute(
        user_id=user.tg_id,
        scope="payments.ton_topup",
        key=idempotency_key,
        body={"stars": stars},
        action=action,
    )


def ton_topup_get(*, user: User, topup_id: Any) -> TonTopup:
    topup = TonTopup.objects.filter(pk=topup_id, user=user).first()
    if topup is None:
        raise NotFoundError("ton_topup_not_found", "No such TON top-up.")
    return topup


@dataclass(frozen=True)
class IncomingTransfer:
    tx_hash: str
    comment: str
    value_nano: int


def ton_transactions_fetch(*, limit: int = 50) -> list[IncomingTransfer]:
    """Incoming transfers to our address, newest first (toncenter v2 ``getTransactions``)."""
    query = urllib.parse.urlencode(
        {"address": settings.TON_RECEIVER_ADDRESS, "limit": limit, "archival": "true"}
    )
    url = settings.TON_API_BASE.rstrip("/") + "/api/v2/getTransactions?" + query
    if not url.startswith(("http://", "https://")):
        raise TonApiError("TON_API_BASE must be http(s)")
    headers = {"Accept": "application/json"}
    if settings.TON_API_KEY:
        headers["X-API-Key"] = settings.TON_API_KEY
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            document = json.loads(response.read(4 * 1024 * 1024))
    except (OSError, ValueError) as exc:
        raise TonApiError(str(exc)) from exc
    if not isinstance(document, dict) or not document.get("ok"):
        raise TonApiError(f"TON API said: {str(document)[:200]}")
    transfers = []
    for tx in document.get("result") or []:
        try:
            in_msg = tx.get("in_msg") or {}
            if not in_msg.get("source"):
                continue  # external message (our own outgoing), not a transfer to us
            transfers.append(
                IncomingTransfer(
                    tx_hash=str(tx["transaction_id"]["hash"]),
                    comment=str(in_msg.get("message") or "").strip(),
                    value_nano=int(in_msg.get("value") or 0),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return transfers


@transaction.atomic(durable=True)
def ton_transfer_apply(*, transfer: IncomingTransfer) -> bool:
    """Credit the top-up a transfer pays for, once per transaction hash."""
    topup = TonTopup.objects.select_for_update().filter(comment=transfer.comment).first()
    if topup is None or topup.status == TonTopup.Status.PAID:
        return False
    if TonTopup.objects.filter(tx_hash=transfer.tx_hash).exists():
        return False
    if transfer.value_nano < topup.amount_nano:
        logger.warning(
            "ton transfer below the expected amount",
            extra={"event": "ton_underpaid", "topup_id": str(topup.id)},
        )
        return False
    posted = ledger_post_in_tx(
        [
            Posting(
                user_id=topup.user_id,
                kind=LedgerEntry.Kind.TOPUP,
                amount=topup.stars,
                business_key=f"ton:{transfer.tx_hash}",
                cause_type="ton_topup",
                cause_id=str(topup.id),
            )
        ]
    )
    topup.status = TonTopup.Status.PAID
    topup.tx_hash = transfer.tx_hash
    topup.received_nano = transfer.value_nano
    topup.paid_at = timezone.now()
    topup.save(update_fields=["status", "tx_hash", "received_nano", "paid_at"])
    logger.info(
        "ton top-up paid",
        extra={"event": "ton_topup_paid", "topup_id": str(topup.id), "user_id": topup.user_id},
    )
    user_event_send(
        tg_id=topup.user_id,
        payload={
            "type": "ton_topup",
            "topup": ton_topup_public(topup),
            "balance": posted.entries[0].balance_after if posted.entries else None,
        },
    )
    return posted.applied


def ton_topups_poll() -> int:
    """Apply every incoming transfer that pays an open top-up; expire old orders."""
    if not settings.TON_RECEIVER_ADDRESS:
        return 0
    # Expired orders stay matchable for a while: money that arrives late is still credited.
    open_comments = set(
        TonTopup.objects.filter(
            status__in=[TonTopup.Status.CREATED, TonTopup.Status.EXPIRED],
            created_at__gte=timezone.now() - timedelta(days=30),
        ).values_list("comment", flat=True)
    )
    applied = 0
    if open_comments:
        for transfer in ton_transactions_fetch():
            if transfer.comment in open_comments:
                applied += int(ton_transfer_apply(transfer=transfer))
    TonTopup.objects.filter(status=TonTopup.Status.CREATED, expires_at__lt=timezone.now()).update(
        status=TonTopup.Status.EXPIRED
    )
    return applied
