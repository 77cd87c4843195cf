"""Celery interfaces of the payments app: thin, id-based, idempotent (STYLE.md rule 7)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from chancetap.core.idempotency import idempotency_records_expire
from chancetap.observability import metrics
from payments.ledger import ledger_mismatches
from payments.services import payments_reconcile, star_payment_apply, support_refunds_reconcile

logger = logging.getLogger(__name__)


@shared_task(
    name="payments.apply_star_payment",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=None,
    time_limit=60,
    soft_time_limit=50,
)
def apply_star_payment(self: Any, fields: dict[str, Any]) -> bool:
    """A successful_payment the bot could not apply (database down): apply it, once."""
    result = star_payment_apply(**{**fields, "source": fields.get("source", "bot") + "-retry"})
    logger.info(
        "deferred payment applied",
        extra={"event": "payment_apply_retried", "applied": result.applied},
    )
    return result.applied


@shared_task(name="payments.reconcile", time_limit=600, soft_time_limit=540)
def reconcile_payments_task() -> dict[str, int]:
    if not settings.TELEGRAM_BOT_TOKEN_SET:
        return {"seen": 0, "applied": 0}  # no real bot: nothing at Telegram to compare with
    report = payments_reconcile()
    # Support refunds left pending (no answer from Telegram, a crash): ask again. After the
    # reconciliation above, which has recorded any refund Telegram already made.
    closed = support_refunds_reconcile()
    return {"seen": report.seen, "applied": report.applied, "support_refunds_closed": closed}


@shared_task(name="payments.ledger_check", time_limit=600, soft_time_limit=540)
def ledger_check_task() -> int:
    problems = ledger_mismatches()
    metrics.ledger_checks_total.labels(outcome="mismatch" if problems else "ok").inc()
    metrics.ledger_mismatches_total.inc(len(problems))
    for problem in problems:
        logger.critical(
            "ledger mismatch", extra={"event": "ledger_mismatch", "detail": str(problem)}
        )
    return len(problems)


@shared_task(name="core.expire_idempotency_records", time_limit=300, soft_time_limit=240)
def expire_idempotency_records_task() -> int:
    return idempotency_records_expire()


@shared_task(name="payments.refresh_rate", time_limit=30, soft_time_limit=20)
def refresh_rate_task() -> str | None:
    """Beat: keep the HTTP rate fresh. Failures are logged; rate_get falls back by itself."""
    from payments.models import RateSettings
    from payments.rates import RateSourceError, rate_refresh, rate_settings_get

    row = rate_settings_get()
    if row.source != RateSettings.Source.HTTP:
        return None
    try:
        return str(rate_refresh(row).rate)
    except RateSourceError:
        return None


@shared_task(name="payments.ton_poll", time_limit=60, soft_time_limit=50)
def ton_poll_task() -> int:
    from payments.ton_topups import TonApiError, ton_topups_poll

    try:
        return ton_topups_poll()
    except TonApiError as exc:
        logger.error("ton api failed", extra={"event": "ton_api_error", "error": str(exc)})
        return 0
