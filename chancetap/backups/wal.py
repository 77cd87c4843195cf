"""How far the WAL archive is behind the database (the recovery point, docs/operations.md).

Read at scrape time from ``pg_stat_archiver`` and the current WAL position (both readable by the
application's role): the last archived segment's time, the archiver's failures, and the WAL
written past the end of the last archived segment — what a crash would lose now. Nothing is
exported when ``archive_mode`` is off (development, tests) or the query fails (the scrape goes on).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

ARCHIVE_SQL = """
SELECT current_setting('archive_mode'),
       a.last_archived_wal,
       extract(epoch FROM a.last_archived_time)::float8,
       a.failed_count,
       CASE WHEN pg_is_in_recovery() THEN NULL
            ELSE (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint END,
       (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')
  FROM pg_stat_archiver a
"""
LOG_ID_BYTES = 0x1_0000_0000  # a WAL segment file name is <timeline><log id><segment in log id>


@dataclass(frozen=True)
class ArchiveStatus:
    last_archived_at: float | None  # Unix time; None before the first archived segment
    failures: int  # archive_command failures since the statistics were reset
    pending_bytes: int | None  # WAL written past the last archived segment; None on a replica


def segment_end(name: str, segment_size: int) -> int | None:
    """The WAL position (in bytes) where the segment file ``name`` ends; None for the other files
    the archiver hands over (timeline histories, backup labels, ``.partial`` segments)."""
    if len(name) != 24 or any(c not in "0123456789ABCDEF" for c in name.upper()):
        return None
    log_id, segment = int(name[8:16], 16), int(name[16:24], 16)
    return log_id * LOG_ID_BYTES + (segment + 1) * segment_size


def archive_status_from(row: Sequence[Any]) -> ArchiveStatus | None:
    mode, last_wal, last_at, failed, current, segment_size = row
    if mode == "off":
        return None
    pending: int | None = None
    if current is not None:
        end = segment_end(last_wal, int(segment_size)) if last_wal else 0
        if end is not None:
            pending = max(0, int(current) - end)
    return ArchiveStatus(
        last_archived_at=float(last_at) if last_at is not None else None,
        failures=int(failed),
        pending_bytes=pending,
    )


def archive_status_get() -> ArchiveStatus | None:
    """The archive's state now (None when the database does not archive).

    The connection goes back (to the pool) afterwards unless a transaction holds it: a scrape
    served by the metrics thread of a worker or the bot must not keep one."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(ARCHIVE_SQL)
            row = cursor.fetchone()
    finally:
        if not connection.in_atomic_block:
            connection.close()
    return archive_status_from(row) if row else None


class WalArchiveCollector(Collector):
    """Exports the archive's state on every scrape of a web process (the view's connection)."""

    def describe(self) -> list[Any]:
        return []  # reading the values needs the database: not at registration

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        if connection.vendor != "postgresql":
            return
        try:
            status = archive_status_get()
        except Exception:
            logger.warning("WAL archive status unavailable", extra={"event": "wal_archive_status"})
            return
        if status is None:
            return
        if status.last_archived_at is not None:
            yield GaugeMetricFamily(
                "chancetap_wal_archive_last_success_timestamp_seconds",
                "Unix time the last WAL segment reached the archive (pg_stat_archiver).",
                value=status.last_archived_at,
            )
        yield CounterMetricFamily(
            "chancetap_wal_archive_failures",
            "archive_command failures (pg_stat_archiver.failed_count).",
            value=status.failures,
        )
        if status.pending_bytes is not None:
            yield GaugeMetricFamily(
                "chancetap_wal_archive_pending_bytes",
                "WAL written past the end of the last archived segment: what a crash loses now.",
                value=status.pending_bytes,
            )


_global_registered = False


def wal_metrics_register(registry: CollectorRegistry = REGISTRY) -> None:
    """Add a ``WalArchiveCollector`` to ``registry`` (once for the global one)."""
    global _global_registered
    if registry is REGISTRY:
        if _global_registered:
            return
        _global_registered = True
    registry.register(WalArchiveCollector())
