from __future__ import annotations

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from accounts.hooks import referrer_resolver_set
        from payments.hooks import donation_hooks_add
        from referrals.services import (
            referral_first_donation_in_tx,
            referrer_resolve_for_new_user_in_tx,
        )

        referrer_resolver_set(
            lambda start_param, tg_id: referrer_resolve_for_new_user_in_tx(
                start_param=start_param, tg_id=tg_id
            )
        )
        donation_hooks_add(charged=referral_first_donation_in_tx)
