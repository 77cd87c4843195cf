"""Issue #12: with Redis refused (port closed) or partitioned (connections open, no byte gets
through), every endpoint of a production-configured server (uvicorn, ``DEBUG`` off, the pool, the
row-level-security role, the webhook on) answers within 2 s — 2xx, a 4xx it would give anyway, or
503 with a code — never 500; and no Star moves for a request that answered 503.

The players' tokens are minted here with the server's secret (logging in needs Redis for its
throttle: its 503 is asserted too). Rooms and payments the calls need are set up here, with Redis
up, through the same services."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from accounts.models import User
from accounts.tokens import token_issue
from chancetap import rls
from payments.ledger import Posting, ledger_mismatches, ledger_post_in_tx
from payments.models import Balance, LedgerEntry, Payment, TonTopup
from rooms.models import BonusRun, RoomTier
from rooms.services import hero_room_create, hero_room_join, room_join_tier
from tests.server import ServerProcess, child_database_url, free_port
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 2.0  # seconds: the issue's bound for every endpoint with Redis down
WEBHOOK_SECRET = "redis-down-hook-secret"
TON_RECEIVER = "0:" + "ab" * 32
REDIS_DOWN = "service_unavailable"


@dataclass
class Call:
    method: str
    path: str
    user: User | None = None  # the caller (Bearer token), and whose Stars the call may move
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # What it must answer with Redis down: exactly this status (and code), or None: any 2xx or
    # 4xx, or 503 with a code.
    expect: int | None = None
    code: str | None = None
    status: int = 0
    answer: Any = None
    took: float = 0.0


def _request(base: str, call: Call) -> None:
    headers = dict(call.headers)
    data = None
    if call.body is not None:
        if isinstance(call.body, bytes):
            data = call.body
        else:
            data = json.dumps(call.body).encode()
            headers.setdefault("Content-Type", "application/json")
    if call.user is not None:
        headers["Authorization"] = f"Bearer {token_issue(tg_id=call.user.tg_id)}"
    request = urllib.request.Request(base + call.path, data=data, method=call.method)
    for name, value in headers.items():
        request.add_header(name, value)
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    try:
        with opener.open(request, timeout=30) as response:
            raw, call.status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        raw, call.status = exc.read(), exc.code
    call.took = time.monotonic() - started
    try:
        call.answer = json.loads(raw) if raw else None
    except ValueError:
        call.answer = raw[:200]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer (the admin's login page)


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                yield "admin/"  # Django's admin and the back office in it: login touches Redis
            else:
                yield from _routes(pattern, route)
        else:
            yield route


def _route(path: str) -> str:
    match = resolve(urllib.parse.urlsplit(path).path)
    return "admin/" if match.route.startswith("admin/") else match.route


def _fund(users: list[User], stars: int) -> None:
    with transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(u.tg_id, LedgerEntry.Kind.ADJUSTMENT, stars, f"redis-down-fund:{u.tg_id}")
                for u in users
            ]
        )


def _money() -> dict[int, tuple[int, int]]:
    """Per user: (ledger entries, balance)."""
    entries: dict[int, int] = {}
    for user_id in LedgerEntry.objects.values_list("user_id", flat=True):
        entries[user_id] = entries.get(user_id, 0) + 1
    balances = dict(Balance.objects.values_list("user_id", "stars"))
    return {
        user_id: (entries.get(user_id, 0), balances.get(user_id, 0))
        for user_id in set(entries) | set(balances)
    }


def _admin_login_call() -> Call:
    """A failed admin login (the lockout counter lives in the cache), with its CSRF token."""
    token = "a" * 32
    form = urllib.parse.urlencode(
        {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token}
    ).encode()
    return Call(
        "POST",
        "/admin/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
        },
        expect=503,
        code=REDIS_DOWN,
    )


def _plan(make_user: Any, signed_init_data: Any) -> tuple[list[Call], dict[int, int]]:
    """Every route with a valid request, and the Stars each 2xx money call may move (per user)."""
    tier, _ = RoomTier.objects.get_or_create(stars=20, defaults={"position": 0})
    reader, joiner, hero_creator, hero_joiner, leaver, organizer, payer = (
        make_user() for _ in range(7)
    )
    bonus_starter, bonus_runner, invoicer, donor, ton_user, canceller, referred = (
        make_user() for _ in range(7)
    )
    players = [make_user() for _ in range(2)]
    _fund([joiner, hero_creator, hero_joiner, leaver, organizer, *players], 100)

    # With Redis up: a gathering tier room to leave, a hero room with two players to start, a
    # bonus run to cancel, a payment to cancel, one to pay through the webhook, a TON top-up.
    seated = room_join_tier(user=leaver, tier_id=tier.pk)
    hero = hero_room_create(organizer=organizer, fee=10)
    for player in players:
        hero_room_join(user=player, key=str(hero.key))
    BonusRun.objects.create(
        user=bonus_runner,
        target_taps=100,
        reward_stars=5,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    to_cancel = Payment.objects.create(user=canceller, purpose="topup", stars=30)
    to_pay = Payment.objects.create(user=payer, purpose="topup", stars=30)
    mine = Payment.objects.create(user=reader, purpose="topup", stars=30)
    topup = TonTopup.objects.create(
        user=reader,
        stars=10,
        amount_nano=10 * settings.TON_NANO_PER_STAR,
        comment="redis-down-1",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    key = iter(range(1000))

    def idem() -> dict[str, str]:
        return {"Idempotency-Key": f"redis-down-{next(key):04d}"}

    update = {
        "update_id": 42,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": payer.tg_id, "type": "private", "first_name": "Payer"},
            "from": {"id": payer.tg_id, "is_bot": False, "first_name": "Payer"},
            "successful_payment": {
                "currency": "XTR",
                "total_amount": 30,
                "invoice_payload": str(to_pay.id),
                "telegram_payment_charge_id": "redis-down-charge",
                "provider_payment_charge_id": "",
            },
        },
    }
    room_id = seated.pk
    calls = [
        # Reads.
        *(
            Call("GET", f"/api/v1/{path}", reader)
            for path in (
                "me",
                "rooms/tiers",
                "rooms/current",
                "rooms/history",
                "payments/ledger",
                "payments/charges",
                "rules",
                "payments/presets",
                "payments/presets/preview?stars=10",
                "payments/pending",
                f"payments/{mine.id}",
                f"payments/ton/topups/{topup.id}",
                "wallets/ton",
                "leaderboards/donations/all-time",
                "leaderboards/donations/week",
                "leaderboards/games/today",
                "referrals",
                "bonus",
                "schema/",
                "docs/",
            )
        ),
        Call("GET", f"/api/v1/rooms/{room_id}", leaver),
        Call("GET", "/healthz", expect=200),
        Call("GET", "/readyz", expect=503, code="not_ready"),
        Call("GET", "/metrics"),
        Call("GET", "/"),
        Call("GET", "/tonconnect-manifest.json"),
        Call("GET", "/dev/login", expect=404),
        Call("GET", "/admin/", expect=302),
        Call("GET", "/admin/backoffice/statistics/", expect=302),
        _admin_login_call(),
        # Logging in: the throttle needs Redis.
        Call(
            "POST",
            "/api/v1/auth/telegram",
            body={"init_data": signed_init_data(tg_id=reader.tg_id)},
            expect=503,
            code=REDIS_DOWN,
        ),
        Call(
            "POST",
            "/api/v1/telemetry/ws-reconnect",
            body={"duration_ms": 100},
            expect=503,
            code=REDIS_DOWN,
        ),
        # Money: refused before anything is charged.
        Call(
            "POST",
            f"/api/v1/rooms/tiers/{tier.pk}/join",
            joiner,
            headers=idem(),
            expect=503,
            code=REDIS_DOWN,
        ),
        Call(
            "POST",
            "/api/v1/rooms/hero",
            hero_creator,
            body={"fee": 10},
            headers=idem(),
            expect=503,
            code=REDIS_DOWN,
        ),
        Call(
            "POST",
            "/api/v1/rooms/hero/join",
            hero_joiner,
            body={"key": hero.key},
            headers=idem(),
            expect=503,
            code=REDIS_DOWN,
        ),
        Call(
            "POST",
            f"/api/v1/rooms/{hero.pk}/start",
            organizer,
            expect=503,
            code=REDIS_DOWN,
        ),
        Call("POST", "/api/v1/bonus/start", bonus_starter, expect=503, code=REDIS_DOWN),
        Call("POST", "/api/v1/bonus/cancel", bonus_runner, expect=503, code=REDIS_DOWN),
        Call(
            "POST",
            "/api/v1/payments/invoices",
            invoicer,
            body={"purpose": "topup", "stars": 50},
            headers=idem(),
            expect=503,
            code=REDIS_DOWN,
        ),
        Call(
            "POST",
            "/api/v1/payments/invoices",
            donor,
            body={"purpose": "donation", "stars": 50},
            headers=idem(),
            expect=503,
            code=REDIS_DOWN,
        ),
        Call(
            "POST",
            f"/api/v1/payments/ton/topups/{topup.id}/check",
            reader,
            expect=503,
            code=REDIS_DOWN,
        ),
        # Money that needs no Redis: works, and what it tells others afterwards may be lost.
        Call("POST", f"/api/v1/rooms/{room_id}/leave", leaver, expect=200),
        Call("POST", f"/api/v1/payments/{to_cancel.id}/cancel", canceller, expect=200),
        Call(
            "POST",
            "/api/v1/payments/ton/topups",
            ton_user,
            body={"stars": 10},
            headers=idem(),
            expect=201,
        ),
        Call(
            "POST",
            "/telegram/webhook",
            body=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
            expect=200,
        ),
        # The rest, with bodies they accept or refuse as usual.
        Call("POST", "/api/v1/payments/dev/topups", reader, body={"stars": 10}, expect=404),
        Call("POST", "/api/v1/wallets/ton/payload", reader),
        Call("POST", "/api/v1/wallets/ton/verify", reader, body={}, expect=400),
        Call("DELETE", "/api/v1/wallets/ton", reader),
        Call("POST", "/api/v1/referrals/attach", referred, body={"code": str(reader.tg_id)}),
    ]
    moved = {leaver.tg_id: 20, payer.tg_id: 30}  # the refund, the credited payment
    return calls, moved


def _run_against(
    server: ServerProcess, make_user: Any, signed_init_data: Any, *, before_calls: Any = None
) -> None:
    calls, moved = _plan(make_user, signed_init_data)
    uncovered = set(_routes()) - {_route(call.path) for call in calls}
    assert not uncovered, f"routes this test does not call: {sorted(uncovered)}"
    if before_calls is not None:
        before_calls()
    money = _money()
    payments = Payment.objects.count()
    for call in calls:
        _request(server.base_url, call)
    failures = []
    for call in calls:
        what = f"{call.method} {call.path} -> {call.status} in {call.took:.2f}s: {call.answer!r}"
        code = call.answer.get("code") if isinstance(call.answer, dict) else None
        if call.took >= DEADLINE:
            failures.append("slow: " + what)
        if call.expect is not None and call.status != call.expect:
            failures.append("status: " + what)
        elif call.code is not None and code != call.code:
            failures.append("code: " + what)
        elif call.status >= 500 and (call.status != 503 or not code):
            failures.append("server error: " + what)
    assert not failures, "\n".join(failures)

    after = _money()
    for call in calls:
        if call.user is None or 200 <= call.status < 300:
            continue
        user_id = call.user.tg_id
        assert after.get(user_id) == money.get(user_id), f"{call.method} {call.path}: Stars moved"
    for user_id, stars in moved.items():
        assert after[user_id][1] == money.get(user_id, (0, 0))[1] + stars
    assert ledger_mismatches() == []
    # The refused invoices left no payment behind; the cancelled one is still one row.
    assert Payment.objects.count() == payments


def _server(redis_url: str) -> ServerProcess:
    return ServerProcess(
        env={
            "REDIS_URL": redis_url,
            "DATABASE_URL": child_database_url(role=rls.APP_DB_ROLE),
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TON_RECEIVER_ADDRESS": TON_RECEIVER,
            "TON_API_BASE": f"http://127.0.0.1:{free_port()}",
            "LOG_LEVEL": "WARNING",
        }
    )


def _db15(url: str, port: int) -> str:
    """``url`` (the tests' Redis) with its port replaced, keeping the database number."""
    return re.sub(r":\d+/", f":{port}/", url, count=1)


def test_every_endpoint_fails_fast_and_charges_nothing_with_redis_refused(
    make_user: Any, signed_init_data: Any, fake_bot_api: Any
) -> None:
    server = _server(_db15(settings.REDIS_URL, free_port()))  # nothing listens there
    try:
        _run_against(server, make_user, signed_init_data)
    finally:
        server.stop()


def test_every_endpoint_fails_fast_and_charges_nothing_with_redis_partitioned(
    make_user: Any, signed_init_data: Any, fake_bot_api: Any
) -> None:
    parsed = urllib.parse.urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(parsed.hostname or "127.0.0.1", parsed.port or 6379)
    server = _server(_db15(settings.REDIS_URL, proxy.port))
    try:
        # Connections made while Redis answered (pooled in the server) hang like new ones.
        status = _warm(server)
        assert status == 200
        _run_against(server, make_user, signed_init_data, before_calls=proxy.freeze)
    finally:
        server.stop()
        proxy.stop()


def _warm(server: ServerProcess) -> int:
    reader = User.objects.create_user(tg_id=990_000_001, first_name="Warm", username="warm")
    call = Call("GET", "/api/v1/leaderboards/games/today", reader)
    _request(server.base_url, call)
    return call.status
