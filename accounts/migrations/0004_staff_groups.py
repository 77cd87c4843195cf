"""Roles out of the box (issue #14): the ``support`` and ``game admin`` groups (accounts.roles)."""

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from accounts.roles import staff_groups_ensure

    staff_groups_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_actions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("payments", "0007_default_donation_presets"),
        ("rooms", "0006_bonus_cooldown_and_guard"),
        ("leaderboards", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
