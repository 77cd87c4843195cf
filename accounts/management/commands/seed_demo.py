"""Seed demo data for `make run` (idempotent): demo players for the development login."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.apis import DEMO_USER
from accounts.models import User

DEMO_PLAYERS = [
    (DEMO_USER["id"], DEMO_USER["first_name"], DEMO_USER["last_name"], DEMO_USER["username"], "en"),
    (100000002, "Анна", "Смирнова", "anna_demo", "ru"),
    (100000003, "Max", "Müller", "max_demo", "en"),
    (100000004, "Олег", "", "oleg_demo", "ru"),
]


class Command(BaseCommand):
    help = "Create the demo players used by the development login (safe to run repeatedly)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        with transaction.atomic():
            for tg_id, first, last, username, lang in DEMO_PLAYERS:
                _, was_created = User.objects.get_or_create(
                    tg_id=int(str(tg_id)),
                    defaults={
                        "first_name": str(first),
                        "last_name": str(last),
                        "username": str(username),
                        "language_code": str(lang),
                    },
                )
                created += int(was_created)
        self.stdout.write(
            f"seed_demo: {created} demo player(s) created, {len(DEMO_PLAYERS)} present"
        )
