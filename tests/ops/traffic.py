"""Player traffic against a running server, shared by the production-parity tests: plain HTTP
calls, Telegram payments through the webhook, and whole WebSocket games of real clients."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from rooms.models import Room


class Statuses:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

        self.handshakes: list[float] = []

    def opened(self, seconds: float) -> None:
        self.handshakes.append(seconds)

    def add(self, kind: str, status: int) -> None:
        with self._lock:
            self.counts[(kind, status)] += 1

    def server_errors(self) -> dict[tuple[str, int], int]:
        return {key: n for key, n in self.counts.items() if key[1] >= 500}


def http_call(
    base: str, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw  # the app's HTML


def payments_through_webhook(
    base: str, webhook_base: str, payers: list[tuple[int, str]], statuses: Statuses, secret: str
) -> None:
    """Each payer buys Stars: an invoice through the API, then Telegram's successful_payment
    through the webhook — sent twice, as Telegram may."""
    for n, (tg_id, token) in enumerate(payers):
        status, invoice = http_call(
            base,
            "POST",
            "/api/v1/payments/invoices",
            body={"purpose": "topup", "stars": 25 + n},
            headers={
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": f"traffic-invoice-{tg_id}",
            },
        )
        statuses.add("invoice", status)
        assert status == 201, invoice
        update = {
            "message": {
                "message_id": n + 1,
                "date": int(time.time()),
                "chat": {"id": tg_id, "type": "private", "first_name": "Payer"},
                "from": {"id": tg_id, "is_bot": False, "first_name": "Payer"},
                "successful_payment": {
                    "currency": "XTR",
                    "total_amount": 25 + n,
                    "invoice_payload": invoice["id"],
                    "telegram_payment_charge_id": f"traffic-charge-{tg_id}",
                    "provider_payment_charge_id": "",
                },
            }
        }
        for attempt in range(2):
            status, _ = http_call(
                webhook_base,
                "POST",
                "/telegram/webhook",
                body={"update_id": 10_000 + 2 * n + attempt, **update},
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            )
            statuses.add("webhook", status)


async def _player(
    base: str, tier_id: int, tg_id: int, statuses: Statuses, results: dict[int, dict[str, Any]]
) -> None:
    import websockets
    from websockets.typing import Origin, Subprotocol

    token = token_issue(tg_id=tg_id)
    status, room = await asyncio.to_thread(
        http_call,
        base,
        "POST",
        f"/api/v1/rooms/tiers/{tier_id}/join",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"traffic-join-{tg_id}"},
    )
    statuses.add("join", status)
    assert status == 201, room
    url = base.replace("http", "ws", 1) + f"/ws/rooms/{room['id']}/"
    protocols = [Subprotocol(p) for p in ws_subprotocols(token)]
    opening = time.monotonic()
    # Generous: this test proves correctness under load on a shared 2-core machine, not speed.
    async with websockets.connect(
        url, origin=Origin(base), subprotocols=protocols, open_timeout=60
    ) as ws:
        statuses.opened(time.monotonic() - opening)
        playing = asyncio.Event()

        async def tap() -> None:
            await playing.wait()
            while True:
                stamp = int(time.time() * 1000)
                count = random.randint(1, 3)
                await ws.send(json.dumps({"type": "taps", "count": count, "timestamp": stamp}))
                await asyncio.sleep(0.4)

        tapper = asyncio.create_task(tap())
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "error":
                    statuses.add(f"ws_error:{frame['code']}", 400)
                if frame["type"] == "started" or (
                    frame["type"] == "state" and frame["room"]["phase"] == "playing"
                ):
                    playing.set()
                elif frame["type"] in ("finished", "closed"):
                    results[tg_id] = {"room_id": room["id"], **frame}
                    return
        finally:
            tapper.cancel()


def play_games(
    bases: list[str], tier_id: int, players: list[int], statuses: Statuses
) -> dict[int, Any]:
    """Every player joins the tier and plays over a WebSocket to the end; player i uses
    ``bases[i % len(bases)]`` (several web replicas share the rooms through Redis)."""
    results: dict[int, dict[str, Any]] = {}

    async def play() -> None:
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    _player(bases[i % len(bases)], tier_id, p, statuses, results)
                    for i, p in enumerate(players)
                )
            ),
            timeout=120,
        )

    asyncio.run(play())
    return results


def shorten_games(stop: threading.Event) -> None:
    """Once a game is under way, let it end 3 s later (the sweeper settles it) instead of after
    the full minute."""
    while not stop.is_set():
        now = timezone.now()
        Room.objects.filter(
            phase=Room.Phase.PLAYING, ends_at__gt=now + timedelta(seconds=4)
        ).update(ends_at=now + timedelta(seconds=3))
        time.sleep(0.25)
    connection.close()
