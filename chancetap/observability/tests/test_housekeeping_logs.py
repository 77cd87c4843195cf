"""Idle housekeeping runs (the 5-second sweeper) do not fill the console at INFO."""

from __future__ import annotations

import logging

import pytest

from chancetap.observability.logging import HousekeepingFilter


def _record(name: str, message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, None, None)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("celery.beat", "Scheduler: Sending due task rooms-sweep (rooms.sweep)"),
        ("celery.worker.strategy", "Task rooms.sweep[3f2c] received"),
        ("celery.app.trace", "Task rooms.sweep[3f2c] succeeded in 0.01s: 0"),
        ("celery.app.trace", "Task payments.ton_poll[aa] succeeded in 0.2s: None"),
    ],
)
def test_idle_housekeeping_is_demoted_to_debug(name: str, message: str) -> None:
    record = _record(name, message)
    logging.getLogger().setLevel(logging.INFO)
    assert HousekeepingFilter().filter(record) is False
    assert record.levelno == logging.DEBUG


def test_debug_level_keeps_the_demoted_line() -> None:
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        record = _record("celery.worker.strategy", "Task rooms.sweep[3f2c] received")
        assert HousekeepingFilter().filter(record) is True
        assert record.levelname == "DEBUG"
    finally:
        root.setLevel(previous)


@pytest.mark.parametrize(
    ("name", "message", "level"),
    [
        ("celery.app.trace", "Task rooms.sweep[3f2c] succeeded in 0.2s: 3", logging.INFO),
        ("celery.app.trace", "Task rooms.advance[1] succeeded in 0.01s: None", logging.INFO),
        ("celery.worker.strategy", "Task payments.apply_update[9] received", logging.INFO),
        ("celery.app.trace", "Task rooms.sweep[3f2c] raised: boom", logging.ERROR),
        ("payments.services", "rooms.sweep[ mentioned elsewhere", logging.INFO),
    ],
)
def test_other_lines_pass_unchanged(name: str, message: str, level: int) -> None:
    logging.getLogger().setLevel(logging.INFO)
    record = _record(name, message, level)
    assert HousekeepingFilter().filter(record) is True
    assert record.levelno == level
