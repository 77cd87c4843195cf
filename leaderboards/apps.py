from __future__ import annotations

from django.apps import AppConfig


class LeaderboardsConfig(AppConfig):
    name = "leaderboards"
    verbose_name = "Leaderboards"

    def ready(self) -> None:
        from accounts.hooks import user_block_hook_add, user_created_hook_add
        from leaderboards import services
        from payments.hooks import donation_hooks_add

        user_created_hook_add(services.referral_counted_for_new_user_in_tx)
        user_block_hook_add(services.leaderboards_visibility_for_block_in_tx)
        donation_hooks_add(
            charged=services.donation_charged_in_tx, refunded=services.donation_refunded_in_tx
        )
