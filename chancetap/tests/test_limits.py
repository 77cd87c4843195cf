"""Limits (issue #12): absurd query strings and nesting, hero-key guessing, admin login lockout,
throttles keyed on the real client address. WebSocket limits: tests/ops/test_ws_limits.py and
the communicator tests at the end."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.hashers import check_password
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from chancetap.security import limits

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/telegram"
MANY = "&".join(f"p{i}=1" for i in range(1500))
ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]
DEEP = "[" * 5000 + "]" * 5000


# --- 6: absurd query strings and nesting -----------------------------------------------------
def test_too_many_query_params_is_400_anonymous(api_client, signed_init_data) -> None:
    response = api_client.post(f"{LOGIN}?{MANY}", {"init_data": signed_init_data()}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "request_too_complex"


def test_too_many_query_params_is_400_authenticated(auth_client) -> None:
    client, _ = auth_client()
    response = client.get(f"/api/v1/rooms/history?{MANY}")
    assert response.status_code == 400
    assert response.json()["code"] == "request_too_complex"


def test_too_many_query_params_outside_the_api_is_400(client) -> None:
    response = client.get(f"/admin/login/?{MANY}")
    assert response.status_code == 400
    assert response.json()["code"] == "request_too_complex"


def test_deep_json_is_400_anonymous(api_client) -> None:
    response = api_client.post(LOGIN, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "request_too_complex"


def test_deep_json_is_400_authenticated(auth_client) -> None:
    client, _ = auth_client()
    for path in ("/api/v1/rooms/hero/join", "/api/v1/telemetry/ws-reconnect"):
        response = client.post(path, DEEP, content_type="application/json")
        assert response.status_code == 400, path
        assert response.json()["code"] == "request_too_complex"


def test_json_depth_check() -> None:
    assert not limits.json_too_deep('{"type":"taps","count":3,"timestamp":1}')
    assert not limits.json_too_deep(json.dumps({"s": "[" * 500}))  # brackets in a string
    assert not limits.json_too_deep(json.dumps([[1]] * 400))  # many brackets, shallow
    assert limits.json_too_deep("[" * 33 + "]" * 33)
    assert limits.json_too_deep(DEEP)


# --- 3: hero keys ----------------------------------------------------------------------------
def test_hero_key_guessing_is_throttled_per_player(auth_client) -> None:
    client, _ = auth_client()
    other, _ = auth_client()
    with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"hero_join": "3/min"}):
        codes = [
            client.post(
                "/api/v1/rooms/hero/join",
                {"key": f"GUESS{i}"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"guess-{i:04d}",
            )
            for i in range(4)
        ]
        others = other.post(
            "/api/v1/rooms/hero/join",
            {"key": "GUESS9"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="other-0001",
        )
    assert [r.json()["code"] for r in codes[:3]] == ["room_key_unknown"] * 3
    assert codes[3].status_code == 429
    assert codes[3].json()["code"] == "throttled"
    assert codes[3].json()["details"]["retry_after"] >= 1
    assert others.json()["code"] == "room_key_unknown"  # per player, not global


# --- 5: throttles keyed on the real client address -------------------------------------------
def test_rotating_x_forwarded_for_does_not_bypass_the_login_throttle(
    api_client, signed_init_data
) -> None:
    with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "3/min"}):
        codes = [
            api_client.post(
                LOGIN,
                {"init_data": signed_init_data()},
                format="json",
                HTTP_X_FORWARDED_FOR=f"10.0.{i}.{i}",
            ).status_code
            for i in range(5)
        ]
    assert codes == [200, 200, 200, 429, 429]


def test_behind_n_proxies_the_proxy_appended_address_counts(settings, signed_init_data) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    with (
        mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "2/min"}),
        mock.patch("rest_framework.settings.api_settings.NUM_PROXIES", 1),
    ):
        codes = [
            APIClient()
            .post(
                LOGIN,
                {"init_data": signed_init_data()},
                format="json",
                # The client's own (rotating) entry first, the proxy's view of it last.
                HTTP_X_FORWARDED_FOR=f"10.9.{i}.1, 203.0.113.7",
            )
            .status_code
            for i in range(3)
        ]
    assert codes == [200, 200, 429]
    assert limits.client_ip("127.0.0.1", "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert limits.client_ip("127.0.0.1", "6.6.6.6, 203.0.113.7") == "127.0.0.1"


# --- 4: admin login lockout ------------------------------------------------------------------
@pytest.fixture
def staff(django_user_model, next_tg_id):
    return django_user_model.objects.create_user(
        tg_id=next_tg_id(), username="boss", password="right-horse-battery", is_staff=True
    )


def _login(client, password: str, username: str = ""):
    # The admin's username is the Telegram id (User.USERNAME_FIELD).
    from accounts.models import User

    username = username or str(User.objects.get(username="boss").tg_id)
    return client.post("/admin/login/", {"username": username, "password": password})


def test_admin_login_locks_out_without_hashing(client, staff, settings, caplog) -> None:
    settings.ADMIN_LOGIN_MAX_FAILURES = 5
    with mock.patch("django.contrib.auth.hashers.check_password", wraps=check_password) as hashed:
        answers = [_login(client, f"wrong-{i}").status_code for i in range(200)]
        right = _login(client, "right-horse-battery")
    assert answers[:5] == [200] * 5  # the form again, with its error
    assert set(answers[5:]) == {429}
    assert right.status_code == 429  # locked: the right password does not get in either
    assert "Retry-After" in right
    assert hashed.call_count <= 5  # only the counted attempts ran the hasher
    assert "admin login locked out" in caplog.text


def test_admin_lockout_ends_and_success_resets(client, staff, settings) -> None:
    from django.core.cache import cache

    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    for i in range(2):
        assert _login(client, f"wrong-{i}").status_code == 200
    assert _login(client, "right-horse-battery").status_code == 302  # success resets the count
    client.logout()
    for i in range(3):
        assert _login(client, f"wrong-{i}").status_code == 200
    assert _login(client, "right-horse-battery").status_code == 429
    cache.clear()  # the lockout's TTL ran out
    assert _login(client, "right-horse-battery").status_code == 302


def test_admin_lockout_is_per_username_and_address(client, staff, settings) -> None:
    settings.ADMIN_LOGIN_MAX_FAILURES = 2
    for i in range(2):
        _login(client, f"wrong-{i}", username="12345")
    assert _login(client, "wrong", username="12345").status_code == 429
    assert _login(client, "right-horse-battery").status_code == 302


# --- WebSocket frames in process (daphne's path: no --ws-max-size in front) --------------------
async def _me_socket(user) -> WebsocketCommunicator:
    from chancetap.asgi import application

    communicator = WebsocketCommunicator(
        application,
        "/ws/me/",
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
        headers=ORIGIN,
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_ws_big_frame_is_refused_with_1009(make_user) -> None:
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)()
    socket = await _me_socket(user)
    await socket.send_to(text_data='{"type":"ping","pad":"' + "x" * 20000 + '"}')
    assert (await socket.receive_json_from())["code"] == "frame_too_large"
    assert (await socket.receive_output())["code"] == 1009
    await socket.wait()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_ws_deep_frame_is_an_error_frame_and_the_socket_lives(make_user) -> None:
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)()
    socket = await _me_socket(user)
    await socket.send_to(text_data="[" * 5000 + "]" * 5000)
    assert (await socket.receive_json_from())["code"] == "frame_too_complex"
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_ws_sockets_per_player_are_capped(make_user, settings) -> None:
    from asgiref.sync import sync_to_async

    settings.WS_MAX_SOCKETS_PER_PLAYER = 2
    user = await sync_to_async(make_user)()
    sockets = [await _me_socket(user), await _me_socket(user)]
    from chancetap.asgi import application

    third = WebsocketCommunicator(
        application,
        "/ws/me/",
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
        headers=ORIGIN,
    )
    await third.connect()
    assert (await third.receive_json_from())["code"] == "too_many_sockets"
    assert (await third.receive_output())["code"] == 4429
    await sockets[0].disconnect()
    fourth = await _me_socket(user)  # a closed socket frees its place
    for socket in (sockets[1], fourth):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_ws_connects_per_window_are_capped(make_user, settings) -> None:
    from asgiref.sync import sync_to_async

    settings.WS_CONNECTS_PER_PLAYER = 3
    user = await sync_to_async(make_user)()
    for _ in range(3):
        await (await _me_socket(user)).disconnect()
    from chancetap.asgi import application

    extra = WebsocketCommunicator(
        application,
        "/ws/me/",
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
        headers=ORIGIN,
    )
    await extra.connect()
    assert (await extra.receive_json_from())["code"] == "connect_rate_limited"
    assert (await extra.receive_output())["code"] == 4429


@pytest.mark.parametrize("username", ["boss", "12ab", "١٢٣", "9" * 40, " ", "-5"])
def test_admin_login_with_a_non_numeric_id_is_a_wrong_login(client, staff, username) -> None:
    response = _login(client, "right-horse-battery", username=username)
    assert response.status_code == 200  # the form again with its error, not a 500
    assert b"errornote" in response.content or b"error" in response.content
