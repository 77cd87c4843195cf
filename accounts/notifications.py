"""Bot notifications owed to players, written in the event's own transaction.

An app that settles a game, refunds a charge or credits a top-up calls
``notification_enqueue_in_tx`` inside its transaction. The row's business key (one per event and
player) makes a second call for the same event a no-op, so a retried task or a replayed update
owes one message. Once the transaction commits, ``botapp.notifications_deliver`` is asked to
send (by task name: apps below the bot do not import it); the delivery task claims due rows, so a
message is sent at most once, and a periodic run picks up whatever a lost kick left behind.

Whether a message is still wanted (the player turned game results off, blocked the bot, was
blocked) is decided when it is sent, from the player's row as it is then.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Notification, User
from chancetap.runtime.scheduling import task_schedule_at

logger = logging.getLogger(__name__)

DELIVER_TASK = "botapp.notifications_deliver"
Kind = Notification.Kind


def notification_enqueue_in_tx(
    *, user_id: int, kind: str, key: str, params: dict[str, Any]
) -> None:
    """Owe ``user_id`` the message ``kind`` for the event ``key`` (idempotent per key)."""
    notifications_enqueue_in_tx([(user_id, kind, key, params)])


def notifications_enqueue_in_tx(items: list[tuple[int, str, str, dict[str, Any]]]) -> None:
    """Several at once (a game's players): one INSERT, conflicts on the key ignored."""
    if not items:
        return
    rows = [
        Notification(user_id=user_id, kind=kind, key=f"{kind}:{key}"[:128], params=params)
        for user_id, kind, key, params in items
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(notifications_kick)


def notifications_kick() -> None:
    """Ask the worker to deliver now; if the broker is down, the periodic run delivers later."""
    task_schedule_at(DELIVER_TASK, (), timezone.now())


def user_bot_reachable(*, tg_id: int) -> None:
    """The player opened the bot again (or allowed it to write): notifications resume."""
    User.objects.filter(tg_id=tg_id, bot_blocked_at__isnull=False).update(bot_blocked_at=None)


def user_bot_blocked(*, tg_id: int) -> None:
    """Telegram refused a message because the player blocked the bot: skip him from now on."""
    User.objects.filter(tg_id=tg_id, bot_blocked_at__isnull=True).update(
        bot_blocked_at=timezone.now()
    )


def notifications_prune(*, older_than_days: int = 30) -> int:
    """Forget delivered, skipped and failed notifications after ``older_than_days``."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = (
        Notification.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
        .delete()
    )
    return deleted
