"""Linking a TON wallet: issue a one-time ``ton_proof`` payload, verify the proof, save it."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from chancetap.core.errors import ApplicationError, ConflictError, NotFoundError
from payments.models import TonProofPayload, TonWallet
from payments.ton import TonProof, TonProofError, ton_proof_verify

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def ton_proof_payload_issue(*, user: User) -> TonProofPayload:
    now = timezone.now()
    TonProofPayload.objects.filter(user=user, expires_at__lt=now).delete()
    return TonProofPayload.objects.create(
        payload=secrets.token_hex(32),
        user=user,
        expires_at=now + timedelta(seconds=settings.TON_PROOF_TTL_SECONDS),
    )


def ton_wallet_link(*, user: User, proof: TonProof) -> TonWallet:
    """Verify ``proof`` and link the wallet. The payload is spent even when the proof fails."""
    with transaction.atomic(durable=True):
        issued = (
            TonProofPayload.objects.select_for_update()
            .filter(payload=proof.payload, user=user)
            .first()
        )
        if issued is None:
            raise ApplicationError(
                "ton_payload_unknown", "This proof payload was not issued to you."
            )
        if issued.used_at is not None:
            raise ApplicationError("ton_payload_used", "This proof payload was already used.")
        if issued.expires_at < timezone.now():
            raise ApplicationError("ton_payload_expired", "This proof payload expired. Try again.")
        issued.used_at = timezone.now()
        issued.save(update_fields=["used_at"])
    try:
        verified = ton_proof_verify(
            proof,
            allowed_domains=frozenset(settings.TON_PROOF_ALLOWED_DOMAINS),
            now=int(time.time()),
            ttl_seconds=settings.TON_PROOF_TTL_SECONDS,
        )
    except TonProofError as exc:
        logger.info("ton proof refused", extra={"event": "ton_proof_refused", "code": exc.code})
        raise ApplicationError(exc.code, exc.message) from exc
    try:
        with transaction.atomic(durable=True):
            wallet, _ = TonWallet.objects.update_or_create(
                user=user,
                defaults={
                    "address": verified.address,
                    "friendly_address": verified.friendly_address,
                    "public_key": verified.public_key,
                    "wallet_version": verified.wallet_version,
                    "network": verified.network,
                    "linked_at": timezone.now(),
                },
            )
    except IntegrityError as exc:
        raise ConflictError(
            "ton_wallet_taken", "This wallet is already linked to another player."
        ) from exc
    logger.info(
        "ton wallet linked",
        extra={
            "event": "ton_wallet_linked",
            "user_id": user.tg_id,
            "version": wallet.wallet_version,
        },
    )
    return wallet


@transaction.atomic(durable=True)
def ton_wallet_unlink(*, user: User) -> None:
    deleted, _ = TonWallet.objects.filter(user=user).delete()
    if not deleted:
        raise NotFoundError("ton_wallet_not_linked", "No TON wallet is linked.")
