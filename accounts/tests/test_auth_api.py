"""Telegram login, JWT and blocked users through the real HTTP stack (Postgres + Redis)."""

from __future__ import annotations

import json
import threading
import time
from unittest import mock

import jwt
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from accounts.tokens import token_issue
from chancetap.observability import metrics

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/telegram"
ME = "/api/v1/me"


def test_tests_run_on_postgres() -> None:
    assert connection.vendor == "postgresql"


def test_first_login_creates_user_and_returns_jwt(api_client, signed_init_data) -> None:
    user = {
        "id": 555000111,
        "first_name": "Алёна",
        "last_name": "Тапкина 🎯",
        "username": "alena",
        "language_code": "ru",
        "photo_url": "https://t.me/i/userpic/320/alena.jpg",
        "is_premium": True,
    }
    response = api_client.post(LOGIN, {"init_data": signed_init_data(user=user)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] is True
    assert body["user"]["tg_id"] == 555000111
    assert body["user"]["first_name"] == "Алёна"
    assert body["user"]["last_name"] == "Тапкина 🎯"
    claims = jwt.decode(
        body["token"], settings.JWT_SECRET, algorithms=["HS256"], issuer="chancetap"
    )
    assert claims["sub"] == "555000111"
    stored = User.objects.get(tg_id=555000111)
    assert stored.phone == ""
    assert stored.photo_url == user["photo_url"]
    assert stored.is_premium is True
    assert not stored.has_usable_password()

    again = api_client.post(LOGIN, {"init_data": signed_init_data(user=user)}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert User.objects.filter(tg_id=555000111).count() == 1


def test_login_refreshes_profile(api_client, signed_init_data, make_user) -> None:
    user = make_user(first_name="Old", username="old")
    fresh = {"id": user.tg_id, "first_name": "New", "username": "new", "language_code": "ru"}
    response = api_client.post(LOGIN, {"init_data": signed_init_data(user=fresh)}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.username, user.language_code) == ("New", "new", "ru")


def test_jwt_and_tma_header_both_authenticate_me(api_client, signed_init_data) -> None:
    init_data = signed_init_data(tg_id=555000222)
    token = api_client.post(LOGIN, {"init_data": init_data}, format="json").json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(ME).json()["tg_id"] == 555000222

    api_client.credentials(HTTP_AUTHORIZATION=f"tma {init_data}")
    assert api_client.get(ME).json()["tg_id"] == 555000222


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "validation_error"),
        ({"init_data": ""}, 400, "validation_error"),
        ({"init_data": "x" * 9000}, 400, "validation_error"),
        ({"init_data": "user=%7B%7D&auth_date=1"}, 401, "init_data_hash_missing"),
        ({"init_data": "a=1&a=2&hash=00"}, 401, "init_data_duplicate_key"),
        ({"init_data": 12}, 400, "validation_error"),
    ],
)
def test_bad_login_bodies_are_refused_with_a_code(api_client, body, status, code) -> None:
    response = api_client.post(LOGIN, body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert "message" in response.json()
    assert User.objects.count() == 0


def test_wrong_bot_token_expired_and_future_are_401(api_client, signed_init_data) -> None:
    cases = {
        "init_data_hash_invalid": signed_init_data(bot_token="999:another-bot-token"),
        "init_data_expired": signed_init_data(auth_date=int(time.time()) - 86400 - 120),
        "init_data_from_future": signed_init_data(auth_date=int(time.time()) + 3600),
    }
    for code, init_data in cases.items():
        response = api_client.post(LOGIN, {"init_data": init_data}, format="json")
        assert response.status_code == 401, code
        assert response.json()["code"] == code
    assert User.objects.count() == 0


def test_max_age_setting(api_client, signed_init_data, settings) -> None:
    old = signed_init_data(auth_date=int(time.time()) - 7200)
    settings.TELEGRAM_INITDATA_MAX_AGE = 3600
    assert api_client.post(LOGIN, {"init_data": old}, format="json").status_code == 401
    settings.TELEGRAM_INITDATA_MAX_AGE = 0
    assert api_client.post(LOGIN, {"init_data": old}, format="json").status_code == 200


def _token(payload: dict, *, key: str | None = None, alg: str = "HS256") -> str:
    return jwt.encode(payload, key or settings.JWT_SECRET, algorithm=alg)


def _claims(tg_id: int, **over) -> dict:
    now = int(time.time())
    claims = {"sub": str(tg_id), "iat": now, "exp": now + 60, "iss": "chancetap", "typ": "access"}
    claims.update(over)
    return claims


def test_jwt_refusals(api_client, make_user) -> None:
    user = make_user()
    now = int(time.time())
    good = token_issue(tg_id=user.tg_id)
    header, payload, signature = good.split(".")
    forged_payload = jwt.utils.base64url_encode(
        json.dumps(_claims(user.tg_id + 1)).encode()
    ).decode()
    none_header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    cases = {
        "expired": (_token(_claims(user.tg_id, iat=now - 100, exp=now - 10)), "token_expired"),
        "tampered payload": (f"{header}.{forged_payload}.{signature}", "token_invalid"),
        "tampered signature": (f"{header}.{payload}.{signature[:-2]}AA", "token_invalid"),
        "wrong secret": (_token(_claims(user.tg_id), key="x" * 40), "token_invalid"),
        "alg none": (f"{none_header}.{payload}.", "token_invalid"),
        "HS512": (_token(_claims(user.tg_id), alg="HS512"), "token_invalid"),
        "no exp": (
            _token({"sub": str(user.tg_id), "iat": now, "iss": "chancetap"}),
            "token_invalid",
        ),
        "numeric sub": (_token(_claims(user.tg_id, sub=user.tg_id)), "token_invalid"),
        "wrong issuer": (_token(_claims(user.tg_id, iss="other")), "token_invalid"),
        "unknown user": (_token(_claims(999_999_999)), "token_unknown_user"),
        "garbage": ("not-a-jwt", "token_invalid"),
    }
    for name, (token, code) in cases.items():
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = api_client.get(ME)
        assert response.status_code == 401, name
        assert response.json()["code"] == code, name
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {good}")
    assert api_client.get(ME).status_code == 200


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Basic dXNlcjpwYXNz", "auth_scheme_unsupported"),
        ("Bearer", "auth_header_invalid"),
        ("tma ", "auth_header_invalid"),
        ("tma query_id=1&hash=abc", "init_data_hash_invalid"),
    ],
)
def test_bad_authorization_headers(api_client, header, code) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_me_requires_authentication(api_client) -> None:
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_blocked_user_gets_403_everywhere(api_client, signed_init_data, make_user) -> None:
    user = make_user(is_blocked=True)
    init_data = signed_init_data(tg_id=user.tg_id)

    response = api_client.post(LOGIN, {"init_data": init_data}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "user_blocked"

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=user.tg_id)}")
    response = api_client.get(ME)
    assert (response.status_code, response.json()["code"]) == (403, "user_blocked")

    api_client.credentials(HTTP_AUTHORIZATION=f"tma {init_data}")
    response = api_client.get(ME)
    assert (response.status_code, response.json()["code"]) == (403, "user_blocked")


def test_token_stops_working_once_user_is_blocked(auth_client) -> None:
    client, user = auth_client()
    assert client.get(ME).status_code == 200
    services.user_set_blocked(user=user, blocked=True, reason="fraud")
    assert client.get(ME).status_code == 403


def test_transient_db_errors_are_retried(api_client, signed_init_data) -> None:
    real = services._user_upsert
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    with mock.patch.object(services, "_user_upsert", side_effect=flaky):
        response = api_client.post(LOGIN, {"init_data": signed_init_data()}, format="json")
    assert response.status_code == 200
    assert calls["n"] == 3
    assert User.objects.count() == 1


def test_persistent_db_failure_is_a_polite_503_and_counted(api_client, signed_init_data) -> None:
    before = metrics.user_create_failures._value.get()
    with (
        mock.patch.object(services, "_user_upsert", side_effect=OperationalError("db down")) as up,
        mock.patch.object(services.sentry_sdk, "capture_exception") as capture,
    ):
        response = api_client.post(LOGIN, {"init_data": signed_init_data()}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "service_busy"
    assert up.call_count == 1 + services.USER_CREATE_RETRIES
    assert capture.call_count == 1
    assert metrics.user_create_failures._value.get() == before + 1
    assert User.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_logins_create_one_user(signed_init_data) -> None:
    init_data = signed_init_data(tg_id=555000333)
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def login() -> None:
        from django.db import connections

        try:
            client = APIClient()
            barrier.wait()
            response = client.post(LOGIN, {"init_data": init_data}, format="json")
            results.append(response.status_code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=login) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [200, 200, 200, 200]
    assert User.objects.filter(tg_id=555000333).count() == 1


def test_throttled_login_is_429_with_code(api_client, signed_init_data) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "2/min"}):
        codes = [
            api_client.post(LOGIN, {"init_data": signed_init_data()}, format="json")
            for _ in range(3)
        ]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].json()["code"] == "throttled"
    assert codes[2].json()["details"]["retry_after"] >= 1
    assert "Retry-After" in codes[2]


@pytest.mark.django_db
def test_the_player_turns_game_results_off_and_on(auth_client) -> None:
    client, user = auth_client()
    assert client.get(ME).json()["notify_game_results"] is True
    assert client.get(ME).json()["bot_blocked"] is False
    off = client.patch(ME, {"notify_game_results": False}, format="json")
    assert off.status_code == 200
    assert off.json()["notify_game_results"] is False
    user.refresh_from_db()
    assert user.notify_game_results is False
    assert client.patch(ME, {"notify_game_results": True}, format="json").json()[
        "notify_game_results"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"notify_game_results": "no"}, {"notify_game_results": 0}, [], "x"]
)
def test_bad_settings_are_refused_and_change_nothing(auth_client, body) -> None:
    client, user = auth_client()
    response = client.patch(ME, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    user.refresh_from_db()
    assert user.notify_game_results is True


@pytest.mark.django_db
def test_an_empty_patch_changes_nothing(auth_client) -> None:
    client, _ = auth_client()
    response = client.patch(ME, {}, format="json")
    assert response.status_code == 200
    assert response.json()["notify_game_results"] is True
