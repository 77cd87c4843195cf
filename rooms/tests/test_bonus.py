"""The 24-hour bonus run: start, taps in the bonus room and in games, completion, cancel, expiry."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from chancetap.asgi import application
from payments.ledger import balance_get, ledger_mismatches
from rooms.bonus import bonus_run_expire, bonus_runs_sweep
from rooms.models import BonusRun, BonusSettings

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


def bonus_open(**settings: int) -> None:
    """Bonus runs for anyone (``min_paid_games`` 0): for tests that are not about that guard."""
    BonusSettings.objects.update_or_create(pk=1, defaults={"min_paid_games": 0, **settings})


def small_target(target: int = 30, reward: int = 100) -> None:
    bonus_open(target_taps=target, reward_stars=reward, duration_hours=24)


@pytest.mark.django_db
def test_start_watch_cancel_via_rest(auth_client) -> None:
    bonus_open()
    client, _ = auth_client()
    assert client.get("/api/v1/bonus").json() == {"run": None}
    assert client.get("/api/v1/me").json()["bonus_run"] is None
    started = client.post("/api/v1/bonus/start")
    assert started.status_code == 201
    run = started.json()["run"]
    assert (run["status"], run["taps"], run["target_taps"], run["reward_stars"]) == (
        "active",
        0,
        1_000_000,
        100,
    )
    assert client.post("/api/v1/bonus/start").json()["code"] == "bonus_run_active"
    assert client.get("/api/v1/me").json()["bonus_run"]["id"] == run["id"]
    assert client.post("/api/v1/bonus/cancel").json()["run"]["status"] == "cancelled"
    assert client.get("/api/v1/me").json()["bonus_run"] is None
    assert client.post("/api/v1/bonus/cancel").json()["code"] == "bonus_run_not_active"


@pytest.mark.django_db
def test_expiry(auth_client) -> None:
    bonus_open()
    client, user = auth_client()
    client.post("/api/v1/bonus/start")
    run = BonusRun.objects.get(user=user)
    assert bonus_run_expire(run_id=run.pk) is False  # not yet
    assert bonus_runs_sweep(now=run.expires_at + timedelta(seconds=1)) == 1
    run.refresh_from_db()
    assert run.status == "expired"
    assert balance_get(user_id=user.tg_id) == 0


async def bonus_socket(user) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(
        application,
        "/ws/bonus/",
        headers=ORIGIN,
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
    )
    assert (await ws.connect(timeout=5))[0]
    return ws


@pytest.mark.django_db(transaction=True)
async def test_reaching_the_target_in_the_bonus_room_pays_once(make_user) -> None:
    await database_sync_to_async(small_target)(30, 100)
    user = await database_sync_to_async(make_user)()
    from rooms.bonus import bonus_run_start

    await database_sync_to_async(bonus_run_start)(user=user)
    ws = await bonus_socket(user)
    assert (await ws.receive_json_from(timeout=5))["run"]["target_taps"] == 30
    for i in range(2):
        await ws.send_json_to(
            {"type": "taps", "count": 15, "timestamp": int(time.time() * 1000) + i}
        )
        frame = await ws.receive_json_from(timeout=5)
        assert frame["type"] == "progress"
    assert frame["taps"] == 30
    assert (await ws.receive_json_from(timeout=5))["type"] == "completed"
    await ws.send_json_to({"type": "taps", "count": 5, "timestamp": int(time.time() * 1000) + 9})
    assert (await ws.receive_json_from(timeout=5))["code"] == "bonus_run_not_active"
    assert await database_sync_to_async(balance_get)(user_id=user.tg_id) == 100
    run = await database_sync_to_async(BonusRun.objects.get)(user=user)
    assert (run.status, run.taps) == ("completed", 30)
    assert await database_sync_to_async(ledger_mismatches)() == []
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_bonus_room_refuses_bad_packets_and_cheaters(make_user) -> None:
    await database_sync_to_async(small_target)(10_000, 100)
    user = await database_sync_to_async(make_user)()
    ws = await bonus_socket(user)
    assert (await ws.receive_json_from(timeout=5))["run"] is None
    await ws.send_json_to({"type": "taps", "count": 5, "timestamp": int(time.time() * 1000)})
    assert (await ws.receive_json_from(timeout=5))["code"] == "bonus_run_not_active"
    await ws.disconnect()
    from rooms.bonus import bonus_run_start

    await database_sync_to_async(bonus_run_start)(user=user)
    ws = await bonus_socket(user)
    await ws.receive_json_from(timeout=5)
    await ws.send_json_to({"type": "taps", "count": 50, "timestamp": int(time.time() * 1000)})
    assert (await ws.receive_json_from(timeout=5))["code"] == "tap_count_invalid"
    codes = []
    for i in range(3):
        await ws.send_json_to(
            {"type": "taps", "count": 20, "timestamp": int(time.time() * 1000) + i}
        )
        codes.append((await ws.receive_json_from(timeout=5)).get("code"))
    assert codes[-1] == "cheater_flagged"
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_game_taps_count_toward_the_bonus(make_user) -> None:
    from rooms.bonus import bonus_run_start
    from rooms.tests.test_consumer import connect, next_of, now_ms, seated_room

    await database_sync_to_async(small_target)(20, 7)
    (a, _b), room = await database_sync_to_async(seated_room)(make_user)
    await database_sync_to_async(bonus_run_start)(user=a)
    ws = await connect(a, room.pk)
    await next_of(ws, "state")
    await ws.send_json_to({"type": "taps", "count": 20, "timestamp": now_ms()})
    await next_of(ws, "ack")
    for _ in range(50):  # the reward is credited right after the ack
        run = await database_sync_to_async(BonusRun.objects.get)(user=a)
        if run.status == "completed":
            break
        await asyncio.sleep(0.05)
    assert run.status == "completed"
    assert await database_sync_to_async(balance_get)(user_id=a.tg_id) == 80 + 7
    await ws.disconnect()


def test_settings_defaults_are_the_spec() -> None:
    fields = {f.name: f.default for f in BonusSettings._meta.fields if f.name != "id"}
    assert fields == {
        "target_taps": 1_000_000,
        "duration_hours": 24,
        "reward_stars": 100,
        "cooldown_hours": 24,
        "min_paid_games": 1,
    }
    assert timezone.now()


@pytest.mark.django_db
def test_one_reward_per_cooldown(auth_client) -> None:
    """SPEC §5: after a completed run the next may start only when the cooldown has passed."""
    bonus_open(cooldown_hours=24)
    client, user = auth_client()
    assert client.post("/api/v1/bonus/start").status_code == 201
    run = BonusRun.objects.get(user=user)
    BonusRun.objects.filter(pk=run.pk).update(
        status="completed", ended_at=timezone.now() - timedelta(hours=23)
    )
    refused = client.post("/api/v1/bonus/start")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "bonus_cooldown"
    assert body["details"]["hours"] == 1
    BonusRun.objects.filter(pk=run.pk).update(ended_at=timezone.now() - timedelta(hours=24))
    assert client.post("/api/v1/bonus/start").status_code == 201
    # A cancelled or expired run does not start a cooldown (no reward was paid).
    BonusRun.objects.filter(user=user, status="active").update(status="cancelled")
    assert client.post("/api/v1/bonus/start").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_fresh_account_cannot_farm_the_bonus(make_user, auth_client) -> None:
    """The default guard: a bonus run needs one paid game played to the end (admin setting)."""
    from rooms.services import room_advance
    from rooms.tests.test_consumer import seated_room

    BonusSettings.objects.update_or_create(pk=1, defaults={"min_paid_games": 1})
    client, fresh = auth_client()
    refused = client.post("/api/v1/bonus/start")
    assert refused.status_code == 403
    assert refused.json()["code"] == "bonus_needs_paid_game"
    assert refused.json()["details"] == {"required": 1, "played": 0}
    assert not BonusRun.objects.filter(user=fresh).exists()
    # A player who played a paid game to the end may.
    (player, _other), room = seated_room(make_user)
    assert room.ends_at is not None
    assert room_advance(room_id=room.pk, now=room.ends_at) == "finished"
    player_client, _ = auth_client(user=player)
    assert player_client.post("/api/v1/bonus/start").status_code == 201
