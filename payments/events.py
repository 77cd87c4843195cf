"""Payment events to the player's ``ws/me/`` sockets, declared here (docs/ws-frames.json, via
``manage.py ws_schema``) and rendered by the REST API's serializers."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from accounts.events import user_event_send
from payments.models import Payment, TonTopup
from payments.serializers import PaymentSerializer, TonTopupSerializer

# One serializer each, reused for every event (building one costs ~120 µs against ~20 µs to render
# with a built one; every confirmed payment sends one). to_representation keeps no state.
_PAYMENT = PaymentSerializer()
_TON_TOPUP = TonTopupSerializer()


class PaymentEvent(TypedDict):
    """``ws/me/`` event: a Stars payment was credited (``balance`` null for a donation)."""

    type: Literal["payment"]
    payment: Annotated[dict[str, Any], PaymentSerializer]
    balance: int | None


class TonTopupEvent(TypedDict):
    """``ws/me/`` event: a TON top-up was credited."""

    type: Literal["ton_topup"]
    topup: Annotated[dict[str, Any], TonTopupSerializer]
    balance: int | None


def payment_paid_event_send(*, payment: Payment, balance: int | None) -> None:
    """Once the transaction commits: ``{"type": "payment", "payment", "balance"}``."""
    event: PaymentEvent = {
        "type": "payment",
        "payment": dict(_PAYMENT.to_representation(payment)),
        "balance": balance,
    }
    user_event_send(tg_id=payment.user_id, payload=event)


def ton_topup_paid_event_send(*, topup: TonTopup, balance: int | None) -> None:
    """Once the transaction commits: ``{"type": "ton_topup", "topup", "balance"}``."""
    event: TonTopupEvent = {
        "type": "ton_topup",
        "topup": dict(_TON_TOPUP.to_representation(topup)),
        "balance": balance,
    }
    user_event_send(tg_id=topup.user_id, payload=event)
