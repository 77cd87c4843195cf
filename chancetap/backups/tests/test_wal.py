"""The WAL archive's state for /metrics (chancetap/backups/wal.py). Against an archiving cluster
it runs in ops/pgbackrest/verify-pitr (test_backups.py): idle after a switch, then after a write."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from chancetap.backups.wal import (
    ArchiveStatus,
    archive_status_from,
    archive_status_get,
    segment_end,
    wal_metrics_register,
)

MB16 = 16 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "end"),
    [
        ("000000010000000000000005", 6 * MB16),
        ("00000002000000020000000A", 2 * 0x1_0000_0000 + 11 * MB16),
        ("0000000100000000000000ff", 256 * MB16),  # the last of a log id, lower case
        ("00000002.history", None),
        ("000000010000000000000002.00000028.backup", None),
        ("000000010000000000000007.partial", None),
        ("00000001000000000000000G", None),
    ],
)
def test_where_an_archived_file_ends(name: str, end: int | None) -> None:
    assert segment_end(name, MB16) == end


def test_the_status_from_pg_stat_archiver() -> None:
    assert archive_status_from(("off", None, None, 0, 1000, MB16)) is None
    # 3 segments archived, 4 KB written in the next one
    assert archive_status_from(
        ("on", "000000010000000000000003", 1_800_000_000.5, 2, 4 * MB16 + 4096, MB16)
    ) == ArchiveStatus(last_archived_at=1_800_000_000.5, failures=2, pending_bytes=4096)
    # nothing archived yet: everything written is pending
    assert archive_status_from(("on", None, None, 0, 5 * MB16, MB16)) == ArchiveStatus(
        last_archived_at=None, failures=0, pending_bytes=5 * MB16
    )
    # a history file was the last: the position is unknown, not guessed
    assert archive_status_from(("always", "00000002.history", 1.0, 0, MB16, MB16)) == (
        ArchiveStatus(last_archived_at=1.0, failures=0, pending_bytes=None)
    )
    # a replica (no current position)
    status = archive_status_from(("on", "000000010000000000000003", 1.0, 0, None, MB16))
    assert status is not None
    assert status.pending_bytes is None


@pytest.mark.django_db
def test_a_database_that_does_not_archive_exports_nothing() -> None:
    """The test server runs with archive_mode off, as development does."""
    assert archive_status_get() is None
    registry = CollectorRegistry()
    wal_metrics_register(registry)
    names = {family.name for family in registry.collect()}
    assert not any(name.startswith("chancetap_wal_archive") for name in names)
