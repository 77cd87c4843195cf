"""The Redis flush script is a faithful port of ``rooms.engine.TapBook`` (issue #13): random packet
streams — several players, timestamps that sometimes go backwards, packets of other processes
arriving a little out of order, locally flagged packets, a hero target, a deadline — are judged by
both, flush by flush on a real Redis, and every verdict and the final state must agree."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rooms.engine import TapBook, Verdict
from rooms.taps import FLUSH_SCRIPT, STATUS, FlushRequest, _flush_args, sync_client

WINDOW_MS, LIMIT = 2_000, 50


@dataclass(frozen=True)
class Stream:
    target: int
    ends_ms: int
    flushes: list[list[tuple[int, int, int, int, bool]]]  # (user, count, ts, received, flagged)


@st.composite
def streams(draw: st.DrawFn) -> Stream:
    users = draw(st.integers(1, 3))
    clock = 1_000_000
    last_ts = dict.fromkeys(range(1, users + 1), 0)
    flushes = []
    for _ in range(draw(st.integers(1, 12))):
        packets = []
        for _ in range(draw(st.integers(0, 12))):
            user = draw(st.integers(1, users))
            # Round steps too, so packets land exactly on the window's edge.
            clock += draw(
                st.one_of(st.sampled_from([0, 100, 500, 1_000, 2_000]), st.integers(0, 400))
            )
            # Another process's packet may be flushed after later ones (up to a tick late).
            received = clock - draw(st.sampled_from([0, 0, 0, 40, 150]))
            last_ts[user] += draw(st.integers(-60, 400))
            flagged = draw(st.integers(0, 19)) == 0
            count = draw(st.one_of(st.sampled_from([5, 10, 20, 25]), st.integers(1, 20)))
            packets.append((user, count, last_ts[user], received, flagged))
        flushes.append(packets)
    target = draw(st.sampled_from([0, 0, 60, 150]))
    ends_ms = draw(st.sampled_from([0, 0, clock - 500, clock + 1]))
    return Stream(target=target, ends_ms=ends_ms, flushes=flushes)


def _redis_verdicts(stream: Stream, key: str) -> tuple[list[Verdict], dict[int, int], set[int]]:
    client = sync_client()
    verdicts: list[Verdict] = []
    for packets in stream.flushes:
        if not packets:
            continue
        request = FlushRequest(
            room_id=0,
            known_version=-1,
            target=stream.target,
            packets=packets,
            ends_ms=stream.ends_ms,
            window_ms=WINDOW_MS,
            limit=LIMIT,
            key_prefix=key,
        )
        _version, flat, _counts = client.eval(FLUSH_SCRIPT, 1, key, *_flush_args(request))
        for i in range(0, len(flat), 2):
            code, first = int(flat[i]), int(flat[i + 1])
            verdicts.append(
                Verdict(max(code, 0), STATUS.get(code), first_to_target=bool(first))
                if code < 0
                else Verdict(code, None, first_to_target=bool(first))
            )
    taps = {int(k): int(v) for k, v in client.hgetall(key + "taps").items()}
    cheaters = {int(c) for c in client.smembers(key + "cheaters")}
    client.delete(*client.keys(key.replace("{", "\\{").replace("}", "\\}") + "*") or [key])
    return verdicts, taps, cheaters


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(streams())
# The window's edges, which random streams seldom hit exactly: a packet exactly 2 s older is out
# of the window (26 taps, fine); 1 ms younger is in (51 taps, a cheater).
@example(
    Stream(0, 0, [[(1, 25, 0, 1_000, False)], [(1, 25, 1, 3_000, False), (1, 1, 2, 3_000, False)]])
)
@example(
    Stream(0, 0, [[(1, 25, 0, 1_001, False)], [(1, 25, 1, 3_000, False), (1, 1, 2, 3_000, False)]])
)
# Deadline and target on the same packet; a backwards timestamp after a flagged one.
@example(
    Stream(
        40, 5_000, [[(1, 20, 0, 4_000, False), (1, 20, 1, 5_000, False)], [(2, 1, 0, 5_001, False)]]
    )
)
@example(
    Stream(
        0,
        0,
        [
            [
                (1, 5, 10, 1_000, True),
                (1, 5, 5, 1_100, False),
                (2, 5, 9, 1_200, False),
                (2, 5, 8, 1_300, False),
            ]
        ],
    )
)
def test_the_redis_script_judges_like_the_engine(stream: Stream) -> None:
    book = TapBook(window_ms=WINDOW_MS, limit=LIMIT, target=stream.target)
    expected = [
        book.judge(user, count, ts, received, ends_ms=stream.ends_ms, flagged=flagged)
        for packets in stream.flushes
        for user, count, ts, received, flagged in packets
    ]
    key = f"{{proptest:{uuid.uuid4().hex}}}:"
    verdicts, taps, cheaters = _redis_verdicts(stream, key)
    assert verdicts == expected
    assert taps == book.taps
    assert cheaters == book.cheaters


def test_the_comparison_has_teeth() -> None:
    """A book with another limit disagrees with the script on a stream that crosses 50."""
    packets = [(1, 20, i, 1_000 + i * 100, False) for i in range(4)]  # 80 taps in 300 ms
    stream = Stream(target=0, ends_ms=0, flushes=[packets])
    lax = TapBook(window_ms=WINDOW_MS, limit=100)
    expected = [lax.judge(u, c, t, r) for u, c, t, r, _ in packets]
    verdicts, _, _ = _redis_verdicts(stream, f"{{proptest:{uuid.uuid4().hex}}}:")
    assert verdicts != expected
    assert [v.refused for v in verdicts][-2:] == ["cheater_flagged", "cheater"]
