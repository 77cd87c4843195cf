"""The process hub's pieces: the socket outbox and the batched tick flush against real Redis."""

from __future__ import annotations

import itertools

from rooms.hub import CLOSE_TOO_SLOW, OUTBOX_LIMIT, Outbox
from rooms.taps import FlushRequest, async_client, prefix, rooms_flush_async

_rooms = itertools.count(9_100_000)


def drain(outbox: Outbox) -> list[str]:
    frames = []
    while (text := outbox.pop()) is not None:
        frames.append(text)
    return frames


def test_a_queued_progress_is_replaced_in_place_and_order_is_kept() -> None:
    outbox = Outbox()
    outbox.push("ack1")
    outbox.push_progress("p1")
    outbox.push("ack2")
    outbox.push_progress("p2")  # replaces p1 where it stood
    assert drain(outbox) == ["ack1", "p2", "ack2"]
    outbox.push_progress("p3")  # the slot was sent: a new one is queued
    assert drain(outbox) == ["p3"]


def test_a_client_that_never_reads_is_closed_not_buffered_forever() -> None:
    outbox = Outbox()
    for i in range(OUTBOX_LIMIT + 5):
        outbox.push(f"f{i}")
    assert outbox.close_code == CLOSE_TOO_SLOW
    assert len(drain(outbox)) == OUTBOX_LIMIT
    outbox.push("late")
    assert outbox.pop() is None


def request(room_id: int, version: int, packets: list[tuple[int, int, int, int]]) -> FlushRequest:
    return FlushRequest(
        room_id=room_id,
        known_version=version,
        target=0,
        window_ms=2000,
        limit=50,
        packets=packets,
    )


async def test_one_round_trip_counts_several_rooms_and_reports_only_moved_counts() -> None:
    client = async_client()
    a, b, quiet = next(_rooms), next(_rooms), next(_rooms)
    await client.delete(*(prefix(r) + k for r in (a, b, quiet) for k in ("taps", "ver")))
    replies = await rooms_flush_async(
        client,
        [
            request(a, 0, [(1, 5, 1000, 10_000), (2, 3, 1000, 10_010), (1, 2, 1100, 10_020)]),
            request(b, 0, [(3, 20, 1000, 10_000)]),
            request(quiet, 0, []),
        ],
    )
    first, second, third = replies
    assert not isinstance(first, Exception)
    assert not isinstance(second, Exception)
    assert not isinstance(third, Exception)
    assert [r.taps for r in first.results] == [5, 3, 7]
    assert first.counts == {"1": 7, "2": 3}
    assert second.counts == {"3": 20}
    assert third.counts is None
    assert third.results == []
    # Nothing new: the version did not move, so no counts come back.
    again = await rooms_flush_async(client, [request(a, first.version, [])])
    assert not isinstance(again[0], Exception)
    assert again[0].counts is None


async def test_the_cheat_window_uses_receive_times_not_the_flush_time() -> None:
    client = async_client()
    room = next(_rooms)
    # Eleven packets of 5 received 200 ms apart (2 s apart end to end) flushed in ONE tick:
    # an honest 25 taps/s player — never more than 50 taps within any 2 s.
    honest = [(7, 5, 1000 + i, 50_000 + 200 * i) for i in range(11)]
    # The same taps received within 1 s: 55 taps in 2 s — a cheater.
    fast = [(8, 5, 1000 + i, 50_000 + 100 * i) for i in range(11)]
    (reply,) = await rooms_flush_async(client, [request(room, 0, honest + fast)])
    assert not isinstance(reply, Exception)
    assert [r.refused for r in reply.results[:11]] == [None] * 11
    assert reply.results[10].taps == 55
    assert reply.results[21].refused == "cheater_flagged"
    assert reply.counts is not None
    assert reply.counts["7"] == 55
