"""Players of one room on two web processes see the same progress and the same winner."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import websockets
from django.utils import timezone
from websockets.typing import Origin, Subprotocol

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from rooms.models import Room
from rooms.services import room_advance
from rooms.tests.test_consumer import seated_room
from tests.server import ServerProcess

pytestmark = pytest.mark.e2e


async def frames_until(ws, kind: str, predicate=lambda f: True, wait: float = 10) -> dict:
    deadline = time.monotonic() + wait
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if frame["type"] == kind and predicate(frame):
            return frame


def test_two_web_processes_share_one_room(transactional_db, make_user) -> None:
    (a, b), room = seated_room(make_user)
    servers = [ServerProcess(), ServerProcess()]
    try:

        async def scenario() -> tuple[dict, dict, dict, dict]:
            def url(server: ServerProcess, user) -> str:
                host = server.base_url.replace("http://", "ws://")
                return f"{host}/ws/rooms/{room.pk}/"

            def protocols(user) -> list[Subprotocol]:
                return [Subprotocol(p) for p in ws_subprotocols(token_issue(tg_id=user.tg_id))]

            origin = Origin("http://127.0.0.1:8000")
            async with (
                websockets.connect(
                    url(servers[0], a), origin=origin, subprotocols=protocols(a)
                ) as ws_a,
                websockets.connect(
                    url(servers[1], b), origin=origin, subprotocols=protocols(b)
                ) as ws_b,
            ):
                await frames_until(ws_a, "state")
                await frames_until(ws_b, "state")
                now = int(time.time() * 1000)
                await ws_a.send(json.dumps({"type": "taps", "count": 9, "timestamp": now}))
                await ws_b.send(json.dumps({"type": "taps", "count": 4, "timestamp": now}))
                both = {str(a.tg_id): 9, str(b.tg_id): 4}
                seen_a = await frames_until(ws_a, "progress", lambda f: f["counts"] == both)
                seen_b = await frames_until(ws_b, "progress", lambda f: f["counts"] == both)
                await asyncio.to_thread(
                    room_advance, room_id=room.pk, now=timezone.now() + timedelta(seconds=60)
                )
                end_a = await frames_until(ws_a, "finished")
                end_b = await frames_until(ws_b, "finished")
                return seen_a, seen_b, end_a, end_b

        # Playwright's sync API may own this thread's event loop: run ours in a fresh thread.
        with ThreadPoolExecutor(1) as pool:
            seen_a, seen_b, end_a, end_b = pool.submit(asyncio.run, scenario()).result()
        assert seen_a["counts"] == seen_b["counts"]
        assert end_a["winner_id"] == end_b["winner_id"] == a.tg_id
        assert Room.objects.get(pk=room.pk).winner_id == a.tg_id
    finally:
        for server in servers:
            server.stop()
