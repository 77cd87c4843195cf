"""``manage.py backup_db``: dump the database to the backup bucket now (or list the backups)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chancetap.backups.services import (
    BackupError,
    BackupSettings,
    backup_create,
    backups_apply_retention,
    backups_describe,
    bucket_list,
)


class Command(BaseCommand):
    help = (
        "pg_dump the database (BACKUP_DATABASE_URL, else DATABASE_URL) into the S3-compatible "
        "bucket BACKUP_S3_BUCKET with a SHA-256 manifest, then apply retention."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--list", action="store_true", help="List the complete backups (oldest first)."
        )
        action.add_argument(
            "--retention-only",
            action="store_true",
            help="Only delete backups beyond BACKUP_RETENTION_DAYS / BACKUP_KEEP_COUNT.",
        )
        parser.add_argument(
            "--no-retention", action="store_true", help="Keep every older backup this time."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["list"] or options["retention_only"]:
                config = BackupSettings.from_django()
                client = config.s3_client()
                if options["list"]:
                    backups = bucket_list(config, client).backups
                    self.stdout.write(json.dumps(backups_describe(backups), indent=2))
                else:
                    deleted = backups_apply_retention(config, client)
                    self.stdout.write(json.dumps({"deleted": deleted}))
                return
            result = backup_create(apply_retention=not options["no_retention"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            json.dumps(
                {
                    "backup": result.name,
                    "key": result.key,
                    "size_bytes": result.size_bytes,
                    "sha256": result.sha256,
                    "duration_seconds": result.duration_seconds,
                    "deleted_by_retention": result.deleted,
                }
            )
        )
