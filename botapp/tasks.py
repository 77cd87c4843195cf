"""Bot tasks: thin interfaces over ``botapp.notify`` (STYLE.md rule 7)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from accounts.notifications import notifications_prune
from botapp.notify import notifications_deliver


@shared_task(name="botapp.notifications_deliver", ignore_result=True)
def notifications_deliver_task() -> dict[str, Any]:
    return asdict(notifications_deliver())


@shared_task(name="botapp.notifications_prune", ignore_result=True)
def notifications_prune_task() -> int:
    return notifications_prune()
