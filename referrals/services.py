"""Referral rules: the referrer is fixed once, when the user is created (SPEC §4)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notification_enqueue_in_tx
from chancetap.core.errors import ApplicationError
from chancetap.core.transactions import assert_in_transaction
from chancetap.observability import metrics
from leaderboards.models import Donation
from leaderboards.services import referral_counted_in_tx
from payments.hooks import DonationCharged

logger = logging.getLogger(__name__)

_REF_CODE = re.compile(r"^ref_([1-9][0-9]{0,15})$")


def referral_code_parse(code: str) -> int | None:
    """``ref_<tg_id>`` → tg_id; anything else → None."""
    match = _REF_CODE.match(code or "")
    if not match:
        return None
    value = int(match.group(1))
    return value if value <= 2**52 else None


def referral_code_for(*, tg_id: int) -> str:
    return f"ref_{tg_id}"


def referrer_resolve_for_new_user_in_tx(*, start_param: str, tg_id: int) -> User | None:
    """The referrer a new user ``tg_id`` gets from ``start_param``, or None when it does not apply.

    Applies only when the code is well formed, the referrer exists, is not blocked and is not the
    user. Called inside the transaction that creates the user.
    """
    assert_in_transaction()
    referrer_id = referral_code_parse(start_param)
    if referrer_id is None or referrer_id == tg_id:
        return None
    referrer = User.objects.filter(tg_id=referrer_id, is_blocked=False).first()
    if referrer is None:
        logger.info(
            "referral not applied: unknown referrer",
            extra={"event": "referral_refused", "tg_id": tg_id, "referrer_id": referrer_id},
        )
    return referrer


def referral_link(*, tg_id: int) -> str:
    from django.conf import settings

    bot, app = settings.TELEGRAM_BOT_USERNAME, settings.TELEGRAM_APP_NAME
    return f"https://t.me/{bot}/{app}?startapp={referral_code_for(tg_id=tg_id)}"


def referral_attach(*, user: User, code: str) -> User:
    """Attach a referrer after the fact — only under the creation rule, explaining refusals.

    Allowed only for a user who has none, joined within the attach window and has not donated yet
    (a client that could not pass ``start_param`` at creation). Never changes an existing referrer.
    """
    referrer_id = referral_code_parse(code)
    if referrer_id is None:
        raise ApplicationError("referral_code_invalid", "This is not a referral code.")
    if referrer_id == user.tg_id:
        raise ApplicationError("referral_self", "You cannot invite yourself.")
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(tg_id=user.tg_id)
        if locked.referrer_id is not None:
            raise ApplicationError(
                "referral_already_set",
                "Your referrer is already set and cannot change.",
                status=409,
            )
        window = timedelta(seconds=settings.REFERRAL_ATTACH_WINDOW_SECONDS)
        if (
            timezone.now() - locked.created_at > window
            or Donation.objects.filter(user_id=locked.tg_id).exists()
        ):
            raise ApplicationError(
                "referral_window_closed",
                "A referral can only be set when you join.",
                status=409,
            )
        referrer = User.objects.filter(tg_id=referrer_id, is_blocked=False).first()
        if referrer is None:
            raise ApplicationError(
                "referral_unknown", "No player has this referral code.", status=404
            )
        locked.referrer = referrer
        locked.save(update_fields=["referrer", "updated_at"])
        referral_counted_in_tx(referrer_id=referrer.tg_id)
    metrics.referral_attaches_total.labels(via="code").inc()
    logger.info(
        "referral attached",
        extra={
            "event": "referral_attached",
            "via": "code",
            "tg_id": user.tg_id,
            "referrer_id": referrer_id,
        },
    )
    return locked


def referral_first_donation_in_tx(donation: DonationCharged) -> None:
    """Tell the referrer when a player he brought donates for the first time (one message per
    referral: the key is the player's, so later donations add nothing)."""
    user = User.objects.filter(tg_id=donation.user_id).only("referrer_id", "first_name").first()
    if user is None or user.referrer_id is None:
        return
    notification_enqueue_in_tx(
        user_id=user.referrer_id,
        kind=Notification.Kind.REFERRAL_DONATION,
        key=f"referral:{user.tg_id}",
        params={"friend": user.first_name, "stars": donation.stars},
    )
