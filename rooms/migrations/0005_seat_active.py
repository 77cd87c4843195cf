"""One active seat per player and one running hero room per organizer, held by the database.

``Seat.active`` mirrors "not left and the room gathers, counts down or plays"; it is backfilled
here before the partial unique indexes are built (a database that already holds a player in two
running rooms fails here: settle or cancel those rooms first)."""

from django.conf import settings
from django.db import migrations, models

ACTIVE_PHASES = ["gathering", "countdown", "playing"]


def backfill_active(apps, schema_editor):
    Seat = apps.get_model("rooms", "Seat")
    Seat.objects.filter(left_at__isnull=True, room__phase__in=ACTIVE_PHASES).update(active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0004_row_level_security"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="seat",
            name="active",
            field=models.BooleanField(
                default=False,
                help_text="Seated in a room that is gathering, counting down or playing (denormalised: set on join, cleared on leave, cancel and settle in the same transaction).",
            ),
        ),
        migrations.RunPython(backfill_active, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="room",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phase__in", ["gathering", "countdown", "playing"])),
                fields=("organizer",),
                name="one_active_room_per_organizer",
            ),
        ),
        migrations.AddConstraint(
            model_name="seat",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)),
                fields=("user",),
                name="one_active_seat_per_user",
            ),
        ),
        migrations.AddConstraint(
            model_name="seat",
            constraint=models.CheckConstraint(
                condition=models.Q(("active", False), ("left_at__isnull", True), _connector="OR"),
                name="seat_left_inactive",
            ),
        ),
    ]
