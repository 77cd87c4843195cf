"""Schemathesis against the live schema: generated valid and invalid requests for every operation.

What it adds to tests/test_api_fuzz.py (which keeps the money invariants: malformed input moves no
Star): every response must match the status codes, content types and body schemas the schema
declares, and input the schema rules out must be refused. It found, when it came in: ``init_data``
and every other non-blank string declared without ``minLength``, and ``PATCH /me`` refusing the
empty body its (partial) schema allows.

Left out on purpose: ``positive_data_acceptance`` (schema-valid requests that break a business
rule — a preset on a top-up, an unknown referral code, a fee above the maximum — are refused with
a 4xx code by design).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import token_issue

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())

# Backing services a test run does not configure answer 503 with a code (TON without a receiver
# address): a declared, coded refusal, not a crash.
CODED_UNAVAILABLE = {502, 503}


def no_crash(response: Any) -> None:
    """No 500, and any other 5xx is a coded JSON refusal (``{"code", "message"}``)."""
    status = response.status_code
    if status < 500:
        return
    assert status in CODED_UNAVAILABLE, f"{status}: {response.text[:300]}"
    body = response.json()
    assert isinstance(body, dict), response.text[:300]
    assert body.get("code"), response.text[:300]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Schemathesis calls the WSGI app directly: like Django's test client, keep the handler from
    closing the test transaction's connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, make_user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_issue(tg_id=make_user().tg_id)}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, bearer, db) -> None:
    headers = dict(bearer)
    if case.headers and "Idempotency-Key" in case.headers:
        headers["Idempotency-Key"] = uuid.uuid4().hex  # each generated request is a new intent
    response = case.call(headers=headers)
    no_crash(response)
    case.validate_response(
        response,
        checks=[
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )
