from __future__ import annotations

from typing import Any

from accounts.models import User
from leaderboards.selectors import referral_stats, user_stats
from payments.models import Balance, TonWallet
from payments.selectors import dev_payments_available
from payments.wallets import ton_wallet_public
from referrals.services import referral_code_for, referral_link
from rooms.bonus import bonus_run_active, bonus_run_public


def user_get(*, tg_id: int) -> User | None:
    return User.objects.filter(tg_id=tg_id).first()


def user_profile(*, user: User) -> dict[str, Any]:
    """The caller's own profile, as ``GET /api/v1/me`` and the login answer show it."""
    wallet = TonWallet.objects.filter(user_id=user.tg_id).first()
    stars, debt = Balance.objects.filter(user_id=user.tg_id).values_list(
        "stars", "debt"
    ).first() or (
        0,
        0,
    )
    return {
        "tg_id": user.tg_id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "photo_url": user.photo_url,
        "language_code": user.language_code,
        "is_premium": user.is_premium,
        "referrer_id": user.referrer_id,
        "created_at": user.created_at,
        "balance": stars,
        "debt": debt,
        "ton_wallet": ton_wallet_public(wallet),
        "has_ton_wallet": wallet is not None,
        "stats": user_stats(user=user),
        "referral": {
            "code": referral_code_for(tg_id=user.tg_id),
            "link": referral_link(tg_id=user.tg_id),
            **referral_stats(user=user),
        },
        "bonus_run": bonus_run_public(bonus_run_active(user_id=user.tg_id)),
        # Debug builds: the top-up sheet may pay without Telegram (payments/dev_apis.py).
        "dev_payments": dev_payments_available(),
    }
