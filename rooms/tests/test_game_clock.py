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
