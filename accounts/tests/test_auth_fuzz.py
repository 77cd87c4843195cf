"""Fuzz the login endpoint and the Authorization header: never a 500, never a stored user."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
query_strings = st.one_of(
    st.text(max_size=300),
    st.dictionaries(
        st.sampled_from(["user", "auth_date", "hash", "signature", "query_id", "start_param", "x"]),
        st.text(max_size=60),
        max_size=6,
    ).map(urlencode),
)


@pytest.fixture(autouse=True)
def _no_throttle():
    with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "100000/min"}):
        yield


@FUZZ
@given(
    body=st.binary(max_size=400),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
        ]
    ),
)
def test_random_bytes_body(body: bytes, content_type: str) -> None:
    response = APIClient().post("/api/v1/auth/telegram", body, content_type=content_type)
    assert response.status_code in (400, 401, 415), response.content
    assert "code" in response.json()
    assert User.objects.count() == 0


@FUZZ
@given(init_data=query_strings)
def test_random_query_strings(init_data: str) -> None:
    response = APIClient().post("/api/v1/auth/telegram", {"init_data": init_data}, format="json")
    assert response.status_code in (400, 401), response.content
    assert "code" in response.json()
    assert User.objects.count() == 0


@FUZZ
@given(header=st.text(max_size=200).filter(lambda s: "\n" not in s and "\r" not in s))
def test_random_authorization_headers(header: str) -> None:
    client = APIClient()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"tma {header}")
    assert response.status_code == 401, response.content
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403), response.content
    assert User.objects.count() == 0
