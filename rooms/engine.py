"""Pure game rules of Chance Tap rooms: no Django, no I/O (STYLE.md layout).

Everything here works on plain numbers so it can be property-tested and shared by the services,
the Redis tap scripts' tests and the simulated players.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    Phase.PLAYING: frozenset({Phase.FINISHED, Phase.CANCELLED}),  # cancelled: by support only
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


class TapWindow:
    """A player's taps received within the last ``window_ms`` (SPEC: more than 50 taps within any
    2 s makes a cheater). ``add`` returns the total of the window ending at that packet; packets
    are added in the order they were received."""

    __slots__ = ("entries", "total", "window_ms")

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self.entries: deque[tuple[int, int]] = deque()
        self.total = 0

    def add(self, received_ms: int, count: int) -> int:
        self.entries.append((received_ms, count))
        self.total += count
        horizon = received_ms - self.window_ms
        while self.entries and self.entries[0][0] <= horizon:
            self.total -= self.entries.popleft()[1]
        return self.total


def breaks_window(rules: Rules, window: TapWindow, received_ms: int, count: int) -> bool:
    """Add a packet to the player's window; True when it takes the window over the limit."""
    return window.add(received_ms, count) > rules.cheat_limit


class TapRefusal(StrEnum):
    """Why the tap book refused a packet (the codes of the error frames players get)."""

    CHEATER = "cheater"  # flagged before: nothing of his counts any more
    BACKWARDS = "tap_timestamp_backwards"
    FLAGGED = "cheater_flagged"  # this packet broke the window
    NOT_PLAYING = "room_not_playing"  # received after the end, or the hero room has its winner


@dataclass(frozen=True)
class Verdict:
    taps: int  # the player's count after the packet (0 when refused)
    refused: TapRefusal | None = None
    first_to_target: bool = False


@dataclass
class TapBook:
    """One room's (or bonus run's) taps, judged packet by packet by the server's clock.

    This is the rule; ``rooms/taps.py``'s ``FLUSH_SCRIPT`` applies it inside Redis, atomically,
    for every web process alike, and ``rooms/tests/test_tap_book.py`` feeds both the same random
    packet streams and demands the same verdicts. The window counts the player's packets received
    after ``received − window`` — packets of another process received a little later included,
    which only errs towards the cheater.
    """

    window_ms: int
    limit: int
    target: int = 0  # hero rooms and bonus runs: the first to reach it wins and the book closes
    taps: dict[int, int] = field(default_factory=dict)
    reached_ms: dict[int, int] = field(default_factory=dict)
    last_timestamp: dict[int, int] = field(default_factory=dict)
    cheaters: set[int] = field(default_factory=set)
    first: int | None = None
    recent: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def for_rules(cls, rules: Rules, *, target: int | None = None) -> TapBook:
        goal = rules.target_taps if target is None else target
        return cls(window_ms=rules.cheat_window_ms, limit=rules.cheat_limit, target=goal or 0)

    def judge(
        self,
        user: int,
        count: int,
        timestamp_ms: int,
        received_ms: int,
        *,
        ends_ms: int = 0,
        flagged: bool = False,
    ) -> Verdict:
        """``flagged``: the receiving process's own window (``TapWindow``) already broke."""
        if self.first is not None or (ends_ms > 0 and received_ms > ends_ms):
            return Verdict(0, TapRefusal.NOT_PLAYING)
        if user in self.cheaters:
            return Verdict(0, TapRefusal.CHEATER)
        if flagged or self._over_limit(user, received_ms, count):
            self.cheaters.add(user)
            return Verdict(0, TapRefusal.FLAGGED)
        last = self.last_timestamp.get(user)
        if last is not None and timestamp_ms < last:
            return Verdict(0, TapRefusal.BACKWARDS)
        self.last_timestamp[user] = timestamp_ms
        taps = self.taps[user] = self.taps.get(user, 0) + count
        self.reached_ms[user] = received_ms
        if self.target > 0 and taps >= self.target:
            self.first = user
            return Verdict(taps, None, first_to_target=True)
        return Verdict(taps)

    def _over_limit(self, user: int, received_ms: int, count: int) -> bool:
        recent = self.recent.setdefault(user, [])
        recent.append((received_ms, count))
        recent[:] = [(at, n) for at, n in recent if at > received_ms - 2 * self.window_ms]
        return sum(n for at, n in recent if at > received_ms - self.window_ms) > self.limit


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
