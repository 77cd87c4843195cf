"""Issue #12: the anti-cheat window holds across web processes. Two real uvicorn processes on one
database and Redis, as production runs them: a player tapping 40 per 2 s on a socket to each is
flagged (80 per 2 s in all) and cannot win although he has the most taps; the honest player wins."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from payments.ledger import ledger_mismatches
from rooms.models import Room
from rooms.services import room_advance
from rooms.taps import room_taps_read
from rooms.tests.test_consumer import seated_room
from tests.server import ServerProcess

pytestmark = pytest.mark.django_db(transaction=True)
GAME_SECONDS = 5


async def _tapper(
    base: str, room_id: int, tg_id: int, per_half_second: int, codes: list[str]
) -> None:
    import websockets
    from websockets.typing import Origin, Subprotocol

    url = base.replace("http", "ws", 1) + f"/ws/rooms/{room_id}/"
    protocols = [Subprotocol(p) for p in ws_subprotocols(token_issue(tg_id=tg_id))]
    async with websockets.connect(url, origin=Origin(base), subprotocols=protocols) as ws:

        async def read() -> None:
            async for raw in ws:
                frame: dict[str, Any] = json.loads(raw)
                if frame["type"] == "error":
                    codes.append(frame["code"])

        reader = asyncio.create_task(read())
        deadline = time.monotonic() + GAME_SECONDS - 1.5
        while time.monotonic() < deadline:
            stamp = int(time.time() * 1000)
            await ws.send(
                json.dumps({"type": "taps", "count": per_half_second, "timestamp": stamp})
            )
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.5)  # the last answers
        reader.cancel()


def test_a_cheater_split_over_two_processes_is_flagged_and_the_honest_player_wins(
    make_user,
) -> None:
    (cheater, honest), room = seated_room(make_user)
    first, second = ServerProcess(), ServerProcess()
    now = timezone.now()
    Room.objects.filter(pk=room.pk).update(
        started_at=now - timedelta(seconds=1), ends_at=now + timedelta(seconds=GAME_SECONDS)
    )
    room.refresh_from_db()
    cheater_codes: list[str] = []
    honest_codes: list[str] = []
    try:

        async def play() -> None:
            await asyncio.gather(
                _tapper(first.base_url, room.pk, cheater.tg_id, 10, cheater_codes),
                _tapper(second.base_url, room.pk, cheater.tg_id, 10, cheater_codes),
                _tapper(first.base_url, room.pk, honest.tg_id, 7, honest_codes),
            )

        asyncio.run(play())
    finally:
        first.stop()
        second.stop()
    assert "cheater_flagged" in cheater_codes
    assert honest_codes == []
    taps = room_taps_read(room.pk)
    assert cheater.tg_id in taps.cheaters
    assert honest.tg_id not in taps.cheaters
    remaining = (room.ends_at or now) - timezone.now()
    time.sleep(max(0.0, remaining.total_seconds() + 0.1))
    assert room_advance(room_id=room.pk) == "finished"
    room.refresh_from_db()
    assert room.winner_id == honest.tg_id
    assert ledger_mismatches() == []
