"""Stars payments in the bot: answer ``pre_checkout_query`` fast, credit ``successful_payment``.

The bot process answers pre-checkout itself (Telegram waits at most 10 s). A successful payment is
applied in one transaction, idempotent on ``telegram_payment_charge_id``; when the database is
unavailable it goes to a durable Celery retry (acks_late) instead of being lost.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.types import Message, PreCheckoutQuery
from channels.db import database_sync_to_async as sync_to_async
from django.db import InterfaceError, OperationalError

from botapp.telegram_calls import telegram_call
from botapp.texts import error_text, text
from chancetap.core.errors import ApplicationError
from chancetap.observability import metrics
from payments.services import pre_checkout_check, star_payment_apply, star_refund_record

logger = logging.getLogger(__name__)
DB_DOWN = (OperationalError, InterfaceError)


async def on_pre_checkout(query: PreCheckoutQuery) -> None:
    lang = query.from_user.language_code
    try:
        await sync_to_async(pre_checkout_check)(
            from_user_id=query.from_user.id,
            payload=query.invoice_payload,
            currency=query.currency,
            total_amount=query.total_amount,
        )
    except ApplicationError as exc:
        logger.info(
            "pre-checkout refused",
            extra={
                "event": "pre_checkout_refused",
                "code": exc.code,
                "user_id": query.from_user.id,
            },
        )
        message = error_text(exc.code, lang)
    except DB_DOWN:
        logger.error("pre-checkout: database unavailable", extra={"event": "pre_checkout_db_down"})
        message = error_text("generic", lang)
    else:
        await telegram_call("answerPreCheckoutQuery", lambda: query.answer(ok=True))
        return
    await telegram_call(
        "answerPreCheckoutQuery", lambda: query.answer(ok=False, error_message=message)
    )


async def on_successful_payment(message: Message) -> None:
    payment = message.successful_payment
    sender = message.from_user
    if payment is None or sender is None:
        return
    fields: dict[str, Any] = {
        "from_user_id": sender.id,
        "payload": payment.invoice_payload,
        "currency": payment.currency,
        "total_amount": payment.total_amount,
        "telegram_payment_charge_id": payment.telegram_payment_charge_id,
        "provider_payment_charge_id": payment.provider_payment_charge_id or "",
        "source": "bot",
    }
    try:
        result = await sync_to_async(star_payment_apply)(**fields)
    except DB_DOWN:
        from payments.tasks import apply_star_payment

        metrics.payment_apply_failures.labels(reason="database_unavailable").inc()
        logger.error(
            "successful_payment: database unavailable, queued for retry",
            extra={"event": "payment_apply_deferred", "user_id": sender.id},
        )
        try:
            await sync_to_async(apply_star_payment.delay)(fields)
        except Exception:
            # Even the queue is unreachable: the periodic reconciliation with Telegram's own
            # transaction list will still find and apply this charge.
            logger.critical(
                "payment could not be queued; reconciliation will apply it",
                extra={"event": "payment_apply_unqueued", "user_id": sender.id},
                exc_info=True,
            )
        return
    except ApplicationError as exc:
        metrics.payment_apply_failures.labels(reason=exc.code).inc()
        logger.error(
            "successful_payment refused", extra={"event": "payment_apply_failed", "code": exc.code}
        )
        return
    if result.applied:
        thanks = text("payment_thanks", sender.language_code, stars=payment.total_amount)
        await telegram_call("sendMessage", lambda: message.answer(thanks), chat_id=sender.id)


async def on_refunded_payment(message: Message) -> None:
    refund = message.refunded_payment
    sender = message.from_user
    if refund is None or sender is None:
        return
    await sync_to_async(star_refund_record)(
        from_user_id=sender.id, telegram_payment_charge_id=refund.telegram_payment_charge_id
    )


def router_create() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    router = Router(name="payments")
    router.pre_checkout_query.register(on_pre_checkout)
    router.message.register(on_successful_payment, F.successful_payment)
    router.message.register(on_refunded_payment, F.refunded_payment)
    return router
