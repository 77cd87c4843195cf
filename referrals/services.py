"""Referral rules: the referrer is fixed once, when the user is created (SPEC §4)."""

from __future__ import annotations

import logging
import re

from accounts.models import User
from chancetap.core.transactions import assert_in_transaction

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
