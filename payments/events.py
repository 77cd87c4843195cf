"""Payment events to the player's ``ws/me/`` sockets, rendered by the REST API's serializers."""

from __future__ import annotations

from accounts.events import user_event_send
from payments.models import Payment, TonTopup
from payments.serializers import PaymentEventSerializer, TonTopupEventSerializer


def payment_paid_event_send(*, payment: Payment, balance: int | None) -> None:
    """Once the transaction commits: ``{"type": "payment", "payment", "balance"}``."""
    body = PaymentEventSerializer({"type": "payment", "payment": payment, "balance": balance}).data
    user_event_send(tg_id=payment.user_id, payload=dict(body))


def ton_topup_paid_event_send(*, topup: TonTopup, balance: int | None) -> None:
    """Once the transaction commits: ``{"type": "ton_topup", "topup", "balance"}``."""
    body = TonTopupEventSerializer({"type": "ton_topup", "topup": topup, "balance": balance}).data
    user_event_send(tg_id=topup.user_id, payload=dict(body))
