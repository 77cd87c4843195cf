"""Request rates (chancetap/security/throttles.py): the per-player `user` rate on every signed-in
request, the scopes (login, hero keys, telemetry, TON checks), the 429 they answer, and what a
Redis failure does to each."""

from __future__ import annotations

import socket
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from chancetap.runtime.redis_client import redis_mark_up

pytestmark = pytest.mark.django_db

RATES = SimpleRateThrottle.THROTTLE_RATES  # the settings' dict, which every throttle reads


def test_every_signed_in_request_counts_against_the_players_rate(auth_client) -> None:
    client, _ = auth_client()
    other, _ = auth_client()
    paths = ["/api/v1/me", "/api/v1/payments/ledger", "/api/v1/rooms/history", "/api/v1/bonus"]
    with mock.patch.dict(RATES, {"user": "4/min"}):
        # One player, several endpoints and addresses: the player id is the key.
        codes = [
            client.get(path, HTTP_X_FORWARDED_FOR=f"10.1.0.{i}", REMOTE_ADDR=f"10.2.0.{i}")
            for i, path in enumerate(paths)
        ]
        refused = client.get("/api/v1/rooms/tiers", REMOTE_ADDR="10.3.0.1")
        others = other.get("/api/v1/me")
    assert [r.status_code for r in codes] == [200] * 4
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled"
    assert 1 <= body["details"]["retry_after"] <= 60
    assert refused["Retry-After"] == str(body["details"]["retry_after"])
    assert others.status_code == 200  # per player, not global


def test_anonymous_calls_are_left_to_their_scope(api_client, signed_init_data) -> None:
    with mock.patch.dict(RATES, {"user": "1/min", "auth": "3/min"}):
        codes = [
            api_client.post(
                "/api/v1/auth/telegram", {"init_data": signed_init_data()}, format="json"
            ).status_code
            for _ in range(4)
        ]
    assert codes == [200, 200, 200, 429]


def test_a_scope_and_the_players_rate_both_apply(auth_client) -> None:
    client, _ = auth_client()
    with mock.patch.dict(RATES, {"user": "2/min", "hero_join": "100/min"}):
        codes = [
            client.post(
                "/api/v1/rooms/hero/join",
                {"key": f"GUESS{i}"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"both-{i:04d}",
            )
            for i in range(3)
        ]
    assert [r.status_code for r in codes] == [404, 404, 429]


def test_ton_checks_are_throttled_per_player(auth_client, settings) -> None:
    settings.TON_RECEIVER_ADDRESS = "0:" + "ab" * 32
    client, me = auth_client()
    other, them = auth_client()

    def topup(c) -> str:
        made = c.post(
            "/api/v1/payments/ton/topups",
            {"stars": 5},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"throttle-ton-{id(c)}",
        )
        assert made.status_code == 201, made.content
        return made.json()["id"]

    mine, theirs = topup(client), topup(other)
    for user in (me, them):  # a check just asked the TON API: these answer the order as it is
        cache.set(f"ton-check:{user.tg_id}", 1, timeout=60)
    with mock.patch.dict(RATES, {"ton_check": "2/min"}):
        codes = [
            client.post(f"/api/v1/payments/ton/topups/{mine}/check").status_code,
            client.get(f"/api/v1/payments/ton/topups/{mine}").status_code,  # the same budget
            client.post(f"/api/v1/payments/ton/topups/{mine}/check").status_code,
            other.post(f"/api/v1/payments/ton/topups/{theirs}/check").status_code,
        ]
    assert codes == [200, 200, 429, 200]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cache_redis_down(settings):
    """The cache (where the throttles count) on a Redis that refuses connections."""
    redis_cache = dict(settings.CACHES["default"])
    assert redis_cache["BACKEND"].endswith("RedisCache"), "the tests run the Redis cache"
    redis_cache["LOCATION"] = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        with override_settings(CACHES={"default": redis_cache}):
            yield
    finally:
        redis_mark_up()


def test_redis_down_the_players_rate_lets_requests_through(auth_client, cache_redis_down) -> None:
    client, _ = auth_client()
    ledger = client.get("/api/v1/payments/ledger")  # needs no Redis itself
    assert ledger.status_code == 200, ledger.content


def test_redis_down_a_scoped_throttle_is_a_coded_503(api_client, cache_redis_down) -> None:
    response = api_client.post("/api/v1/telemetry/ws-reconnect", {"duration_ms": 5}, format="json")
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "1"
