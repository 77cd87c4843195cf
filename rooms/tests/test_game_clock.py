"""The server's clock decides (issue #12): taps received after the end, or after a hero room has
its winner, are refused with an error frame and never counted — however late the settlement runs
(no Celery worker here: nothing settles until the test does) — and they do not feed a bonus run."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from payments.ledger import balance_get, ledger_mismatches
from rooms import engine
from rooms.bonus import bonus_run_start
from rooms.models import BonusRun, Room
from rooms.services import room_advance
from rooms.taps import bonus_taps_read, room_taps_read
from rooms.tests.test_bonus import small_target
from rooms.tests.test_consumer import connect, hero_setup, next_of, now_ms, seated_room

pytestmark = pytest.mark.django_db(transaction=True)


def _ends_soon(room_id: int, seconds: float) -> None:
    now = timezone.now()
    Room.objects.filter(pk=room_id).update(
        started_at=now - timedelta(seconds=1), ends_at=now + timedelta(seconds=seconds)
    )


async def test_taps_after_the_end_are_refused_and_do_not_change_the_winner(make_user) -> None:
    (a, b), room = await database_sync_to_async(seated_room)(make_user)
    await database_sync_to_async(_ends_soon)(room.pk, 1.2)
    ws_a, ws_b = await connect(a, room.pk), await connect(b, room.pk)
    await next_of(ws_a, "state")
    await next_of(ws_b, "state")
    await ws_a.send_json_to({"type": "taps", "count": 8, "timestamp": now_ms()})
    await next_of(ws_a, "ack")
    await ws_b.send_json_to({"type": "taps", "count": 5, "timestamp": now_ms()})
    await next_of(ws_b, "ack")
    await asyncio.sleep(1.4)  # the end has passed; no worker has settled the game
    assert (await database_sync_to_async(Room.objects.get)(pk=room.pk)).phase == "playing"
    for _ in range(3):  # b's late burst, each packet within the rules but after the end
        await ws_b.send_json_to({"type": "taps", "count": 10, "timestamp": now_ms()})
        assert (await next_of(ws_b, "error"))["code"] == "room_not_playing"
    await ws_a.disconnect()
    await ws_b.disconnect()

    taps = await database_sync_to_async(room_taps_read)(room.pk)
    assert taps.taps == {a.tg_id: 8, b.tg_id: 5}
    assert await database_sync_to_async(room_advance)(room_id=room.pk) == "finished"
    settled = await database_sync_to_async(Room.objects.get)(pk=room.pk)
    assert settled.winner_id == a.tg_id
    assert await database_sync_to_async(balance_get)(user_id=a.tg_id) == 80 + 40
    assert await database_sync_to_async(ledger_mismatches)() == []


async def test_after_a_hero_winner_taps_are_refused_and_the_bonus_run_stands_still(
    make_user, monkeypatch
) -> None:
    hero = engine.hero_rules()
    monkeypatch.setattr(engine, "hero_rules", lambda: dataclasses.replace(hero, target_taps=10))
    await database_sync_to_async(small_target)(1000, 5)
    _organizer, (a, _b), room = await database_sync_to_async(hero_setup)(make_user)
    await database_sync_to_async(Room.objects.filter(pk=room.pk).update)(phase="playing")
    await database_sync_to_async(_ends_soon)(room.pk, 60)
    run = await database_sync_to_async(bonus_run_start)(user=a)
    ws = await connect(a, room.pk)
    await next_of(ws, "state")
    await ws.send_json_to({"type": "taps", "count": 10, "timestamp": now_ms()})
    await next_of(ws, "ack")  # the winning packet
    for _ in range(50):  # the hub settles the room at once
        if (await database_sync_to_async(Room.objects.get)(pk=room.pk)).phase == "finished":
            break
        await asyncio.sleep(0.05)
    await ws.send_json_to({"type": "taps", "count": 5, "timestamp": now_ms()})
    assert (await next_of(ws, "error"))["code"] == "room_not_playing"
    await ws.disconnect()
    assert (await database_sync_to_async(room_taps_read)(room.pk)).taps == {a.tg_id: 10}
    assert await database_sync_to_async(bonus_taps_read)(run.pk, a.tg_id) == 10
    assert (await database_sync_to_async(BonusRun.objects.get)(pk=run.pk)).status == "active"


async def test_a_player_blocked_mid_game_is_closed_out_and_cannot_win(make_user) -> None:
    from accounts.services import user_set_blocked
    from rooms.tests.test_consumer import connect as room_socket

    (a, b), room = await database_sync_to_async(seated_room)(make_user)
    ws_a, ws_b = await room_socket(a, room.pk), await room_socket(b, room.pk)
    await next_of(ws_a, "state")
    await next_of(ws_b, "state")
    await ws_a.send_json_to({"type": "taps", "count": 9, "timestamp": now_ms()})
    await next_of(ws_a, "ack")
    await ws_b.send_json_to({"type": "taps", "count": 4, "timestamp": now_ms()})
    await next_of(ws_b, "ack")
    await database_sync_to_async(user_set_blocked)(user=a, blocked=True, reason="fraud")
    closed = await next_of(ws_a, "closed", wait=1)
    assert closed["reason"] == "user_blocked"
    assert (await ws_a.receive_output(timeout=1))["code"] == 4403
    await ws_b.disconnect()
    await database_sync_to_async(_ends_soon)(room.pk, -1)
    assert await database_sync_to_async(room_advance)(room_id=room.pk) == "finished"
    settled = await database_sync_to_async(Room.objects.get)(pk=room.pk)
    assert settled.winner_id == b.tg_id  # a has more taps, and is blocked
    assert await database_sync_to_async(balance_get)(user_id=a.tg_id) == 80


async def test_a_socket_that_outlived_its_token_stops_counting(make_user, settings) -> None:
    from channels.testing import WebsocketCommunicator

    from accounts.tokens import token_issue
    from accounts.ws_auth import ws_subprotocols
    from chancetap.asgi import application
    from rooms.tests.test_consumer import ORIGIN

    (a, _b), room = await database_sync_to_async(seated_room)(make_user)
    # A token issued long enough ago that it expires a second from now.
    issued = timezone.now().timestamp() - settings.JWT_EXPIRY_SECONDS + 1
    ws = WebsocketCommunicator(
        application,
        f"/ws/rooms/{room.pk}/",
        headers=ORIGIN,
        subprotocols=ws_subprotocols(token_issue(tg_id=a.tg_id, now=issued)),
    )
    assert (await ws.connect(timeout=5))[0]
    await next_of(ws, "state")
    await ws.send_json_to({"type": "taps", "count": 3, "timestamp": now_ms()})
    await next_of(ws, "ack")
    await asyncio.sleep(1.2)
    await ws.send_json_to({"type": "taps", "count": 3, "timestamp": now_ms()})
    assert (await next_of(ws, "error"))["code"] == "token_expired"
    assert (await ws.receive_output(timeout=1))["code"] == 4401
    assert (await database_sync_to_async(room_taps_read)(room.pk)).taps == {a.tg_id: 3}


@pytest.mark.parametrize(("path", "first"), [("/ws/me/", "hello"), ("/ws/bonus/", "state")])
async def test_blocking_closes_the_personal_and_bonus_sockets(make_user, path, first) -> None:
    from channels.testing import WebsocketCommunicator

    from accounts.services import user_set_blocked
    from accounts.tokens import token_issue
    from accounts.ws_auth import ws_subprotocols
    from chancetap.asgi import application
    from rooms.tests.test_consumer import ORIGIN

    user = await database_sync_to_async(make_user)()
    ws = WebsocketCommunicator(
        application,
        path,
        headers=ORIGIN,
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
    )
    assert (await ws.connect(timeout=5))[0]
    await next_of(ws, first)
    await database_sync_to_async(user_set_blocked)(user=user, blocked=True, reason="fraud")
    assert (await next_of(ws, "error", wait=1))["code"] == "user_blocked"
    assert (await ws.receive_output(timeout=1))["code"] == 4403
