"""Kill the Celery worker in the middle of a game: after a restart the game finishes, paid once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.ledger import balance_get, ledger_mismatches
from payments.models import LedgerEntry
from rooms.models import Room
from rooms.taps import taps_record
from rooms.tests.test_consumer import seated_room
from tests.server import celery_worker_start

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(tmp_path, name: str) -> subprocess.Popen:
    return celery_worker_start(f"restart-{name}", tmp_path / f"{name}-beat")


def wait_for(predicate, wait: float) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def test_game_finishes_after_the_worker_is_killed(make_user, tmp_path) -> None:
    (a, b), room = seated_room(make_user, playing=False)
    # The gathering time is up: the first worker's sweeper starts the countdown.
    Room.objects.filter(pk=room.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    first = start_worker(tmp_path, "first")
    try:
        wait_for(lambda: Room.objects.get(pk=room.pk).phase != "gathering", 30)
        # Make the game short, play it, and kill the worker before it ends.
        now = timezone.now()
        Room.objects.filter(pk=room.pk).update(
            started_at=now - timedelta(seconds=1), ends_at=now + timedelta(seconds=4)
        )
        taps_record(room.pk, a.tg_id, 8, 1)
        taps_record(room.pk, b.tg_id, 5, 1)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    time.sleep(5)
    assert Room.objects.get(pk=room.pk).phase != "finished"  # nobody finished it meanwhile
    second = start_worker(tmp_path, "second")
    try:
        wait_for(lambda: Room.objects.get(pk=room.pk).phase == "finished", 40)
        time.sleep(6)  # another sweep comes and goes: nothing is paid twice
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(20)
    room.refresh_from_db()
    assert room.winner_id == a.tg_id
    assert LedgerEntry.objects.filter(kind="prize", cause_id=str(room.pk)).count() == 1
    assert balance_get(user_id=a.tg_id) == 80 + 40
    assert ledger_mismatches() == []
