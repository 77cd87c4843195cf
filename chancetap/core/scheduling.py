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

from celery import Task
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def task_schedule_at(task: Task, args: Sequence[Any], at: datetime) -> bool:
    """Run ``task(*args)`` at ``at`` if that is within the ETA limit; False: the sweeper's job."""
    if (at - timezone.now()).total_seconds() > settings.TASK_ETA_MAX_SECONDS:
        logger.debug(
            "timer left to the sweeper",
            extra={"event": "timer_deferred", "task": task.name, "at": at.isoformat()},
        )
        return False
    task.apply_async(tuple(args), eta=at)
    return True
