"""Celery tasks of the backups app: thin shells over services (STYLE.md rule 7)."""

from __future__ import annotations

from celery import shared_task

from chancetap.backups.services import backup_run_scheduled


# A 1 GB database dumps in well under a minute here; the limits leave room for slow storage.
# No retries: the next hourly run is the retry, and the alert fires if two in a row fail.
@shared_task(name="core.backup_db", time_limit=50 * 60, soft_time_limit=45 * 60)
def backup_db_task() -> str | None:
    """Hourly logical backup (skipped when BACKUP_S3_BUCKET is unset or a run is in progress)."""
    result = backup_run_scheduled(lock_seconds=55 * 60)
    return result.name if result else None
