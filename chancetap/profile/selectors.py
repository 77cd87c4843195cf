"""The player's profile composed from every app (balance, wallet, stats, referral card, bonus run):
one module above the apps, so that none of them imports the others for it."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from leaderboards.selectors import ReferralStats, UserStats, referral_stats, user_stats
from payments.models import Balance, TonWallet
from payments.selectors import dev_payments_available
from referrals.services import referral_code_for, referral_link
from rooms.bonus import BonusRunProgress, bonus_run_active, bonus_run_progress


@dataclass(frozen=True)
class ReferralCard:
    code: str
    link: str
    stats: ReferralStats


@dataclass(frozen=True)
class UserProfile:
    """The caller's own profile, as ``GET /api/v1/me``, the login answer and ``ws/me/``'s
    ``hello`` show it (``chancetap.profile.serializers.ProfileSerializer``)."""

    user: User
    balance: int
    debt: int
    ton_wallet: TonWallet | None
    stats: UserStats
    referral: ReferralCard
    bonus_run: BonusRunProgress | None
    dev_payments: bool  # debug builds: the top-up sheet may pay without Telegram


def user_profile(*, user: User) -> UserProfile:
    wallet = TonWallet.objects.filter(user_id=user.tg_id).first()
    stars, debt = Balance.objects.filter(user_id=user.tg_id).values_list(
        "stars", "debt"
    ).first() or (0, 0)
    return UserProfile(
        user=user,
        balance=stars,
        debt=debt,
        ton_wallet=wallet,
        stats=user_stats(user=user),
        referral=ReferralCard(
            code=referral_code_for(tg_id=user.tg_id),
            link=referral_link(tg_id=user.tg_id),
            stats=referral_stats(user=user),
        ),
        bonus_run=bonus_run_progress(bonus_run_active(user_id=user.tg_id)),
        dev_payments=dev_payments_available(),
    )
