"""Referral rules: fixed once at creation, never changed, refusals explained with a code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from leaderboards.models import ReferrerTotal

pytestmark = pytest.mark.django_db
LOGIN = "/api/v1/auth/telegram"


def login(api_client, signed_init_data, tg_id: int, start_param: str = ""):
    response = api_client.post(
        LOGIN, {"init_data": signed_init_data(tg_id=tg_id, start_param=start_param)}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_new_user_from_a_ref_link_gets_the_referrer(api_client, signed_init_data, make_user):
    referrer = make_user()
    login(api_client, signed_init_data, 6100001, f"ref_{referrer.tg_id}")
    assert User.objects.get(tg_id=6100001).referrer_id == referrer.tg_id
    assert ReferrerTotal.objects.get(referrer=referrer).referrals_count == 1


@pytest.mark.parametrize(
    "start_param",
    ["ref_6100002", "ref_999999999999", "ref_abc", "ref_", "ref_-1", "ref_01", "x" * 64, "REF_1"],
)
def test_self_unknown_and_malformed_codes_set_nothing(api_client, signed_init_data, start_param):
    login(api_client, signed_init_data, 6100002, start_param)
    assert User.objects.get(tg_id=6100002).referrer_id is None


def test_blocked_referrer_is_not_applied(api_client, signed_init_data, make_user):
    referrer = make_user(is_blocked=True)
    login(api_client, signed_init_data, 6100003, f"ref_{referrer.tg_id}")
    assert User.objects.get(tg_id=6100003).referrer_id is None


def test_existing_user_opening_a_ref_link_keeps_their_referrer(
    api_client, signed_init_data, make_user
):
    first, second = make_user(), make_user()
    login(api_client, signed_init_data, 6100004, f"ref_{first.tg_id}")
    login(api_client, signed_init_data, 6100004, f"ref_{second.tg_id}")
    login(api_client, signed_init_data, 6100005)
    login(api_client, signed_init_data, 6100005, f"ref_{second.tg_id}")
    assert User.objects.get(tg_id=6100004).referrer_id == first.tg_id
    assert User.objects.get(tg_id=6100005).referrer_id is None


def test_attach_right_after_joining_then_never_again(auth_client, make_user):
    referrer, other = make_user(), make_user()
    client, user = auth_client()
    response = client.post(
        "/api/v1/referrals/attach", {"code": f"ref_{referrer.tg_id}"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["referrer_id"] == referrer.tg_id
    again = client.post("/api/v1/referrals/attach", {"code": f"ref_{other.tg_id}"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "referral_already_set")
    user.refresh_from_db()
    assert user.referrer_id == referrer.tg_id


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ref_abc", 400, "referral_code_invalid"),
        ("", 400, "validation_error"),
        ("ref_999999999", 404, "referral_unknown"),
    ],
)
def test_attach_refusals(auth_client, code, status, error):
    client, user = auth_client()
    response = client.post("/api/v1/referrals/attach", {"code": code}, format="json")
    assert (response.status_code, response.json()["code"]) == (status, error)
    user.refresh_from_db()
    assert user.referrer_id is None


def test_attach_self_and_late_attach(auth_client, make_user):
    client, user = auth_client()
    response = client.post("/api/v1/referrals/attach", {"code": f"ref_{user.tg_id}"}, format="json")
    assert response.json()["code"] == "referral_self"
    User.objects.filter(pk=user.pk).update(created_at=timezone.now() - timedelta(days=1))
    late = client.post(
        "/api/v1/referrals/attach", {"code": f"ref_{make_user().tg_id}"}, format="json"
    )
    assert (late.status_code, late.json()["code"]) == (409, "referral_window_closed")


def test_attach_rejects_non_string_codes(auth_client):
    client, _ = auth_client()
    for bad in (123, None, ["ref_1"], {"a": 1}):
        response = client.post("/api/v1/referrals/attach", {"code": bad}, format="json")
        assert response.status_code == 400


def test_my_referrals(auth_client, api_client, signed_init_data, settings):
    settings.TELEGRAM_BOT_USERNAME = "ChanceTapBot"
    settings.TELEGRAM_APP_NAME = "play"
    client, me = auth_client(language_code="ru")
    for tg_id in (6100010, 6100011, 6100012):
        login(api_client, signed_init_data, tg_id, f"ref_{me.tg_id}")
    body = client.get("/api/v1/referrals?limit=2").json()
    assert body["code"] == f"ref_{me.tg_id}"
    assert body["link"] == f"https://t.me/ChanceTapBot/play?startapp=ref_{me.tg_id}"
    assert body["share_url"].startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2F")
    assert "Chance Tap" in body["share_text"]
    assert body["referrals"]["total"] == 3
    assert len(body["referrals"]["items"]) == 2
    assert body["referrals"]["has_more"] is True
    assert client.get("/api/v1/me").json()["referral"]["referrals_count"] == 3
