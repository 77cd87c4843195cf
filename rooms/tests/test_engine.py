"""Property tests of the pure room rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rooms.engine import (
    Kind,
    PacketError,
    Phase,
    Score,
    TapBook,
    TapRefusal,
    TapWindow,
    Verdict,
    breaks_window,
    can_transition,
    gathering_after_join,
    gathering_timer_outcome,
    hero_rules,
    hero_start_allowed,
    packet_error,
    payout,
    standard_rules,
    winner,
)

STD = standard_rules()
HERO = hero_rules()


def test_phases_only_move_forward() -> None:
    assert can_transition(Phase.GATHERING, Phase.COUNTDOWN)
    assert can_transition(Phase.COUNTDOWN, Phase.PLAYING)
    assert can_transition(Phase.PLAYING, Phase.FINISHED)
    assert not can_transition(Phase.FINISHED, Phase.PLAYING)
    assert can_transition(Phase.PLAYING, Phase.CANCELLED)  # support's incident tool only
    assert not can_transition(Phase.CANCELLED, Phase.GATHERING)


def test_gathering_rules() -> None:
    assert gathering_after_join(STD, 9) is Phase.GATHERING
    assert gathering_after_join(STD, 10) is Phase.COUNTDOWN
    assert gathering_after_join(HERO, 10) is Phase.GATHERING  # the organizer starts hero rooms
    assert gathering_timer_outcome(STD, 1) is Phase.CANCELLED
    assert gathering_timer_outcome(STD, 0) is Phase.CANCELLED
    assert gathering_timer_outcome(STD, 2) is Phase.COUNTDOWN
    assert hero_start_allowed(HERO, 2)
    assert not hero_start_allowed(HERO, 1)
    assert not hero_start_allowed(STD, 5)


def check(**over):
    packet = {
        "count": 5,
        "timestamp_ms": 10_500,
        "now_ms": 10_600,
        "started_at_ms": 10_000,
        "ends_at_ms": 70_000,
        "last_timestamp_ms": 10_400,
    }
    packet.update(over)
    return packet_error(STD, **packet)


def test_packet_checks() -> None:
    assert check() is None
    assert check(count=0) is PacketError.COUNT
    assert check(count=21) is PacketError.COUNT
    assert check(count=True) is PacketError.COUNT
    assert check(count="5") is PacketError.COUNT
    assert check(count=20) is None
    assert check(timestamp_ms=10_600 + 1_001) is PacketError.FUTURE
    assert check(timestamp_ms="x") is PacketError.FUTURE
    assert check(timestamp_ms=8_999) is PacketError.BEFORE_START
    assert check(timestamp_ms=10_300) is PacketError.BACKWARDS
    assert check(now_ms=9_000) is PacketError.NOT_PLAYING
    assert check(now_ms=71_001, timestamp_ms=71_000) is PacketError.NOT_PLAYING
    # Received one millisecond after the end: refused, whatever the client's clock says.
    assert check(now_ms=70_000, timestamp_ms=69_999) is None
    assert check(now_ms=70_001, timestamp_ms=69_999) is PacketError.NOT_PLAYING


def _cheats(packets: list[tuple[int, int]]) -> bool:
    """Whether any packet of an in-order stream breaks the window."""
    window = TapWindow(STD.cheat_window_ms)
    return any(breaks_window(STD, window, at, count) for at, count in packets)


def test_fifty_one_taps_in_two_seconds_is_cheating() -> None:
    fifty = [(1_000 + i * 100, 5) for i in range(10)]  # 50 taps within 1 s
    assert not _cheats(fifty)
    assert _cheats([*fifty, (1_950, 1)])
    # The same 51 taps spread over more than 2 s are fine.
    spread = [(i * 250, 5) for i in range(10)] + [(2_600, 1)]
    assert not _cheats(spread)


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 20)), max_size=60))
def test_cheating_matches_a_brute_force_window(packets) -> None:
    packets = sorted(packets)
    window = TapWindow(STD.cheat_window_ms)
    for index, (now, count) in enumerate(packets):
        taps = sum(c for at, c in packets[: index + 1] if now - 2_000 < at <= now)
        assert breaks_window(STD, window, now, count) is (taps > 50)


def test_winner_rules() -> None:
    a = Score(1, taps=100, reached_at_ms=5_000, seat=0)
    b = Score(2, taps=100, reached_at_ms=4_000, seat=1)  # same count, reached earlier
    c = Score(3, taps=150, reached_at_ms=9_000, seat=2, cheater=True)
    assert winner([a, b, c]) == b
    assert winner([c]) is None
    assert winner([Score(4, 0, 0, 0)]) is None
    book = TapBook.for_rules(HERO)
    assert book.judge(1, 20, 0, 0).taps == 20
    for i in range(1, 9):
        assert not book.judge(1, 20, i, i * 1_000).first_to_target
    assert book.judge(1, 20, 9, 9_000) == Verdict(200, None, first_to_target=True)  # 200 reached
    assert book.judge(2, 1, 0, 9_100).refused is TapRefusal.NOT_PLAYING  # the book is closed
    assert TapBook.for_rules(STD).target == 0


scores = st.lists(
    st.builds(
        Score,
        user_id=st.integers(1, 10**6),
        taps=st.integers(0, 2_000),
        reached_at_ms=st.integers(0, 60_000),
        seat=st.integers(0, 9),
        cheater=st.booleans(),
    ),
    max_size=10,
)


@given(scores)
def test_winner_has_the_most_taps_among_honest_players(players) -> None:
    best = winner(players)
    honest = [p for p in players if not p.cheater and p.taps > 0]
    if not honest:
        assert best is None
        return
    assert best is not None
    assert not best.cheater
    assert best.taps == max(p.taps for p in honest)
    tied = [p for p in honest if p.taps == best.taps]
    assert best.reached_at_ms == min(p.reached_at_ms for p in tied)


@given(st.integers(0, 10**9), st.integers(0, 5_000))
def test_payout_never_loses_a_star(pool, house_bp) -> None:
    for rules in (HERO, standard_rules(house_share_bp=house_bp)):
        split = payout(rules, pool)
        assert split.winner + split.organizer + split.house == pool
        assert min(split.winner, split.organizer, split.house) >= 0
    hero = payout(HERO, pool)
    assert hero.organizer == pool // 10
    assert hero.house == 0


def test_hero_split_examples() -> None:
    assert payout(HERO, 1000) == payout(HERO, 1000).__class__(winner=900, organizer=100, house=0)
    odd = payout(HERO, 55)  # 10 % of 55 = 5.5 → organizer 5, the remainder to the winner
    assert (odd.winner, odd.organizer) == (50, 5)
    assert payout(standard_rules(), 200).winner == 200
    assert Kind.HERO.value == "hero"
