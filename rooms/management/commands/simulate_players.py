"""Drive simulated players through the real server: REST joins, real WebSocket clients, taps.

    manage.py simulate_players --rooms 2 --players-per-room 10 --tier 20 --url http://127.0.0.1:8000

Players are demo accounts (Telegram ids from 900000000 up). Funding them moves money, so it needs
``--fund`` and works only with DEBUG on (development) — never in production.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from payments.ledger import Posting, balance_get, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms.models import RoomTier

FIRST_ID = 900_000_000


class Command(BaseCommand):
    help = "Simulated players join rooms and tap through whole games over real WebSockets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rooms", type=int, default=1)
        parser.add_argument("--players-per-room", type=int, default=10)
        parser.add_argument("--tier", type=int, default=20, help="Stars of the tier to join.")
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--taps-per-second", type=float, default=8.0)
        parser.add_argument("--fund", action="store_true", help="Top up short players (DEBUG).")

    def handle(self, *args: Any, **options: Any) -> None:
        rooms, per_room = options["rooms"], options["players_per_room"]
        if not 1 <= rooms <= 500 or not 1 <= per_room <= 10:
            raise CommandError("--rooms must be 1..500 and --players-per-room 1..10")
        tier = RoomTier.objects.filter(stars=options["tier"], is_active=True).first()
        if tier is None:
            raise CommandError(f"no active tier of {options['tier']} Stars")
        if options["fund"] and not settings.DEBUG:
            raise CommandError("--fund moves money and is only allowed with DJANGO_DEBUG on")
        players = []
        for i in range(rooms * per_room):
            user, _ = User.objects.get_or_create(
                tg_id=FIRST_ID + i,
                defaults={"first_name": f"Bot {i + 1}", "username": f"sim_{i + 1}"},
            )
            if balance_get(user_id=user.tg_id) < tier.stars:
                if not options["fund"]:
                    raise CommandError(f"{user} cannot pay {tier.stars} Stars; use --fund (DEBUG)")
                with transaction.atomic():
                    ledger_post_in_tx(
                        [
                            Posting(
                                user.tg_id,
                                LedgerEntry.Kind.ADJUSTMENT,
                                tier.stars * 10,
                                f"simulation:{user.tg_id}:{time.time_ns()}",
                                memo="simulated player funding (DEBUG only)",
                            )
                        ]
                    )
            players.append(user.tg_id)
        results = asyncio.run(self._play(options, tier.pk, players))
        winners = [r for r in results if r.get("won")]
        self.stdout.write(
            f"simulate_players: {len(results)} players played, {len(winners)} won; "
            f"rooms: {sorted({r['room_id'] for r in results if r.get('room_id')})}"
        )

    async def _play(self, options: dict[str, Any], tier_id: int, players: list[int]) -> list[Any]:
        return list(await asyncio.gather(*(self._player(options, tier_id, uid) for uid in players)))

    async def _player(self, options: dict[str, Any], tier_id: int, tg_id: int) -> dict[str, Any]:
        import websockets
        from websockets.typing import Origin, Subprotocol

        base = options["url"].rstrip("/")
        token = token_issue(tg_id=tg_id)
        room = await asyncio.to_thread(_join, base, token, tier_id, tg_id)
        ws_url = base.replace("http", "ws", 1) + f"/ws/rooms/{room['id']}/"
        protocols = [Subprotocol(p) for p in ws_subprotocols(token)]
        interval = 0.2
        per_packet = max(1, min(20, round(options["taps_per_second"] * interval)))
        async with websockets.connect(ws_url, origin=Origin(base), subprotocols=protocols) as ws:
            playing = asyncio.Event()

            async def tapper() -> None:
                await playing.wait()
                while True:  # one packet every 200 ms, like the Mini App
                    count = max(1, per_packet + random.randint(-1, 1))
                    stamp = int(time.time() * 1000)
                    await ws.send(json.dumps({"type": "taps", "count": count, "timestamp": stamp}))
                    await asyncio.sleep(interval)

            tapping = asyncio.create_task(tapper())
            try:
                async for raw in ws:
                    frame = json.loads(raw)
                    kind = frame["type"]
                    if kind == "started" or (
                        kind == "state" and frame["room"]["phase"] == "playing"
                    ):
                        playing.set()
                    elif kind == "countdown":
                        asyncio.get_running_loop().call_later(3, playing.set)
                    elif kind == "finished":
                        return {"room_id": room["id"], "won": frame["winner_id"] == tg_id}
                    elif kind == "closed":
                        return {"room_id": room["id"], "won": False}
            finally:
                tapping.cancel()
        return {"room_id": room["id"], "won": False}


def _join(base: str, token: str, tier_id: int, tg_id: int) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{base}/api/v1/rooms/tiers/{tier_id}/join",
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": f"sim-{tg_id}-{time.time_ns()}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read() or b"{}")
        if body.get("code") != "already_in_room":
            raise CommandError(f"player {tg_id} could not join: {body}") from exc
        # Still seated from an earlier run: play on in that room.
        return {"id": body["details"]["room_id"]}
