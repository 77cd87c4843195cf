"""Create the row-level security roles (when allowed) and (re)apply their grants. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from chancetap.rls import APP_DB_ROLE, BACKUP_DB_ROLE
from chancetap.rls.sql import GRANTS_SQL, ROLES_SQL


class Command(BaseCommand):
    help = (
        "Create chancetap_app / chancetap_backup if this user may, and grant them their "
        "privileges on every table and sequence (run as the tables' owner)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Row-level security needs PostgreSQL (SQLite has none).")
        with connection.cursor() as cursor:
            cursor.execute(ROLES_SQL, None)
            cursor.execute(GRANTS_SQL, None)
            cursor.execute(
                "SELECT rolname, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s) ORDER BY 1",
                [[APP_DB_ROLE, BACKUP_DB_ROLE]],
            )
            roles = dict(cursor.fetchall())
        for role in (APP_DB_ROLE, BACKUP_DB_ROLE):
            if role in roles:
                bypass = "BYPASSRLS" if roles[role] else "bound by row-level security"
                self.stdout.write(f"{role}: present, granted ({bypass})")
            else:
                self.stderr.write(
                    f"{role}: missing — create it as a superuser (docs/operations.md)"
                )
        if len(roles) != 2:
            raise CommandError("some roles are missing")
