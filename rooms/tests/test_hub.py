"""The process hub's pieces: the socket outbox and the batched tick flush against real Redis."""

from __future__ import annotations

import asyncio
import itertools
import json

from rooms.engine import TapWindow
from rooms.frames import progress_frame
from rooms.outbox import CLOSE_TOO_SLOW, OUTBOX_LIMIT, Outbox
from rooms.taps import FlushRequest, RoomFlush, async_client, rooms_flush_async

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


def request(
    room_id: int, version: int, packets: list[tuple[int, int, int, int, bool]]
) -> FlushRequest:
    return FlushRequest(room_id=room_id, known_version=version, target=0, packets=packets)


async def test_one_round_trip_counts_several_rooms_and_reports_only_moved_counts() -> None:
    client = async_client()
    a, b, quiet = next(_rooms), next(_rooms), next(_rooms)
    replies = await rooms_flush_async(
        client,
        [
            request(
                a,
                0,
                [
                    (1, 5, 1000, 10_000, False),
                    (2, 3, 1000, 10_010, False),
                    (1, 2, 1100, 10_020, False),
                ],
            ),
            request(b, 0, [(3, 20, 1000, 10_000, False)]),
            request(quiet, 0, []),
        ],
    )
    first, second, third = replies
    assert isinstance(first, RoomFlush)
    assert isinstance(second, RoomFlush)
    assert isinstance(third, RoomFlush)
    assert [r.taps for r in first.results] == [5, 3, 7]
    assert first.counts == {"1": 7, "2": 3}
    assert second.counts == {"3": 20}
    assert third.counts is None
    assert third.results == []
    # Nothing new: the version did not move, so no counts come back.
    (again,) = await rooms_flush_async(client, [request(a, first.version, [])])
    assert isinstance(again, RoomFlush)
    assert again.counts is None
    # Another process counted taps in room a: a room without local packets still learns of them.
    await rooms_flush_async(client, [request(a, first.version, [(4, 1, 1000, 10_050, False)])])
    (seen,) = await rooms_flush_async(client, [request(a, first.version, [])])
    assert isinstance(seen, RoomFlush)
    assert seen.counts == {"1": 7, "2": 3, "4": 1}


async def test_replays_and_flagged_packets_are_refused_and_the_cheater_stays_out() -> None:
    client = async_client()
    room = next(_rooms)
    (reply,) = await rooms_flush_async(
        client,
        [
            request(
                room,
                0,
                [
                    (1, 5, 2000, 10_000, False),
                    (1, 5, 1999, 10_100, False),  # timestamp went backwards: a replay
                    (2, 5, 2000, 10_000, True),  # broke the window: becomes a cheater
                    (2, 1, 2100, 10_200, False),  # a cheater's later taps do not count
                ],
            )
        ],
    )
    assert isinstance(reply, RoomFlush)
    assert [(r.taps, r.refused) for r in reply.results] == [
        (5, None),
        (0, "tap_timestamp_backwards"),
        (0, "cheater_flagged"),
        (0, "cheater"),
    ]
    assert reply.counts == {"1": 5}


def test_the_cheat_window_counts_taps_by_receive_time() -> None:
    # 5 taps every 200 ms for 3 s (25 taps/s): never more than 50 within any 2 s.
    honest = TapWindow(2_000)
    assert max(honest.add(50_000 + 200 * i, 5) for i in range(16)) == 50
    # The same taps received 100 ms apart: 55 within 2 s at the eleventh packet.
    fast = TapWindow(2_000)
    totals = [fast.add(50_000 + 100 * i, 5) for i in range(11)]
    assert totals[-1] == 55
    assert max(totals[:-1]) == 50


def test_progress_frames_encoded_by_hand_are_the_json_of_the_frame() -> None:
    counts = {"700000001": 12, "8": 0}
    assert json.loads(progress_frame(5, counts, 9)) == {
        "type": "progress",
        "room_id": 5,
        "counts": counts,
        "version": 9,
    }


async def test_frames_are_written_at_once_and_queue_only_behind_a_waiting_send() -> None:
    sent: list[dict] = []
    gate = asyncio.Event()
    gate.set()

    async def send(message: dict) -> None:
        if not gate.is_set():
            await gate.wait()
        sent.append(message)

    outbox = Outbox(send)
    outbox.push("a")
    assert [m["text"] for m in sent] == ["a"]  # written without a task or a tick
    gate.clear()
    outbox.push("b")  # this send waits (backpressure): later frames queue behind it
    outbox.push_progress("p1")
    outbox.push("c")
    outbox.push_progress("p2")  # replaces p1 in its place
    assert [m["text"] for m in sent] == ["a"]
    assert outbox.drainer is not None
    gate.set()
    await asyncio.wait_for(outbox.drainer, 5)
    assert [m["text"] for m in sent] == ["a", "b", "p2", "c"]
    outbox.push("d")  # drained: back to immediate writes
    assert sent[-1]["text"] == "d"
    outbox.close(1000)
    assert sent[-1] == {"type": "websocket.close", "code": 1000}
    outbox.push("after close")
    assert sent[-1] == {"type": "websocket.close", "code": 1000}


async def test_a_send_that_fails_marks_the_socket_gone() -> None:
    calls = 0

    async def send(message: dict) -> None:
        nonlocal calls
        calls += 1
        raise OSError("connection reset")

    outbox = Outbox(send)
    outbox.push("a")
    assert outbox.gone
    outbox.push("b")
    outbox.push_progress("p")
    assert calls == 1


async def test_the_cheat_window_spans_processes() -> None:
    """40 taps / 2 s through each of two processes: each process alone sees an honest player, the
    room's window in Redis sees 80 and flags him; a player at 40 / 2 s on one socket is fine."""
    client = async_client()
    room = next(_rooms)
    for second in range(3):  # 10 taps every 0.5 s on each "process", 3 s long
        for half in range(2):
            at = 100_000 + second * 1000 + half * 500
            (one,) = await rooms_flush_async(client, [request(room, 0, [(7, 10, at, at, False)])])
            (two,) = await rooms_flush_async(
                client, [request(room, 0, [(7, 10, at + 1, at + 1, False)])]
            )
            (honest,) = await rooms_flush_async(
                client, [request(room, 0, [(8, 10, at + 2, at + 2, False)])]
            )
            assert isinstance(honest, RoomFlush)
            assert honest.results[0].refused is None
    assert isinstance(one, RoomFlush)
    assert isinstance(two, RoomFlush)
    refusals = {r.refused for r in one.results + two.results}
    assert refusals <= {"cheater", "cheater_flagged"}
    assert refusals


async def test_packets_received_after_the_end_or_the_hero_winner_are_refused() -> None:
    client = async_client()
    room = next(_rooms)
    ends = 200_000

    def at(received: int, user: int = 1, count: int = 5) -> FlushRequest:
        return FlushRequest(
            room_id=room,
            known_version=0,
            target=0,
            packets=[(user, count, received, received, False)],
            ends_ms=ends,
        )

    (before,) = await rooms_flush_async(client, [at(ends)])
    (after,) = await rooms_flush_async(client, [at(ends + 1)])
    assert isinstance(before, RoomFlush)
    assert isinstance(after, RoomFlush)
    assert before.results[0].refused is None
    assert after.results[0].refused == "room_not_playing"
    # A hero room: the packet that reaches the target wins; anything after it does not count,
    # in the same flush or a later one, although the game's time is not up.
    hero = next(_rooms)
    reply = await rooms_flush_async(
        client,
        [
            FlushRequest(
                room_id=hero,
                known_version=0,
                target=10,
                packets=[
                    (1, 6, 1000, 1000, False),
                    (2, 10, 1000, 1001, False),  # reaches the target: the winner
                    (1, 6, 1100, 1100, False),
                ],
                ends_ms=ends,
            )
        ],
    )
    (flush,) = reply
    assert isinstance(flush, RoomFlush)
    assert [r.refused for r in flush.results] == [None, None, "room_not_playing"]
    assert flush.results[1].first_to_target
    (later,) = await rooms_flush_async(
        client,
        [FlushRequest(hero, 0, 10, [(1, 1, 1200, 1200, False)], ends_ms=ends)],
    )
    assert isinstance(later, RoomFlush)
    assert later.results[0].refused == "room_not_playing"
