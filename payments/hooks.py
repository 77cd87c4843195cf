"""What other apps do when money moves, inside the payment's own transaction.

``payments`` is a leaf the other apps call: it imports none of them. Leaderboards register here
(``AppConfig.ready``) to record a donation's tons and to take them back on a refund — explicit
calls in the same transaction, not Django signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class DonationCharged:
    charge_id: str
    user_id: int
    stars: int
    tons: Decimal
    rate: Decimal
    at: datetime


@dataclass
class PaymentHooks:
    donation_charged: list[Callable[[DonationCharged], None]] = field(default_factory=list)
    donation_refunded: list[Callable[[str], None]] = field(default_factory=list)


hooks = PaymentHooks()


def donation_hooks_add(
    *, charged: Callable[[DonationCharged], None], refunded: Callable[[str], None] | None = None
) -> None:
    """``charged(donation)`` and ``refunded(charge_id)`` run in the payment's transaction."""
    if charged not in hooks.donation_charged:
        hooks.donation_charged.append(charged)
    if refunded is not None and refunded not in hooks.donation_refunded:
        hooks.donation_refunded.append(refunded)
