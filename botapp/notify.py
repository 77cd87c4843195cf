"""Delivering the bot notifications players are owed (``accounts.notifications`` writes them).

``notifications_deliver`` (the Celery task ``botapp.notifications_deliver``: kicked after each
commit that owes a message, and every 30 s for what a lost kick left) claims due rows in batches
(``pending`` → ``sending``, ``SKIP LOCKED``), renders each in the player's language and sends it,
paced to ``BOT_NOTIFY_RATE_PER_SECOND`` for all players together: one delivery runs at a time
(a cache lock), so the pace holds however many workers there are.

A claimed row is sent at most once: a worker killed between claiming and recording is not
retried (the row is closed as ``failed`` after ``STALE_AFTER``). What Telegram answers decides the
rest: a flood wait or a server/network error puts the row back with a later ``due_at`` (at most
``MAX_ATTEMPTS`` tries); "Forbidden" (the player blocked the bot) marks the player, and his later
notifications are skipped until he opens the bot again; other refusals close the row as
``failed``. A player who turned game results off, was blocked, or blocked the bot is skipped.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import user_bot_blocked
from botapp.keyboards import webapp_keyboard
from botapp.texts import text
from chancetap.core.i18n import language_for, plural
from chancetap.observability import metrics
from chancetap.telegram.bot_api import TelegramOfflineError, bot_create

logger = logging.getLogger(__name__)

BATCH = 25
MAX_BATCHES = 20  # per run: ~500 messages, ~20 s at 25/s (the payments queue's limit is 120 s)
MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(minutes=15)  # far beyond a batch: 25 sends of at most 15 s each
LOCK_KEY = "notifications:deliver"
LOCK_SECONDS = 120
Status = Notification.Status
Kind = Notification.Kind


@dataclass(frozen=True)
class Outgoing:
    id: int
    chat_id: int
    kind: str
    text: str
    language: str


@dataclass
class DeliverReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    busy: bool = False  # another delivery holds the lock (it delivers these too)

    def add(self, other: DeliverReport) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.retried += other.retried
        self.failed += other.failed


@dataclass
class Result:
    outcome: str  # sent | retry | blocked | failed | offline
    error: str = ""
    retry_after: float = 0.0


@dataclass
class _Batch:
    outgoing: list[Outgoing] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


# --- rendering ------------------------------------------------------------------------------------
TAPS = {"en": ("tap", "taps"), "ru": ("тап", "тапа", "тапов")}
PLAYERS = {"en": ("player", "players"), "ru": ("игрока", "игроков", "игроков")}


def _game_result(p: dict[str, Any], lang: str) -> str:
    if p.get("organizer_only"):
        parts = [text("notify.organizer_room_over", lang, **p)]
    elif p.get("refunded"):
        parts = [text("notify.no_winner", lang, **p)]
    elif p.get("won"):
        word = plural(int(p.get("players", 0)), lang, PLAYERS[lang])
        parts = [text("notify.won", lang, **p, players_word=word)]
    else:
        parts = [text("notify.lost", lang, **p)]
    if p.get("organizer_share"):
        parts.append(text("notify.organizer_share", lang, share=p["organizer_share"]))
    return "\n\n".join(parts)


def _text_key(kind: str, p: dict[str, Any]) -> str:
    """The text of the kinds that need only their parameters."""
    if kind == Kind.ROOM_CANCELLED:
        staff = p.get("reason") == "cancelled_by_support"
        return "notify.room_cancelled_staff" if staff else "notify.room_cancelled"
    if kind == Kind.HERO_TIMEOUT:
        return "notify.hero_timeout" if p.get("refunded") else "notify.hero_timeout_organizer"
    return f"notify.{kind}"


def notification_text(kind: str, params: dict[str, Any], language_code: str | None) -> str:
    """The message for one notification in the player's language."""
    lang = language_for(language_code)
    p = dict(params)
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if kind == Kind.GAME_RESULT:
        return _game_result(p, lang)
    if kind == Kind.BONUS_COMPLETED:
        p["target_word"] = plural(int(p.get("target_taps", 0)), lang, TAPS[lang])
    if kind == Kind.REFERRAL_DONATION:
        p["friend"] = _escape(str(p.get("friend") or ""))
    return text(_text_key(kind, p), lang, **p)


def _escape(value: str) -> str:
    """The one player-provided string in a message (parse mode HTML)."""
    return html.escape(value) or "—"


def _skip_reason(user: User, kind: str) -> str:
    if user.is_blocked:
        return "user_blocked"
    if user.bot_blocked_at is not None:
        return "bot_blocked"
    if kind == Kind.GAME_RESULT and not user.notify_game_results:
        return "opted_out"
    return ""


# --- claiming and recording -----------------------------------------------------------------------
@transaction.atomic
def _claim(limit: int) -> list[Notification]:
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(status=Status.PENDING, due_at__lte=timezone.now())
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return []
    # While a row is ``sending``, ``due_at`` says when it was claimed (for ``_close_stale``).
    Notification.objects.filter(id__in=ids).update(
        status=Status.SENDING, attempts=F("attempts") + 1, due_at=timezone.now()
    )
    return list(Notification.objects.filter(id__in=ids).select_related("user").order_by("id"))


def _prepare(rows: list[Notification]) -> _Batch:
    batch = _Batch()
    for row in rows:
        reason = _skip_reason(row.user, row.kind)
        if reason:
            batch.skipped[row.id] = reason
            continue
        batch.outgoing.append(
            Outgoing(
                id=row.id,
                chat_id=row.user_id,
                kind=row.kind,
                text=notification_text(row.kind, row.params, row.user.language_code),
                language=row.user.language_code,
            )
        )
    return batch


def _close(ids: list[int], status: str, error: str = "") -> None:
    if ids:
        Notification.objects.filter(id__in=ids, status=Status.SENDING).update(
            status=status,
            error=error[:255],
            sent_at=timezone.now() if status == Status.SENT else None,
        )


def _record(batch: _Batch, results: dict[int, Result], rows: list[Notification]) -> DeliverReport:
    report = DeliverReport()
    attempts = {row.id: row.attempts for row in rows}
    kinds = {row.id: row.kind for row in rows}
    for reason in set(batch.skipped.values()):
        ids = [i for i, r in batch.skipped.items() if r == reason]
        _close(ids, Status.SKIPPED, reason)
        report.skipped += len(ids)
        for i in ids:
            metrics.notifications_total.labels(kind=kinds[i], outcome="skipped").inc()
    now = timezone.now()
    for item in batch.outgoing:
        result = results.get(item.id, Result("failed", "not sent"))
        outcome = result.outcome
        if outcome == "retry" and attempts[item.id] >= MAX_ATTEMPTS:
            outcome, result.error = "failed", f"gave up after {MAX_ATTEMPTS} tries: {result.error}"
        if outcome == "sent":
            _close([item.id], Status.SENT)
            report.sent += 1
        elif outcome == "retry":
            delay = max(result.retry_after, 2.0 ** attempts[item.id])
            Notification.objects.filter(id=item.id, status=Status.SENDING).update(
                status=Status.PENDING,
                due_at=now + timedelta(seconds=delay),
                error=result.error[:255],
            )
            report.retried += 1
        elif outcome == "blocked":
            user_bot_blocked(tg_id=item.chat_id)
            _close([item.id], Status.SKIPPED, "bot_blocked")
            report.skipped += 1
        elif outcome == "offline":
            _close([item.id], Status.SKIPPED, "offline")
            report.skipped += 1
        else:
            _close([item.id], Status.FAILED, result.error)
            report.failed += 1
        metrics.notifications_total.labels(kind=item.kind, outcome=outcome).inc()
    if report.failed or report.retried:
        logger.warning(
            "notifications not delivered",
            extra={
                "event": "notifications_undelivered",
                "failed": report.failed,
                "retried": report.retried,
            },
        )
    return report


def _close_stale() -> int:
    """Rows claimed by a worker that died before recording: Telegram may have delivered them,
    so they are not sent again."""
    return Notification.objects.filter(
        status=Status.SENDING, due_at__lt=timezone.now() - STALE_AFTER
    ).update(status=Status.FAILED, error="interrupted while sending (not retried)")


# --- sending --------------------------------------------------------------------------------------
async def _send_one(bot: Bot, item: Outgoing) -> Result:
    try:
        await bot.send_message(
            chat_id=item.chat_id, text=item.text, reply_markup=webapp_keyboard(item.language)
        )
    except TelegramRetryAfter as exc:
        return Result("retry", f"flood wait {exc.retry_after}s", float(exc.retry_after))
    except TelegramForbiddenError as exc:
        return Result("blocked", exc.message)
    except TelegramOfflineError:
        return Result("offline")
    except (TelegramNetworkError, TelegramServerError) as exc:
        return Result("retry", f"{type(exc).__name__}: {exc.message}")
    except TelegramAPIError as exc:
        return Result("failed", f"{type(exc).__name__}: {exc.message}")
    return Result("sent")


async def _send_all(items: list[Outgoing], rate: float) -> dict[int, Result]:
    results: dict[int, Result] = {}
    if not items:
        return results
    interval = 1.0 / rate if rate > 0 else 0.0
    bot = bot_create()
    try:
        for item in items:
            started = time.monotonic()
            results[item.id] = await _send_one(bot, item)
            pause = interval - (time.monotonic() - started)
            if pause > 0:
                await asyncio.sleep(pause)
    finally:
        await bot.session.close()
    return results


def notifications_deliver(*, max_batches: int = MAX_BATCHES) -> DeliverReport:
    """Send what is due, one delivery at a time; see the module's docstring."""
    token = secrets.token_hex(8)
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        return DeliverReport(busy=True)
    report = DeliverReport()
    try:
        _close_stale()
        for _ in range(max_batches):
            rows = _claim(BATCH)
            if not rows:
                break
            batch = _prepare(rows)
            results = async_to_sync(_send_all)(batch.outgoing, settings.BOT_NOTIFY_RATE_PER_SECOND)
            report.add(_record(batch, results, rows))
            cache.touch(LOCK_KEY, LOCK_SECONDS)
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)
    return report
