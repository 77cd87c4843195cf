from django.db import migrations

DEFAULT_TIERS = (20, 50, 100, 200, 300, 500)


def create_tiers(apps, schema_editor):
    RoomTier = apps.get_model("rooms", "RoomTier")
    for position, stars in enumerate(DEFAULT_TIERS):
        RoomTier.objects.get_or_create(stars=stars, defaults={"position": position})


def remove_tiers(apps, schema_editor):
    apps.get_model("rooms", "RoomTier").objects.filter(stars__in=DEFAULT_TIERS).delete()


class Migration(migrations.Migration):
    dependencies = [("rooms", "0001_initial")]
    operations = [migrations.RunPython(create_tiers, remove_tiers)]
