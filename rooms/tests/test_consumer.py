"""The room WebSocket protocol with WebsocketCommunicator on real Redis and Postgres."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from chancetap.asgi import application
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms.models import Room, RoomTier
from rooms.services import hero_room_create, hero_room_join, room_advance, room_join_tier

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


def seated_room(make_user, n: int = 2, playing: bool = True):
    users = [make_user() for _ in range(n)]
    tier, _ = RoomTier.objects.get_or_create(stars=20)
    for user in users:
        with transaction.atomic():
            ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.TOPUP, 100, f"t:{user.pk}")])
        room_join_tier(user=user, tier_id=tier.pk)
    room = Room.objects.get(tier=tier)
    if playing:
        now = timezone.now()
        Room.objects.filter(pk=room.pk).update(
            phase="playing",
            countdown_at=now - timedelta(seconds=4),
            started_at=now - timedelta(seconds=1),
            ends_at=now + timedelta(seconds=59),
        )
    return users, Room.objects.get(pk=room.pk)


async def connect(user, room_id: int) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application,
        f"/ws/rooms/{room_id}/",
        headers=ORIGIN,
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def next_of(communicator: WebsocketCommunicator, kind: str, wait: float = 5) -> dict:
    deadline = time.monotonic() + wait
    while True:
        frame = await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] == kind:
            return frame


def now_ms() -> int:
    return int(time.time() * 1000)


async def test_a_whole_game_over_websockets(make_user) -> None:
    (a, b), room = await database_sync_to_async(seated_room)(make_user)
    ws_a, ws_b = await connect(a, room.pk), await connect(b, room.pk)
    state = await next_of(ws_a, "state")
    assert state["room"]["phase"] == "playing"
    assert {p["tg_id"] for p in state["room"]["players"]} == {a.tg_id, b.tg_id}
    await next_of(ws_b, "state")

    for i in range(3):
        await ws_a.send_json_to({"type": "taps", "count": 10, "timestamp": now_ms() + i})
        assert (await next_of(ws_a, "ack"))["taps"] == 10 * (i + 1)
        await asyncio.sleep(0.05)
    await ws_b.send_json_to({"type": "taps", "count": 7, "timestamp": now_ms()})
    progress = await next_of(ws_b, "progress")
    for _ in range(20):
        if progress["counts"].get(str(b.tg_id)) == 7 and progress["counts"].get(str(a.tg_id)) == 30:
            break
        progress = await next_of(ws_b, "progress")
    assert progress["counts"] == {str(a.tg_id): 30, str(b.tg_id): 7}

    await database_sync_to_async(room_advance)(
        room_id=room.pk, now=timezone.now() + timedelta(seconds=60)
    )
    finished = await next_of(ws_b, "finished")
    assert finished["winner_id"] == a.tg_id
    assert finished["prize"] == 40
    assert await database_sync_to_async(balance_get)(user_id=a.tg_id) == 80 + 40
    assert await database_sync_to_async(ledger_mismatches)() == []
    await ws_a.disconnect()
    await ws_b.disconnect()


async def test_reconnect_gets_full_state_and_no_double_count(make_user) -> None:
    (a, _b), room = await database_sync_to_async(seated_room)(make_user)
    ws = await connect(a, room.pk)
    await next_of(ws, "state")
    sent_at = now_ms()
    await ws.send_json_to({"type": "taps", "count": 12, "timestamp": sent_at})
    await next_of(ws, "ack")
    await ws.disconnect()
    ws = await connect(a, room.pk)
    state = await next_of(ws, "state")
    assert state["counts"][str(a.tg_id)] == 12
    await ws.send_json_to({"type": "taps", "count": 12, "timestamp": sent_at - 1})  # replayed
    assert (await next_of(ws, "error"))["code"] == "tap_timestamp_backwards"
    await ws.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "frame_invalid"),
        ({"no": "type"}, "frame_invalid"),
        ({"type": "dance"}, "frame_unsupported"),
        ({"type": "taps", "count": 21, "timestamp": 0}, "tap_count_invalid"),
        ({"type": "taps", "count": 0, "timestamp": 0}, "tap_count_invalid"),
        ({"type": "taps", "count": "5", "timestamp": 0}, "tap_count_invalid"),
        ({"type": "taps", "count": 5, "timestamp": 10**15}, "tap_timestamp_future"),
        ({"type": "taps", "count": 5, "timestamp": 1}, "tap_timestamp_before_start"),
        ({"type": "taps", "count": 5, "timestamp": "now"}, "tap_timestamp_future"),
        ({"type": "taps", "count": 5, "user_id": 1, "timestamp": 0}, "tap_sender_invalid"),
        ({"type": "reaction", "target": "x"}, "reaction_closed"),
        ({"type": "start"}, "room_not_found"),
        ({"type": "leave"}, "room_already_started"),
    ],
)
async def test_bad_frames_get_error_frames(make_user, frame, code) -> None:
    (a, _b), room = await database_sync_to_async(seated_room)(make_user)
    ws = await connect(a, room.pk)
    await next_of(ws, "state")
    if isinstance(frame, dict) and frame.get("timestamp") == 0:
        frame["timestamp"] = now_ms()
    if isinstance(frame, str):
        await ws.send_to(text_data=frame)
    else:
        await ws.send_json_to(frame)
    error = await next_of(ws, "error")
    assert error["code"] == code
    await ws.disconnect()


async def test_cheater_is_flagged_and_cannot_win(make_user) -> None:
    (a, b), room = await database_sync_to_async(seated_room)(make_user)
    ws_a, ws_b = await connect(a, room.pk), await connect(b, room.pk)
    await next_of(ws_a, "state")
    await next_of(ws_b, "state")
    for i in range(3):  # 60 taps within a second: over the limit of 50 in 2 s
        await ws_a.send_json_to({"type": "taps", "count": 20, "timestamp": now_ms() + i})
    error = await next_of(ws_a, "error")
    assert error["code"] == "cheater_flagged"
    await ws_b.send_json_to({"type": "taps", "count": 3, "timestamp": now_ms()})
    await next_of(ws_b, "ack")
    await database_sync_to_async(room_advance)(
        room_id=room.pk, now=timezone.now() + timedelta(seconds=60)
    )
    assert (await next_of(ws_b, "finished"))["winner_id"] == b.tg_id
    await ws_a.disconnect()
    await ws_b.disconnect()


async def test_strangers_are_refused(make_user) -> None:
    _players, room = await database_sync_to_async(seated_room)(make_user)
    stranger = await database_sync_to_async(make_user)()
    ws = await connect(stranger, room.pk)
    assert (await ws.receive_json_from(timeout=5))["code"] == "room_not_found"
    assert (await ws.receive_output(timeout=5))["code"] == 4404


def hero_setup(make_user):
    organizer = make_user()
    room = hero_room_create(organizer=organizer, fee=10)
    players = []
    for _ in range(2):
        user = make_user()
        with transaction.atomic():
            ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.TOPUP, 50, f"t:{user.pk}")])
        hero_room_join(user=user, key=str(room.key))
        players.append(user)
    return organizer, players, Room.objects.get(pk=room.pk)


async def test_hero_organizer_watches_starts_and_reactions_fly(make_user) -> None:
    organizer, (a, b), room = await database_sync_to_async(hero_setup)(make_user)
    ws_org, ws_a = await connect(organizer, room.pk), await connect(a, room.pk)
    assert len((await next_of(ws_org, "state"))["room"]["players"]) == 2
    await next_of(ws_a, "state")

    await ws_a.send_json_to({"type": "reaction", "target": b.tg_id})
    reaction = await next_of(ws_org, "reaction")
    assert (reaction["from"], reaction["target"], len(reaction["emoji"])) == (a.tg_id, b.tg_id, 1)
    await ws_a.send_json_to({"type": "reaction", "target": a.tg_id})
    assert (await next_of(ws_a, "error"))["code"] == "reaction_rate_limited"

    await ws_org.send_json_to({"type": "taps", "count": 5, "timestamp": now_ms()})
    assert (await next_of(ws_org, "error"))["code"] == "organizer_cannot_play"
    await ws_a.send_json_to({"type": "start"})
    assert (await next_of(ws_a, "error"))["code"] == "not_organizer"
    await ws_org.send_json_to({"type": "start"})
    countdown = await next_of(ws_a, "countdown")
    assert countdown["started_at"] is not None
    await ws_org.disconnect()
    await ws_a.disconnect()


async def test_hero_timeout_closes_and_refunds(make_user) -> None:
    _organizer, (a, _b), room = await database_sync_to_async(hero_setup)(make_user)
    ws = await connect(a, room.pk)
    await next_of(ws, "state")
    await database_sync_to_async(room_advance)(
        room_id=room.pk, now=timezone.now() + timedelta(minutes=6)
    )
    closed = await next_of(ws, "closed")
    assert closed["reason"] == "hero_timeout"
    assert await database_sync_to_async(balance_get)(user_id=a.tg_id) == 50


def random_frame(rng) -> object:
    def value(depth: int = 0) -> object:
        choices = [
            lambda: None,
            lambda: rng.choice([True, False]),
            lambda: rng.randint(-(2**64), 2**64),
            lambda: rng.random() * 1e6,
            lambda: "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(12))),
            lambda: rng.choice(["taps", "reaction", "start", "leave", "ping", "", "TAPS"]),
        ]
        if depth < 2:
            keys = ["type", "count", "timestamp", "target", "user_id"]
            choices += [
                lambda: [value(depth + 1) for _ in range(rng.randrange(3))],
                lambda: {rng.choice(keys): value(depth + 1) for _ in range(rng.randrange(4))},
                lambda: {
                    "type": rng.choice(["taps", "reaction"]),
                    "count": value(depth + 1),
                    "timestamp": value(depth + 1),
                    "target": value(depth + 1),
                },
            ]
        return rng.choice(choices)()

    return value()


async def test_random_frames_never_break_the_socket(make_user) -> None:
    import random

    (a, _b), room = await database_sync_to_async(seated_room)(make_user)
    ws = await connect(a, room.pk)
    await next_of(ws, "state")
    rng = random.Random(20261122)
    for _ in range(300):
        frame = random_frame(rng)
        if isinstance(frame, dict) and frame.get("type") in ("leave", "start"):
            continue  # legitimate actions with their own tests
        await ws.send_to(text_data=__import__("json").dumps(frame))
        reply = await ws.receive_json_from(timeout=5)
        while reply["type"] in ("progress", "reaction"):
            reply = await ws.receive_json_from(timeout=5)
        assert reply["type"] in ("error", "ack", "pong"), reply
        if reply["type"] == "error":
            assert reply["code"]
    await ws.send_json_to({"type": "ping"})
    assert (await next_of(ws, "pong"))["server_time"] > 0
    assert await database_sync_to_async(ledger_mismatches)() == []
    await ws.disconnect()
