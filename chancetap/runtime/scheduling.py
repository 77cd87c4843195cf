"""Timers as Celery ETA tasks, bounded by the broker's visibility timeout.

The Redis transport hands an ETA task to a worker at once; the worker holds it unacknowledged
until its time comes. A message unacknowledged for longer than the visibility timeout is delivered
again (to every worker, again and again), so an ETA beyond it multiplies the task. Deadlines closer
than ``TASK_ETA_MAX_SECONDS`` get their own task; later ones are left to the periodic sweepers
(``rooms.sweep`` every 5 s, ``rooms.sweep_bonus_runs`` every 30 s), which act on every overdue row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def _broker_is_redis() -> bool:
    return bool(settings.REDIS_URL) and settings.CELERY_BROKER_URL == settings.REDIS_URL


def task_schedule_at(task: Task | str, args: Sequence[Any], at: datetime) -> bool:
    """Run ``task(*args)`` at ``at`` if that is within the ETA limit; False: the sweeper's job.

    ``task`` may be the registered task's name, so that services schedule timers without
    importing their app's ``tasks`` module (an interface above them).

    Also False when the broker cannot take the task (it is the job of the sweeper then too):
    callers run after their transaction committed, and a committed game must not turn into an
    error because its timer was lost. A broker that is our Redis and was just seen failing
    (chancetap.runtime.redis_client) is not tried again, so a room's two timers cost one timeout.
    """
    from kombu.exceptions import OperationalError as BrokerOperationalError

    from chancetap.runtime.redis_client import redis_down, redis_mark_down

    if isinstance(task, str):
        found = current_app.tasks.get(task)
        if found is None:  # outside a worker the apps' tasks modules load lazily: load them now
            current_app.loader.import_default_modules()
            found = current_app.tasks[task]
        task = found
    if (at - timezone.now()).total_seconds() > settings.TASK_ETA_MAX_SECONDS:
        logger.debug(
            "timer left to the sweeper",
            extra={"event": "timer_deferred", "task": task.name, "at": at.isoformat()},
        )
        return False
    if _broker_is_redis() and redis_down():
        logger.warning(
            "timer left to the sweeper: Redis is down",
            extra={"event": "timer_unscheduled", "task": task.name, "at": at.isoformat()},
        )
        return False
    try:
        task.apply_async(tuple(args), eta=at)
    except BrokerOperationalError as exc:
        if _broker_is_redis():
            redis_mark_down(exc)
        logger.warning(
            "timer left to the sweeper: the broker is unreachable",
            extra={
                "event": "timer_unscheduled",
                "task": task.name,
                "at": at.isoformat(),
                "error": repr(exc),
            },
        )
        return False
    return True
