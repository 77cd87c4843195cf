"""Room timers: one task per deadline plus a sweeper every few seconds (STYLE.md rule 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from rooms.services import room_advance, rooms_sweep


@shared_task(
    name="rooms.advance",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    max_retries=20,
    time_limit=30,
    soft_time_limit=25,
)
def advance_room(room_id: int) -> str:
    return room_advance(room_id=room_id)


@shared_task(name="rooms.sweep", time_limit=60, soft_time_limit=50)
def sweep_rooms() -> int:
    return rooms_sweep()


@shared_task(name="rooms.expire_bonus_run", acks_late=True, time_limit=30, soft_time_limit=25)
def expire_bonus_run(run_id: int) -> bool:
    """No longer scheduled (a 24-hour ETA outlives the broker's visibility timeout; the sweeper
    ends runs). Kept so messages queued by an earlier release still find their task."""
    from rooms.bonus import bonus_run_expire

    return bonus_run_expire(run_id=run_id)


@shared_task(name="rooms.sweep_bonus_runs", time_limit=60, soft_time_limit=50)
def sweep_bonus_runs() -> int:
    from rooms.bonus import bonus_runs_sweep

    return bonus_runs_sweep()
