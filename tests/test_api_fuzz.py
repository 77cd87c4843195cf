"""Fuzz every endpoint in the OpenAPI schema with malformed input: never a 500, no money moved."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.tokens import token_issue
from payments.ledger import Posting, balance_get, ledger_post_in_tx
from payments.models import LedgerEntry, Payment

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
interesting_keys = st.sampled_from(
    ["purpose", "stars", "preset_id", "init_data", "limit", "offset", "amount", "x"]
)
bodies = st.one_of(
    json_values,
    st.dictionaries(interesting_keys, json_values, max_size=4),
)
path_params = st.one_of(
    st.uuids().map(str), st.text(alphabet="abcdef0123456789-", max_size=40), st.just("%00")
)


def schema_operations() -> list[tuple[str, str]]:
    client = APIClient()
    schema = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content)
    return [
        (path, method.upper())
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.fixture(autouse=True)
def _no_throttle():
    with mock.patch.dict(ScopedRateThrottle.THROTTLE_RATES, {"auth": "1000000/min"}):
        yield


def test_schema_lists_the_money_endpoints() -> None:
    operations = schema_operations()
    assert ("/api/v1/payments/invoices", "POST") in operations
    assert ("/api/v1/auth/telegram", "POST") in operations
    assert len(operations) >= 7


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    body=bodies,
    query=st.dictionaries(interesting_keys, st.text(max_size=20), max_size=3),
    key=st.one_of(st.none(), st.text(max_size=140)),
)
def test_every_endpoint_survives_malformed_input(
    make_user, fake_bot_api, data, body, query, key
) -> None:
    user = make_user()
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.TOPUP, 100, f"seed:{user.pk}")])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=user.tg_id)}")
    operations = schema_operations()
    path, method = data.draw(st.sampled_from(operations))
    url = re.sub(r"\{[^}]+\}", lambda _: data.draw(path_params), path)
    headers = {}
    if key is not None and "\n" not in key and "\r" not in key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    response = client.generic(
        method,
        url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
        json.dumps(body),
        content_type="application/json",
        **headers,
    )
    assert response.status_code < 500, (
        method,
        url,
        body,
        response.content,
    )
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        assert "code" in response.json()
    assert balance_get(user_id=user.tg_id) == 100
    assert not Payment.objects.filter(user=user).exclude(status="created").exists()
