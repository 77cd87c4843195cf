from __future__ import annotations

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from accounts.hooks import referrer_resolver_set
        from referrals.services import referrer_resolve_for_new_user_in_tx

        referrer_resolver_set(
            lambda start_param, tg_id: referrer_resolve_for_new_user_in_tx(
                start_param=start_param, tg_id=tg_id
            )
        )
