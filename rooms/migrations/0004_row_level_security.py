"""Row-level security on bonus runs (SPEC §2). PostgreSQL only."""

from django.db import migrations

from chancetap.rls.sql import policies, roles


class Migration(migrations.Migration):
    dependencies = [("rooms", "0003_bonussettings_bonusrun"), ("core", "0002_row_level_security")]

    operations = [*policies("bonus_runs"), *roles()]
