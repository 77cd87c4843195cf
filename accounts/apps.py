from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts import schema  # noqa: F401 - registers the OpenAPI authentication schemes

        post_migrate.connect(_staff_groups, dispatch_uid="accounts.staff_groups")


def _staff_groups(sender: AppConfig, **kwargs: Any) -> None:
    """After migrate (and a test flush) of the accounts app: the staff groups exist."""
    if sender.label == "accounts":
        from accounts.roles import staff_groups_ensure

        staff_groups_ensure()
