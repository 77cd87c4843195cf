from __future__ import annotations

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "chancetap.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        from chancetap.backups.services import backup_metrics_register
        from chancetap.backups.wal import wal_metrics_register
        from chancetap.observability import metrics

        # The last backup's outcome comes from the shared cache, so any web process reports it;
        # the WAL archive's state from PostgreSQL's statistics, read on each scrape.
        metrics.scrape_collector_add(backup_metrics_register)
        metrics.scrape_collector_add(wal_metrics_register)
