"""Room use cases: join, hero rooms, leave, and the one idempotent ``room_advance`` that moves a
room along its phases when its time comes (called by timers, the sweeper and players' actions)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notifications_enqueue_in_tx
from accounts.services import (
    staff_action_record_in_tx,
    staff_action_refused,
    staff_reason_required,
)
from chancetap.core.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
)
from chancetap.core.realtime import group_send_on_commit
from chancetap.core.transactions import assert_in_transaction, atomic_use_case, on_commit
from chancetap.runtime.scheduling import task_schedule_at
from leaderboards.services import leaderboards_touch
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms import engine
from rooms.lock import player_lock_in_tx, room_lock_in_tx, tier_lock_in_tx
from rooms.models import Room, RoomSettings, Seat
from rooms.taps import room_taps_read, sync_client

logger = logging.getLogger(__name__)
ACTIVE = (Room.Phase.GATHERING, Room.Phase.COUNTDOWN, Room.Phase.PLAYING)
KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def rooms_available() -> None:
    """Games count taps in Redis: without it nobody may pay for a game that cannot run. Asked
    before the money moves: Redis refused or hung raises its error here (503
    ``service_unavailable``), within the client's timeouts, and no fee is taken."""
    if not settings.REDIS_URL:
        raise ServiceUnavailableError(
            "rooms_unavailable",
            "Games are not available on this server right now (no Redis configured).",
        )
    sync_client().ping()


def room_settings_get() -> RoomSettings:
    return RoomSettings.get_solo()


def room_rules(room: Room) -> engine.Rules:
    if room.kind == Room.Kind.HERO:
        return engine.hero_rules()
    return engine.standard_rules(house_share_bp=room_settings_get().house_share_bp)


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def rooms_kick_for_block_in_tx(user: User, blocked: bool) -> None:
    """accounts hook: a blocked player's room sockets close on every process."""
    if blocked:
        rooms_kick_on_commit(user_id=user.tg_id, reason="user_blocked")


def rooms_kick_on_commit(*, user_id: int, reason: str) -> None:
    """Once the transaction commits, close the player's sockets in his running room (every web
    process: through the room's group). His taps stop there; settlement leaves a blocked player
    out of the winners (``_settle_in_tx``)."""
    for room_id in Seat.objects.filter(user_id=user_id, active=True).values_list(
        "room_id", flat=True
    ):
        group_send_on_commit(
            room_group(room_id),
            {"type": "room.kick", "room_id": room_id, "user_id": user_id, "reason": reason},
        )


def _announce(room: Room, event: str) -> None:
    group_send_on_commit(
        room_group(room.pk), {"type": "room.event", "event": event, "room_id": room.pk}
    )


# The end's timer and the sweeper settle a game this long after its end: packets received before
# the end reach Redis with the receiving process's next flush (every 0.1 s); packets received
# after it are refused anyway (rooms/taps.py).
SETTLE_GRACE = timedelta(milliseconds=500)


def _schedule_advance(room: Room, at: datetime | None) -> None:
    if at is None:
        return

    def schedule() -> None:
        task_schedule_at("rooms.advance", (room.pk,), at)  # rooms/tasks.py

    on_commit(schedule)


def _active_seat(user: User) -> Seat | None:
    return Seat.objects.filter(user=user, active=True).first()


def _already_in_room(room_id: int | None) -> ConflictError:
    return ConflictError(
        "already_in_room", "You are already in a room.", details={"room_id": room_id}
    )


def _player_lock_in_tx(user: User) -> None:
    """First lock of every join and hero creation (rooms.lock order: player, tier, room)."""
    assert_in_transaction()
    if player_lock_in_tx(user.tg_id) is None:
        raise NotFoundError("user_not_found", "Unknown player.")


def _constraint_name(error: IntegrityError) -> str:
    diag = getattr(error.__cause__, "diag", None)
    return str(getattr(diag, "constraint_name", "") or "")


def _seat_in_tx(*, user: User, room: Room) -> Seat:
    """Charge the fee and seat ``user`` in the locked ``room`` (the caller holds the player lock).

    The check below answers the usual case politely; the ``one_active_seat_per_user`` index is
    what holds when two requests race (the player lock makes the second one wait and see it).
    """
    assert_in_transaction()
    if user.is_blocked:
        raise ForbiddenError("user_blocked", "Your account is blocked.")
    if room.organizer_id == user.tg_id:
        raise ApplicationError("organizer_cannot_play", "Organizers watch their own rooms.")
    current = _active_seat(user)
    if current is not None:
        raise _already_in_room(current.room_id)
    if room.phase != Room.Phase.GATHERING or room.seated >= room.max_players:
        raise ConflictError("room_full", "This room is no longer open.")
    taken = set(room.seats.filter(left_at__isnull=True).values_list("number", flat=True))
    number = next(n for n in range(room.max_players) if n not in taken)
    try:
        with transaction.atomic():  # a savepoint: a path that forgot the player lock gets a 409
            seat = Seat.objects.create(room=room, user=user, number=number, active=True)
    except IntegrityError as error:
        if _constraint_name(error) == "one_active_seat_per_user":
            raise _already_in_room(None) from error
        raise
    ledger_post_in_tx(
        [
            Posting(
                user_id=user.tg_id,
                kind=LedgerEntry.Kind.ENTRY_FEE,
                amount=-room.fee,
                business_key=f"fee:seat:{seat.pk}",
                cause_type="room",
                cause_id=str(room.pk),
            )
        ]
    )
    room.seated += 1
    if engine.gathering_after_join(room_rules(room), room.seated) is engine.Phase.COUNTDOWN:
        _countdown_in_tx(room)
    room.save()
    _announce(room, "joined")
    logger.info(
        "seated",
        extra={"event": "room_joined", "room_id": room.pk, "user_id": user.tg_id, "fee": room.fee},
    )
    return seat


def _phase_move(room: Room, target: Room.Phase) -> None:
    """Every phase change goes through the engine's transition table."""
    if not engine.can_transition(engine.Phase(room.phase), engine.Phase(target)):
        raise RuntimeError(f"room {room.pk}: no transition {room.phase} → {target}")
    room.phase = target


def _countdown_in_tx(room: Room) -> None:
    rules = room_rules(room)
    now = timezone.now()
    _phase_move(room, Room.Phase.COUNTDOWN)
    room.countdown_at = now
    room.started_at = now + timedelta(seconds=rules.countdown_seconds)
    room.ends_at = room.started_at + timedelta(seconds=rules.game_seconds)
    _schedule_advance(room, room.started_at)
    _schedule_advance(room, room.ends_at + SETTLE_GRACE)
    _announce(room, "countdown")


def room_join_tier(*, user: User, tier_id: int) -> Room:
    """Seat the player in a gathering room of the tier (a new one when all are full)."""
    rooms_available()
    with atomic_use_case():
        _player_lock_in_tx(user)
        tier = tier_lock_in_tx(tier_id)
        if tier is None:
            raise NotFoundError("tier_not_found", "This room type is not available.")
        room = (
            Room.objects.filter(
                tier=tier,
                phase=Room.Phase.GATHERING,
                seated__lt=F("max_players"),
                kind=Room.Kind.STANDARD,
            )
            .order_by("id")
            .select_for_update(of=("self",))
            .first()
        )
        if room is None:
            room = Room.objects.create(
                kind=Room.Kind.STANDARD,
                tier=tier,
                fee=tier.stars,
                deadline_at=timezone.now()
                + timedelta(seconds=engine.standard_rules().gather_seconds),
            )
            _schedule_advance(room, room.deadline_at)
        _seat_in_tx(user=user, room=room)
    return room


def _new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(6))


def hero_room_create(*, organizer: User, fee: int) -> Room:
    rooms_available()
    limits = room_settings_get()
    if not limits.hero_min_fee <= fee <= limits.hero_max_fee:
        raise ApplicationError(
            "fee_out_of_range",
            f"The entry fee must be between {limits.hero_min_fee} and {limits.hero_max_fee} Stars.",
            details={"min": limits.hero_min_fee, "max": limits.hero_max_fee},
        )
    with atomic_use_case():
        _player_lock_in_tx(organizer)
        if organizer.is_blocked:
            raise ForbiddenError("user_blocked", "Your account is blocked.")
        if Room.objects.filter(organizer=organizer, phase__in=ACTIVE).exists():
            raise ConflictError("hero_room_exists", "You already run a hero room.")
        key = _new_key()
        while Room.objects.filter(key=key).exists():
            key = _new_key()
        room = Room.objects.create(
            kind=Room.Kind.HERO,
            fee=fee,
            key=key,
            organizer=organizer,
            deadline_at=timezone.now()
            + timedelta(seconds=engine.hero_rules().hero_timeout_seconds),
        )
        _schedule_advance(room, room.deadline_at)
    logger.info("hero room created", extra={"event": "hero_created", "room_id": room.pk})
    return room


def hero_key_normalize(key: str) -> str:
    return (key or "").strip().upper()


def hero_room_join(*, user: User, key: str) -> Room:
    rooms_available()
    with atomic_use_case():
        _player_lock_in_tx(user)
        room_id = (
            Room.objects.filter(key=hero_key_normalize(key)).values_list("pk", flat=True).first()
        )
        room = room_lock_in_tx(room_id) if room_id else None
        if room is None:
            raise NotFoundError("room_key_unknown", "No room has this key.")
        _seat_in_tx(user=user, room=room)
    return room


def _refund_seat_in_tx(seat: Seat, room: Room) -> None:
    ledger_post_in_tx(
        [
            Posting(
                user_id=seat.user_id,
                kind=LedgerEntry.Kind.ROOM_REFUND,
                amount=room.fee,
                business_key=f"refund:seat:{seat.pk}",
                cause_type="room",
                cause_id=str(room.pk),
            )
        ]
    )


@transaction.atomic(durable=True)
def room_leave(*, user: User, room_id: int) -> Room:
    """Leave before the countdown: the fee comes back."""
    room = room_lock_in_tx(room_id)
    seat = (
        Seat.objects.filter(room_id=room_id, user=user, left_at__isnull=True).first()
        if room
        else None
    )
    if room is None or seat is None:
        raise NotFoundError("seat_not_found", "You are not in this room.")
    if room.phase != Room.Phase.GATHERING:
        raise ConflictError("room_already_started", "The game has already started.")
    seat.left_at = timezone.now()
    seat.active = False
    seat.save(update_fields=["left_at", "active"])
    _refund_seat_in_tx(seat, room)
    room.seated -= 1
    room.save(update_fields=["seated"])
    _announce(room, "left")
    return room


@transaction.atomic(durable=True)
def hero_room_start(*, organizer: User, room_id: int) -> Room:
    rooms_available()  # the game about to start counts its taps in Redis
    room = room_lock_in_tx(room_id)
    if room is None or room.kind != Room.Kind.HERO:
        raise NotFoundError("room_not_found", "No such room.")
    if room.organizer_id != organizer.tg_id:
        raise ForbiddenError("not_organizer", "Only the organizer can start this room.")
    if room.phase != Room.Phase.GATHERING:
        raise ConflictError("room_already_started", "The game has already started.")
    if not engine.hero_start_allowed(room_rules(room), room.seated):
        raise ApplicationError("not_enough_players", "At least 2 players are needed to start.")
    _countdown_in_tx(room)
    room.save()
    return room


def _cancel_in_tx(room: Room, reason: str) -> None:
    seats = list(room.seats.filter(left_at__isnull=True).order_by("user_id"))
    for seat in seats:
        _refund_seat_in_tx(seat, room)
    _notify_cancelled_in_tx(room, [seat.user_id for seat in seats], reason)
    _phase_move(room, Room.Phase.CANCELLED)
    room.finished_at = timezone.now()
    room.save()
    room.seats.filter(active=True).update(active=False)
    group_send_on_commit(
        room_group(room.pk),
        {"type": "room.event", "event": "closed", "room_id": room.pk, "reason": reason},
    )
    logger.info(
        "room cancelled", extra={"event": "room_cancelled", "room_id": room.pk, "reason": reason}
    )


def _notify_cancelled_in_tx(room: Room, user_ids: list[int], reason: str) -> None:
    """Tell each refunded player (and a hero room's organizer) why the room closed."""
    kind = (
        Notification.Kind.HERO_TIMEOUT
        if reason == "hero_timeout"
        else Notification.Kind.ROOM_CANCELLED
    )
    params = {"room_id": room.pk, "room_kind": room.kind, "fee": room.fee, "reason": reason}
    recipients = dict.fromkeys(user_ids, True)
    if room.organizer_id and room.kind == Room.Kind.HERO:
        recipients.setdefault(room.organizer_id, False)
    notifications_enqueue_in_tx(
        [
            (user_id, kind, f"room:{room.pk}:{user_id}", {**params, "refunded": seated})
            for user_id, seated in recipients.items()
        ]
    )


def _notify_results_in_tx(room: Room, seats: list[Seat], organizer_share: int) -> None:
    """Each player's result (won or lost, the prize, the pool), the organizer's share."""
    base = {"room_id": room.pk, "room_kind": room.kind, "fee": room.fee, "pool": room.pool}
    results: dict[int, dict[str, Any]] = {
        seat.user_id: {
            **base,
            "won": seat.user_id == room.winner_id,
            "prize": room.prize if seat.user_id == room.winner_id else 0,
            "refunded": room.winner_id is None,
            "taps": seat.taps,
            "players": len(seats),
        }
        for seat in seats
    }
    if organizer_share and room.organizer_id:
        results.setdefault(
            room.organizer_id, {**base, "organizer_only": True, "players": len(seats)}
        )["organizer_share"] = organizer_share
    notifications_enqueue_in_tx(
        [
            (user_id, Notification.Kind.GAME_RESULT, f"room:{room.pk}:{user_id}", params)
            for user_id, params in results.items()
        ]
    )


def _house_user_id() -> int:
    house_id: int = settings.HOUSE_TG_ID
    User.objects.get_or_create(tg_id=house_id, defaults={"first_name": "Chance Tap house"})
    return house_id


def _settle_in_tx(room: Room) -> None:
    """Finish the game once: results from Redis, payouts into the ledger, in one transaction."""
    rules = room_rules(room)
    seats = list(room.seats.filter(left_at__isnull=True).select_related("user").order_by("number"))
    state = room_taps_read(room.pk)
    scores = []
    for seat in seats:
        seat.taps = state.taps.get(seat.user_id, 0)
        seat.reached_at_ms = state.reached_ms.get(seat.user_id, 0)
        # A player blocked during the game is out like a cheater: he cannot win or be paid.
        seat.cheater = seat.user_id in state.cheaters or seat.user.is_blocked
        seat.active = False
        seat.save(update_fields=["taps", "reached_at_ms", "cheater", "active"])
        scores.append(
            engine.Score(
                user_id=seat.user_id,
                taps=seat.taps,
                reached_at_ms=seat.reached_at_ms,
                seat=seat.number,
                cheater=seat.cheater,
            )
        )
    pool = room.fee * len(seats)
    best = (
        next((s for s in scores if s.user_id == state.first_to_target and not s.cheater), None)
        if state.first_to_target is not None
        else None
    ) or engine.winner(scores)
    _phase_move(room, Room.Phase.FINISHED)
    room.finished_at = timezone.now()
    room.pool = pool
    organizer_share = 0
    if best is None:
        for seat in seats:  # nobody may win (no taps, or only cheaters): everyone gets the fee back
            _refund_seat_in_tx(seat, room)
    else:
        split = engine.payout(rules, pool)
        postings = [
            Posting(
                best.user_id,
                LedgerEntry.Kind.PRIZE,
                split.winner,
                f"prize:room:{room.pk}",
                "room",
                str(room.pk),
            )
        ]
        if split.organizer and room.organizer_id:
            postings.append(
                Posting(
                    room.organizer_id,
                    LedgerEntry.Kind.ORGANIZER_SHARE,
                    split.organizer,
                    f"organizer:room:{room.pk}",
                    "room",
                    str(room.pk),
                )
            )
        if split.house:
            postings.append(
                Posting(
                    _house_user_id(),
                    LedgerEntry.Kind.ADJUSTMENT,
                    split.house,
                    f"house:room:{room.pk}",
                    "room",
                    str(room.pk),
                    "house share",
                )
            )
        ledger_post_in_tx([p for p in postings if p.amount > 0])
        room.winner_id = best.user_id
        room.prize = split.winner
        organizer_share = split.organizer if room.organizer_id else 0
    room.save()
    _notify_results_in_tx(room, seats, organizer_share)
    leaderboards_touch()  # game leaderboards read prizes
    _announce(room, "finished")
    logger.info(
        "room settled",
        extra={"event": "room_settled", "room_id": room.pk, "winner": room.winner_id, "pool": pool},
    )


@transaction.atomic(durable=True)
def room_advance(*, room_id: int, now: datetime | None = None) -> str:
    """Move the room to where the clock says it should be. Safe to call any number of times."""
    now = now or timezone.now()
    room = room_lock_in_tx(room_id)
    if room is None:
        return "missing"
    if room.phase == Room.Phase.GATHERING and now >= room.deadline_at:
        if room.kind == Room.Kind.HERO:
            _cancel_in_tx(room, "hero_timeout")
            return "cancelled"
        outcome = engine.gathering_timer_outcome(room_rules(room), room.seated)
        if outcome is engine.Phase.CANCELLED:
            _cancel_in_tx(room, "not_enough_players")
            return "cancelled"
        _countdown_in_tx(room)
        room.save()
        return "countdown"
    if room.phase == Room.Phase.COUNTDOWN and room.started_at and now >= room.started_at:
        _phase_move(room, Room.Phase.PLAYING)
        room.save(update_fields=["phase"])
        _announce(room, "started")
        return "playing"
    if room.phase == Room.Phase.PLAYING and room.ends_at:
        first = room_taps_read(room.pk).first_to_target
        if now >= room.ends_at or (room.kind == Room.Kind.HERO and first is not None):
            _settle_in_tx(room)
            return "finished"
    return "unchanged"


def rooms_sweep(*, now: datetime | None = None) -> int:
    """The periodic safety net: advance every room whose time has come (lost timers, restarts)."""
    now = now or timezone.now()
    overdue = (
        Room.objects.filter(phase__in=ACTIVE)
        .filter(models_q_overdue(now))
        .values_list("pk", flat=True)
    )
    moved = 0
    for room_id in list(overdue[:500]):
        moved += int(room_advance(room_id=room_id, now=now) != "unchanged")
    return moved


def models_q_overdue(now: datetime) -> Any:
    from django.db.models import Q

    return (
        Q(phase=Room.Phase.GATHERING, deadline_at__lte=now)
        | Q(phase=Room.Phase.COUNTDOWN, started_at__lte=now)
        | Q(phase=Room.Phase.PLAYING, ends_at__lte=now - SETTLE_GRACE)
    )


def room_cancel_by_staff(*, staff: User, room_id: int, reason: str) -> Room:
    """Support cancels a room stuck by an incident, in any unfinished phase (a game in play
    included), and every seat still taken gets its fee back once (``refund:seat:<id>``)."""
    reason = staff_reason_required(reason)
    audit: dict[str, Any] = {
        "staff": staff,
        "kind": "room_cancel",
        "reason": reason,
        "subject": f"room {room_id}",
    }
    try:
        with transaction.atomic(durable=True):
            room = room_lock_in_tx(room_id)
            if room is None:
                raise NotFoundError("room_not_found", "No such room.")
            if room.phase not in ACTIVE:
                raise ConflictError(
                    "room_over", "This room is over already.", details={"phase": room.phase}
                )
            seats = room.seats.filter(left_at__isnull=True).count()
            _cancel_in_tx(room, reason="cancelled_by_support")
            staff_action_record_in_tx(**audit, stars=seats * room.fee)  # given back
    except ConflictError as exc:
        staff_action_refused(**audit, detail=exc.message)
        raise
    logger.info(
        "room cancelled by support",
        extra={"event": "room_cancelled_by_staff", "room_id": room_id, "staff_id": staff.tg_id},
    )
    return room
