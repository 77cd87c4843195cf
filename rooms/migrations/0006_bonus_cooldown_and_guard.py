"""Bonus runs: one reward per player per cooldown, and a guard against farming with many
accounts (a run needs paid games played to the end). SPEC §5; issue #12."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0005_seat_active"),
    ]

    operations = [
        migrations.AddField(
            model_name="bonussettings",
            name="cooldown_hours",
            field=models.PositiveIntegerField(
                default=24,
                help_text="One reward per player per this many hours: after a completed run, the next may start only once they have passed.",
            ),
        ),
        migrations.AddField(
            model_name="bonussettings",
            name="min_paid_games",
            field=models.PositiveIntegerField(
                default=1,
                help_text="Against farming with many accounts: a player may start a bonus run only after playing this many paid games to the end (0: anyone may).",
            ),
        ),
    ]
