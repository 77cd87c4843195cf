"""A stand-in for a long maintenance task (a backup, a reconciliation), loaded only by the test
workers that ask for it (``celery worker -I tests.ops.celery_hold``)."""

from __future__ import annotations

import time

import redis
from celery import shared_task
from django.conf import settings

HOLD_TASK = "tests.maintenance_hold"


@shared_task(name=HOLD_TASK, time_limit=120)
def maintenance_hold(seconds: float, marker: str) -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.set(marker, "running", ex=300)
    time.sleep(seconds)
    client.set(marker, "done", ex=300)
