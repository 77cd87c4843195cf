"""Pure game rules of Chance Tap rooms: no Django, no I/O (STYLE.md layout).

Everything here works on plain numbers so it can be property-tested and shared by the services,
the Redis tap scripts' tests and the simulated players.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    STANDARD = "standard"
    HERO = "hero"


class Phase(StrEnum):
    GATHERING = "gathering"
    COUNTDOWN = "countdown"
    PLAYING = "playing"
    FINISHED = "finished"
    CANCELLED = "cancelled"


# Allowed phase transitions; every transition is idempotent in the services (row lock + check).
TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.GATHERING: frozenset({Phase.COUNTDOWN, Phase.CANCELLED}),
    Phase.COUNTDOWN: frozenset({Phase.PLAYING, Phase.CANCELLED}),
    Phase.PLAYING: frozenset({Phase.FINISHED}),
    Phase.FINISHED: frozenset(),
    Phase.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class Rules:
    kind: Kind
    max_players: int = 10
    min_players: int = 2
    gather_seconds: int = 60  # standard rooms; hero rooms wait for the organizer
    hero_timeout_seconds: int = 300
    countdown_seconds: int = 3
    game_seconds: int = 60
    target_taps: int | None = None  # hero rooms: first to 200 wins at once
    winner_share_bp: int = 10_000  # basis points of the pool
    organizer_share_bp: int = 0
    cheat_window_ms: int = 2_000
    cheat_limit: int = 50
    max_packet: int = 20
    clock_skew_ms: int = 1_000


def standard_rules(*, house_share_bp: int = 0) -> Rules:
    return Rules(kind=Kind.STANDARD, winner_share_bp=10_000 - house_share_bp)


def hero_rules() -> Rules:
    return Rules(kind=Kind.HERO, target_taps=200, winner_share_bp=9_000, organizer_share_bp=1_000)


def can_transition(current: Phase, target: Phase) -> bool:
    return target in TRANSITIONS[current]


def gathering_after_join(rules: Rules, seated: int) -> Phase:
    """A full standard room starts its countdown at once."""
    if rules.kind is Kind.STANDARD and seated >= rules.max_players:
        return Phase.COUNTDOWN
    return Phase.GATHERING


def gathering_timer_outcome(rules: Rules, seated: int) -> Phase:
    """When the 60 s gathering timer ends: countdown with ≥ 2 players, else cancel (refund)."""
    return Phase.COUNTDOWN if seated >= rules.min_players else Phase.CANCELLED


def hero_start_allowed(rules: Rules, seated: int) -> bool:
    return rules.kind is Kind.HERO and seated >= rules.min_players


# --- packets and anti-cheat -----------------------------------------------------------------------


class PacketError(StrEnum):
    COUNT = "tap_count_invalid"
    FUTURE = "tap_timestamp_future"
    BEFORE_START = "tap_timestamp_before_start"
    BACKWARDS = "tap_timestamp_backwards"
    NOT_PLAYING = "room_not_playing"


def packet_error(
    rules: Rules,
    *,
    count: object,
    timestamp_ms: object,
    now_ms: int,
    started_at_ms: int,
    ends_at_ms: int,
    last_timestamp_ms: int | None,
) -> PacketError | None:
    """Why a ``taps`` packet must be refused, or None. The server's clock is authoritative."""
    # Received after the end: refused, whatever the client's clock says (and however late the
    # settlement runs, rooms/taps.py refuses it again by the same received time).
    if now_ms < started_at_ms or now_ms > ends_at_ms:
        return PacketError.NOT_PLAYING
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= rules.max_packet:
        return PacketError.COUNT
    if not isinstance(timestamp_ms, int) or isinstance(timestamp_ms, bool):
        return PacketError.FUTURE
    if timestamp_ms > now_ms + rules.clock_skew_ms:
        return PacketError.FUTURE
    if timestamp_ms < started_at_ms - rules.clock_skew_ms:
        return PacketError.BEFORE_START
    if last_timestamp_ms is not None and timestamp_ms < last_timestamp_ms:
        return PacketError.BACKWARDS
    return None


def window_total(packets: Sequence[tuple[int, int]], now_ms: int, window_ms: int) -> int:
    """Taps received in the window ``(now - window, now]``; ``packets`` are (received_ms, count)."""
    return sum(count for at, count in packets if now_ms - window_ms < at <= now_ms)


def is_cheating(rules: Rules, packets: Sequence[tuple[int, int]], now_ms: int) -> bool:
    """More than ``cheat_limit`` taps within any ``cheat_window_ms`` ending now."""
    return window_total(packets, now_ms, rules.cheat_window_ms) > rules.cheat_limit


# --- the winner and the money ---------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    user_id: int
    taps: int
    reached_at_ms: int  # when the player reached their final count
    seat: int
    cheater: bool = False


def winner(scores: Sequence[Score]) -> Score | None:
    """Most taps wins; a tie goes to whoever reached the count first; cheaters cannot win."""
    eligible = [s for s in scores if not s.cheater and s.taps > 0]
    if not eligible:
        return None
    return min(eligible, key=lambda s: (-s.taps, s.reached_at_ms, s.seat))


def reached_target(rules: Rules, taps: int) -> bool:
    return rules.target_taps is not None and taps >= rules.target_taps


@dataclass(frozen=True)
class Payout:
    winner: int
    organizer: int
    house: int


def payout(rules: Rules, pool: int) -> Payout:
    """Split the pool; rounding never loses a Star: the remainder goes to the winner."""
    organizer = pool * rules.organizer_share_bp // 10_000
    house = pool * (10_000 - rules.winner_share_bp - rules.organizer_share_bp) // 10_000
    return Payout(winner=pool - organizer - house, organizer=organizer, house=house)
