"""Roles out of the box (issue #14): the ``support`` and ``game admin`` groups and their Django
permissions. Created by a migration (accounts 0003) and again after any ``migrate`` or test flush
that left them missing (``post_migrate``); a group that exists is never changed, so what an admin
edited stays as edited."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

GROUPS = {
    "support": {
        "accounts": [
            "view_user",
            "change_user",
            "block_user",
            "view_staffaction",
            "adjust_balance",
            "cancel_room",
            "resolve_ton_transfer",
        ],
        "payments": [
            "view_balance",
            "view_ledgerentry",
            "view_payment",
            "view_starcharge",
            "refund_starcharge",
            "view_supportrefund",
            "view_stardebt",
            "view_tonwallet",
            "view_tontopup",
            "view_tontransfer",
            "view_donationpreset",
        ],
        "rooms": ["view_room", "view_seat", "view_bonusrun", "view_roomtier"],
        "leaderboards": ["view_donation"],
    },
    "game admin": {
        "accounts": ["view_user"],
        "payments": [
            "view_donationpreset",
            "add_donationpreset",
            "change_donationpreset",
            "delete_donationpreset",
            "view_paymentsettings",
            "change_paymentsettings",
            "view_ratesettings",
            "change_ratesettings",
            "view_ratesnapshot",
        ],
        "rooms": [
            "view_roomtier",
            "add_roomtier",
            "change_roomtier",
            "view_roomsettings",
            "change_roomsettings",
            "view_bonussettings",
            "change_bonussettings",
            "view_room",
        ],
    },
}


def staff_groups_ensure(apps: Any = global_apps) -> list[str]:
    """Create the missing groups with their permissions; returns the names created."""
    for label in {label for perms in GROUPS.values() for label in perms}:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    created = []
    for name, by_app in GROUPS.items():
        group, new = group_model.objects.get_or_create(name=name)
        if not new:
            continue
        created.append(name)
        for app_label, codenames in by_app.items():
            found = list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
            missing = set(codenames) - {p.codename for p in found}
            if missing:
                raise RuntimeError(f"permissions missing for {name}: {sorted(missing)}")
            group.permissions.add(*found)
    return created
