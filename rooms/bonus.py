"""The 24-hour bonus run (SPEC §5): a personal tap target; reaching it credits the reward once."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.events import user_event_send
from accounts.models import Notification, User
from accounts.notifications import notification_enqueue_in_tx
from chancetap import rls
from chancetap.core.errors import ConflictError, ForbiddenError, NotFoundError
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms.bonus_frames import BonusCompletedEvent
from rooms.models import BonusRun, BonusSettings, Room, Seat
from rooms.taps import bonus_taps_read

logger = logging.getLogger(__name__)


def bonus_settings_get() -> BonusSettings:
    return BonusSettings.get_solo()


@dataclass(frozen=True)
class BonusRunProgress:
    """A run as the player sees it: the live tap count (Redis) while it runs, capped at the
    target."""

    id: int
    status: str
    taps: int
    target_taps: int
    reward_stars: int
    started_at: datetime
    expires_at: datetime


def bonus_run_progress(run: BonusRun | None) -> BonusRunProgress | None:
    if run is None:
        return None
    taps = (
        run.taps if run.status != BonusRun.Status.ACTIVE else bonus_taps_read(run.pk, run.user_id)
    )
    return BonusRunProgress(
        id=run.pk,
        status=run.status,
        taps=min(taps, run.target_taps),
        target_taps=run.target_taps,
        reward_stars=run.reward_stars,
        started_at=run.started_at,
        expires_at=run.expires_at,
    )


def bonus_run_active(*, user_id: int) -> BonusRun | None:
    """The player's running run; one past its deadline is over even before the sweeper ends it."""
    return BonusRun.objects.filter(
        user_id=user_id, status=BonusRun.Status.ACTIVE, expires_at__gt=timezone.now()
    ).first()


@transaction.atomic(durable=True)
def bonus_run_start(*, user: User) -> BonusRun:
    from rooms.services import rooms_available

    rooms_available()
    if user.is_blocked:
        raise ForbiddenError("user_blocked", "Your account is blocked.")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one start at a time per user
    current = BonusRun.objects.filter(user=user, status=BonusRun.Status.ACTIVE).first()
    if current is not None and timezone.now() >= current.expires_at:
        _expire_in_tx(current)  # over, the sweeper just has not been by yet
        current = None
    if current is not None:
        raise ConflictError("bonus_run_active", "Your bonus run is already going.")
    config = bonus_settings_get()
    _farming_guard(user, config)
    run = BonusRun.objects.create(
        user=user,
        target_taps=config.target_taps,
        reward_stars=config.reward_stars,
        expires_at=timezone.now() + timedelta(hours=config.duration_hours),
    )
    # No timer task: the run lasts hours, longer than a broker ETA may (chancetap/core/
    # scheduling.py). The sweeper ends it; until then completion and the API check expires_at.
    return run


def _farming_guard(user: User, config: BonusSettings) -> None:
    """SPEC §5: one reward per player per cooldown, and runs only for players who have played
    ``min_paid_games`` paid games to the end (a fresh account costs nothing; a game costs a fee)."""
    last = (
        BonusRun.objects.filter(user=user, status=BonusRun.Status.COMPLETED)
        .order_by("-ended_at")
        .first()
    )
    if last is not None and last.ended_at is not None:
        available = last.ended_at + timedelta(hours=config.cooldown_hours)
        if timezone.now() < available:
            raise ConflictError(
                "bonus_cooldown",
                "Your next bonus run can start later.",
                details={
                    "available_at": available.isoformat(),
                    "hours": math.ceil((available - timezone.now()).total_seconds() / 3600),
                },
            )
    if config.min_paid_games:
        played = Seat.objects.filter(
            user=user, left_at__isnull=True, room__phase=Room.Phase.FINISHED
        ).count()
        if played < config.min_paid_games:
            raise ForbiddenError(
                "bonus_needs_paid_game",
                "Play a paid game to the end to unlock the bonus.",
                details={"required": config.min_paid_games, "played": played},
            )


def _end_in_tx(run: BonusRun, status: str) -> None:
    run.taps = min(bonus_taps_read(run.pk, run.user_id), run.target_taps)
    run.status = status
    run.ended_at = timezone.now()
    run.save(update_fields=["taps", "status", "ended_at"])


@transaction.atomic(durable=True)
def bonus_run_cancel(*, user: User) -> BonusRun:
    run = (
        BonusRun.objects.select_for_update()
        .filter(user=user, status=BonusRun.Status.ACTIVE)
        .first()
    )
    if run is None:
        raise NotFoundError("bonus_run_not_active", "No bonus run is going.")
    _end_in_tx(run, BonusRun.Status.CANCELLED)
    return run


# Row-level security: the room hub completes any player's run from whichever socket's context
# started its ticker, so completion (a server decision backed by Redis counts) runs as ``service``.
@rls.service()
@transaction.atomic(durable=True)
def bonus_run_complete(*, run_id: int) -> bool:
    """Credit the reward once the target is reached (idempotent: the run's key)."""
    run = BonusRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != BonusRun.Status.ACTIVE:
        return False
    if timezone.now() >= run.expires_at:
        _expire_in_tx(run)  # too late: taps after the deadline earn nothing
        return False
    if bonus_taps_read(run.pk, run.user_id) < run.target_taps:
        return False
    _end_in_tx(run, BonusRun.Status.COMPLETED)
    posted = ledger_post_in_tx(
        [
            Posting(
                user_id=run.user_id,
                kind=LedgerEntry.Kind.BONUS_REWARD,
                amount=run.reward_stars,
                business_key=f"bonus:run:{run.pk}",
                cause_type="bonus_run",
                cause_id=str(run.pk),
            )
        ]
    )
    notification_enqueue_in_tx(
        user_id=run.user_id,
        kind=Notification.Kind.BONUS_COMPLETED,
        key=f"run:{run.pk}",
        params={"reward": run.reward_stars, "target_taps": run.target_taps},
    )
    event: BonusCompletedEvent = {
        "type": "bonus_completed",
        "reward": run.reward_stars,
        "balance": posted.entries[0].balance_after,
    }
    user_event_send(tg_id=run.user_id, payload=event)
    logger.info("bonus completed", extra={"event": "bonus_completed", "run_id": run.pk})
    return True


@transaction.atomic(durable=True)
def bonus_run_expire(*, run_id: int, now: datetime | None = None) -> bool:
    run = BonusRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != BonusRun.Status.ACTIVE:
        return False
    if (now or timezone.now()) < run.expires_at:
        return False
    _expire_in_tx(run)
    return True


def _expire_in_tx(run: BonusRun) -> None:
    _end_in_tx(run, BonusRun.Status.EXPIRED)
    notification_enqueue_in_tx(
        user_id=run.user_id,
        kind=Notification.Kind.BONUS_EXPIRED,
        key=f"run:{run.pk}",
        params={"taps": run.taps, "target_taps": run.target_taps, "reward": run.reward_stars},
    )
    logger.info("bonus run expired", extra={"event": "bonus_expired", "run_id": run.pk})


def bonus_runs_sweep(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = BonusRun.objects.filter(status=BonusRun.Status.ACTIVE, expires_at__lte=now)
    return sum(int(bonus_run_expire(run_id=pk, now=now)) for pk in due.values_list("pk", flat=True))
