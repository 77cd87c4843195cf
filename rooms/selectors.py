from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Prefetch, Sum

from payments.ledger import ConservationMismatch
from payments.models import LedgerEntry
from rooms import engine
from rooms.models import BonusSettings, Room, RoomSettings, RoomTier, Seat


@dataclass(frozen=True)
class TierOccupancy:
    id: int
    stars: int
    waiting: int  # players in the room a new player would join
    max_players: int


def tier_list_with_occupancy() -> list[TierOccupancy]:
    """Active tiers and how full the room a new player would join is: the oldest gathering room
    with a free seat, as ``rooms.services.room_join_tier`` picks it, else a new (empty) one."""
    open_rooms: dict[int, tuple[int, int]] = {}
    for row in (
        Room.objects.filter(
            kind=Room.Kind.STANDARD, phase=Room.Phase.GATHERING, seated__lt=F("max_players")
        )
        .order_by("-id")
        .values_list("tier_id", "seated", "max_players")
    ):
        open_rooms[row[0]] = (row[1], row[2])  # the oldest comes last and stays
    new_room = (0, int(Room._meta.get_field("max_players").get_default()))
    return [
        TierOccupancy(
            id=tier.pk,
            stars=tier.stars,
            waiting=open_rooms.get(tier.pk, new_room)[0],
            max_players=open_rooms.get(tier.pk, new_room)[1],
        )
        for tier in RoomTier.objects.filter(is_active=True)
    ]


def room_players(*, room: Room) -> list[Seat]:
    """The seats still taken in ``room``, with their players, in seat order."""
    return list(room.seats.filter(left_at__isnull=True).select_related("user").order_by("number"))


def room_current_for(*, user_id: int) -> Room | None:
    seat = (
        Seat.objects.filter(
            user_id=user_id,
            left_at__isnull=True,
            room__phase__in=[Room.Phase.GATHERING, Room.Phase.COUNTDOWN, Room.Phase.PLAYING],
        )
        .select_related("room")
        .first()
    )
    if seat is not None:
        return seat.room
    return (
        Room.objects.filter(
            organizer_id=user_id,
            phase__in=[Room.Phase.GATHERING, Room.Phase.COUNTDOWN, Room.Phase.PLAYING],
        )
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class RoomCoPlayer:
    """Another player seated in a room of my history."""

    tg_id: int
    first_name: str
    taps: int


@dataclass(frozen=True)
class RoomHistoryItem:
    room_id: int
    kind: str
    fee: int
    phase: str
    result: str  # one of HISTORY_RESULTS
    taps: int
    won: bool
    prize: int
    pool: int
    players: int
    co_players: tuple[RoomCoPlayer, ...]
    created_at: datetime
    finished_at: datetime | None


HISTORY_RESULTS = (
    ("won", "Won"),
    ("lost", "Lost"),
    ("refunded", "Finished without a winner: every fee refunded"),
    ("cancelled", "Cancelled: every fee refunded"),
    ("in_progress", "Not over yet"),
)


def _history_result(room: Room, user_id: int) -> str:
    if room.phase == Room.Phase.CANCELLED:
        return "cancelled"
    if room.phase != Room.Phase.FINISHED:
        return "in_progress"
    if room.winner_id is None:
        return "refunded"
    return "won" if room.winner_id == user_id else "lost"


def room_history_for(*, user_id: int, limit: int, offset: int) -> list[RoomHistoryItem]:
    """The rooms ``user_id`` sat in to the end (a seat left before the start was refunded and is
    in the ledger only), newest first, each with every player seated in it.

    Two queries a page whatever its length: my seats with their rooms, then every seat still
    taken in those rooms with its player (at most ``max_players`` per room).
    """
    taken = Seat.objects.filter(left_at__isnull=True).select_related("user").order_by("number")
    seats = (
        Seat.objects.filter(user_id=user_id, left_at__isnull=True)
        .select_related("room")
        .prefetch_related(Prefetch("room__seats", queryset=taken, to_attr="taken_seats"))
        .order_by("-room__created_at", "-room_id")[offset : offset + limit]
    )
    items = []
    for seat in seats:
        room = seat.room
        everyone: list[Seat] = room.taken_seats  # type: ignore[attr-defined]
        finished = room.phase == Room.Phase.FINISHED
        items.append(
            RoomHistoryItem(
                room_id=room.pk,
                kind=room.kind,
                fee=room.fee,
                phase=room.phase,
                result=_history_result(room, user_id),
                taps=seat.taps,
                won=finished and room.winner_id == user_id,
                prize=room.prize if room.winner_id == user_id else 0,
                # A settled room keeps its pool; before that (and in a cancelled room, whose fees
                # went back) it is what the seated players paid.
                pool=room.pool if finished else room.fee * len(everyone),
                players=len(everyone),
                co_players=tuple(
                    RoomCoPlayer(tg_id=s.user_id, first_name=s.user.first_name, taps=s.taps)
                    for s in everyone
                    if s.user_id != user_id
                ),
                created_at=room.created_at,
                finished_at=room.finished_at,
            )
        )
    return items


def room_is_member(*, room: Room, user_id: int) -> bool:
    return (
        room.organizer_id == user_id
        or room.seats.filter(user_id=user_id, left_at__isnull=True).exists()
    )


def room_ledger_conservation() -> list[ConservationMismatch]:
    """Per room that is over, no Star created or lost (registered with ``ledger_check``).

    Every seat ever taken paid the fee once (``fee:seat:<id>``); a cancelled room paid every fee
    back (``refund:seat:<id>``); a finished room paid out exactly its fees: prize, organizer share,
    house share (``prize:`` / ``organizer:`` / ``house:room:<id>``) and refunds. Entries are
    attributed to a room by their cause (``room``, id). Running rooms are not checked.
    """
    kinds = LedgerEntry.Kind
    sums: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cause_id, kind, total in (
        LedgerEntry.objects.filter(cause_type="room")
        .values_list("cause_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        sums[cause_id][kind] += int(total)
    problems: list[ConservationMismatch] = []
    over = (
        Room.objects.filter(phase__in=[Room.Phase.FINISHED, Room.Phase.CANCELLED])
        .annotate(seats_taken=Count("seats"))
        .order_by("id")
        .values_list("id", "phase", "fee", "seats_taken")
    )
    for room_id, phase, fee, seats_taken in over:
        by_kind = sums.get(str(room_id), defaultdict(int))
        fees = -by_kind[kinds.ENTRY_FEE]
        refunds = by_kind[kinds.ROOM_REFUND]
        payouts = by_kind[kinds.PRIZE] + by_kind[kinds.ORGANIZER_SHARE] + by_kind[kinds.ADJUSTMENT]
        others = sum(v for k, v in by_kind.items() if k not in _ROOM_KINDS)
        subject = f"room {room_id} ({phase})"
        if fees != fee * seats_taken:
            problems.append(
                ConservationMismatch(subject, fee * seats_taken, fees, "fees != fee × seats")
            )
        if phase == Room.Phase.CANCELLED and (refunds != fees or payouts):
            problems.append(
                ConservationMismatch(
                    subject, fees, refunds + payouts, "a cancelled room pays back exactly its fees"
                )
            )
        if phase == Room.Phase.FINISHED and payouts + refunds != fees:
            problems.append(
                ConservationMismatch(
                    subject,
                    fees,
                    payouts + refunds,
                    f"fees != prize + organizer + house + refunds "
                    f"({by_kind[kinds.PRIZE]} + {by_kind[kinds.ORGANIZER_SHARE]} + "
                    f"{by_kind[kinds.ADJUSTMENT]} + {refunds})",
                )
            )
        if others:
            problems.append(ConservationMismatch(subject, 0, others, "entries of other kinds"))
    return problems


_ROOM_KINDS = frozenset(
    {
        LedgerEntry.Kind.ENTRY_FEE,
        LedgerEntry.Kind.ROOM_REFUND,
        LedgerEntry.Kind.PRIZE,
        LedgerEntry.Kind.ORGANIZER_SHARE,
        LedgerEntry.Kind.ADJUSTMENT,
    }
)


HERO_START_PREFIX = "hero_"


def hero_join_link(key: str) -> str:
    """The link a hero room's organizer shares: it opens the Mini App on the room's join
    (``startapp=hero_<key>``, read from initData's ``start_param``)."""
    bot, app = settings.TELEGRAM_BOT_USERNAME, settings.TELEGRAM_APP_NAME
    return f"https://t.me/{bot}/{app}?startapp={HERO_START_PREFIX}{key}"


@dataclass(frozen=True)
class StandardRules:
    max_players: int
    min_players: int
    gather_seconds: int
    countdown_seconds: int
    game_seconds: int
    house_share_bp: int


@dataclass(frozen=True)
class HeroRules:
    max_players: int
    target_taps: int
    game_seconds: int
    timeout_seconds: int
    organizer_share_bp: int
    winner_share_bp: int
    min_fee: int
    max_fee: int


@dataclass(frozen=True)
class BonusRules:
    target_taps: int
    duration_hours: int
    reward_stars: int
    cooldown_hours: int
    min_paid_games: int


@dataclass(frozen=True)
class GameRules:
    standard: StandardRules
    hero: HeroRules
    bonus: BonusRules
    cheat_limit: int  # more taps than this ...
    cheat_window_ms: int  # ... within this window: the seat is a cheater's


def game_rules() -> GameRules:
    """The rules as the operator set them today (the Rules & terms and bonus screens show these,
    not figures written into the app): room shares and limits, the bonus run, the anti-cheat
    line."""
    room_settings = RoomSettings.get_solo()
    bonus = BonusSettings.get_solo()
    standard = engine.standard_rules(house_share_bp=room_settings.house_share_bp)
    hero = engine.hero_rules()
    return GameRules(
        standard=StandardRules(
            max_players=standard.max_players,
            min_players=standard.min_players,
            gather_seconds=standard.gather_seconds,
            countdown_seconds=standard.countdown_seconds,
            game_seconds=standard.game_seconds,
            house_share_bp=room_settings.house_share_bp,
        ),
        hero=HeroRules(
            max_players=hero.max_players,
            target_taps=hero.target_taps or 0,
            game_seconds=hero.game_seconds,
            timeout_seconds=hero.hero_timeout_seconds,
            organizer_share_bp=hero.organizer_share_bp,
            winner_share_bp=hero.winner_share_bp,
            min_fee=room_settings.hero_min_fee,
            max_fee=room_settings.hero_max_fee,
        ),
        bonus=BonusRules(
            target_taps=bonus.target_taps,
            duration_hours=bonus.duration_hours,
            reward_stars=bonus.reward_stars,
            cooldown_hours=bonus.cooldown_hours,
            min_paid_games=bonus.min_paid_games,
        ),
        cheat_limit=standard.cheat_limit,
        cheat_window_ms=standard.cheat_window_ms,
    )
