"""``manage.py restore_db``: restore a backup from the bucket into a target database."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chancetap.backups.services import BackupError, Database, backup_restore


class Command(BaseCommand):
    help = (
        "Download a backup (--latest or --backup NAME), verify its SHA-256 and pg_restore it into "
        "--target-database-url. Refuses the live database unless --allow-live-database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--latest", action="store_true", help="Restore the newest backup.")
        which.add_argument("--backup", metavar="NAME", help="Restore this backup (name or key).")
        parser.add_argument(
            "--target-database-url",
            required=True,
            metavar="URL",
            help="postgres://user:password@host:port/name of the database to restore into.",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--create", action="store_true", help="Create the target database when missing."
        )
        parser.add_argument(
            "--clean",
            action="store_true",
            help="Drop the objects the backup contains from a non-empty target first.",
        )
        parser.add_argument(
            "--jobs", type=int, default=2, help="Parallel pg_restore jobs (default 2)."
        )
        parser.add_argument(
            "--no-owner",
            action="store_true",
            help="Skip ownership and grants (when the backup's roles do not exist on the target).",
        )
        parser.add_argument(
            "--skip-analyze", action="store_true", help="Do not ANALYZE after restoring."
        )
        parser.add_argument(
            "--allow-live-database",
            action="store_true",
            help="Allow restoring over the database this deployment runs on.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        try:
            target = Database.from_url(options["target_database_url"])
        except BackupError as exc:
            raise CommandError(f"--target-database-url: {exc}") from None
        if not options["yes"]:
            self._confirm(target)
        try:
            result = backup_restore(
                target=target,
                name=None if options["latest"] else options["backup"],
                clean=options["clean"],
                create=options["create"],
                jobs=options["jobs"],
                no_owner=options["no_owner"],
                analyze=not options["skip_analyze"],
                allow_live=options["allow_live_database"],
                progress=lambda message: self.stderr.write(f"restore_db: {message}"),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result.__dict__))

    def _confirm(self, target: Database) -> None:
        if not sys.stdin.isatty():
            raise CommandError(
                f"Refusing to restore into {target.display()} without confirmation: pass --yes."
            )
        answer = input(f"Restore into {target.display()}? Type the database name to confirm: ")
        if answer.strip() != target.name:
            raise CommandError("Not confirmed; nothing was changed.")
