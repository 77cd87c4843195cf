"""The donate sheet's 1st/2nd/3rd place packages (SPEC §3 "Presets"), editable in the admin."""

from typing import Any

from django.db import migrations

PRESETS = [
    (1, "1st place", "1-е место", 500),
    (2, "2nd place", "2-е место", 250),
    (3, "3rd place", "3-е место", 100),
]


def create(apps: Any, schema_editor: Any) -> None:
    preset = apps.get_model("payments", "DonationPreset")
    for place, title_en, title_ru, stars in PRESETS:
        preset.objects.get_or_create(
            place=place, defaults={"title_en": title_en, "title_ru": title_ru, "stars": stars}
        )


class Migration(migrations.Migration):
    dependencies = [("payments", "0006_permissions")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
