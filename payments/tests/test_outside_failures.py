"""The rate source and the TON API on a bad day (issue #17): slow, dripping, 5xx, 429, garbage,
huge and dropped answers never give a player a 500, never hold a request past the policy's
deadline, and change nothing; a source that keeps failing is left alone while its circuit is open.

The fake (``tests.outside.FlakyService``) runs on 127.0.0.1; the production policies
(``RATE_SOURCE``, ``TON_API``) run unchanged.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from payments.models import Payment, RateSettings, RateSnapshot, TonPollCursor
from payments.rates import RATE_SOURCE
from payments.services import star_payment_apply
from payments.tasks import ton_poll_task
from payments.ton_topups import TON_API
from tests.outside import FlakyService

pytestmark = pytest.mark.django_db
RECEIVER = "UQCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq5jh"
PRESETS = "/api/v1/payments/presets"
BAD_MODES = ["slow", "drip", "5xx", "429", "garbage", "huge", "reset"]


@pytest.fixture
def rate_source() -> Iterator[FlakyService]:
    fake = FlakyService({"data": [{"symbol": "TON", "price": "4"}]})
    row, _ = RateSettings.objects.get_or_create(pk=1)
    row.source = RateSettings.Source.HTTP
    row.http_url = fake.url
    row.http_json_path = "data.0.price"
    row.http_usd_per_star = None
    row.save()
    RateSnapshot.objects.create(rate=Decimal("2.5"), source="earlier fetch")
    yield fake
    fake.stop()


def misbehave(fake: FlakyService, mode: str, policy_timeout: float) -> None:
    fake.default = mode
    # slow: past the phase timeout; drip: a byte well inside it, so only the deadline ends it
    fake.delay = policy_timeout + 1 if mode == "slow" else policy_timeout / 3
    fake.huge_bytes = 5 * 1024 * 1024  # over both policies' caps


@pytest.mark.parametrize("mode", BAD_MODES)
def test_the_donate_sheet_keeps_the_stored_rate(auth_client, rate_source, mode: str) -> None:
    client, _ = auth_client()
    misbehave(rate_source, mode, RATE_SOURCE.timeout)
    started = time.monotonic()
    response = client.get(PRESETS)
    took = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert Decimal(response.json()["rate"]) == Decimal("2.5")
    assert took < RATE_SOURCE.deadline + RATE_SOURCE.timeout
    assert 1 <= rate_source.calls <= RATE_SOURCE.attempts
    assert RateSnapshot.objects.count() == 1  # nothing stored from a bad answer


def test_a_failing_rate_source_is_left_alone_while_its_circuit_is_open(
    auth_client, rate_source
) -> None:
    client, _ = auth_client()
    rate_source.default = "5xx"
    for _ in range(RATE_SOURCE.breaker_failures):
        assert client.get(PRESETS).status_code == 200
    calls = rate_source.calls
    started = time.monotonic()
    for _ in range(5):
        response = client.get(PRESETS)
        assert response.status_code == 200
        assert Decimal(response.json()["rate"]) == Decimal("2.5")
    assert rate_source.calls == calls  # not called at all
    assert time.monotonic() - started < 1


def test_a_donation_never_waits_on_the_rate_source(make_user, rate_source) -> None:
    """The charge is applied with the invoice's row locked: no network call in there."""
    misbehave(rate_source, "slow", RATE_SOURCE.timeout)
    payment = Payment.objects.create(user=make_user(), purpose="donation", stars=10)
    started = time.monotonic()
    result = star_payment_apply(
        from_user_id=payment.user_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=10,
        telegram_payment_charge_id="stxA" + secrets.token_hex(40),
        provider_payment_charge_id="",
    )
    assert time.monotonic() - started < 1
    assert rate_source.calls == 0
    assert (result.charge.rate, result.charge.tons) == (Decimal("2.5"), Decimal(25))


@pytest.fixture
def ton_api(settings) -> Iterator[FlakyService]:
    fake = FlakyService({"ok": True, "result": []})
    settings.TON_API_BASE = fake.base
    settings.TON_RECEIVER_ADDRESS = RECEIVER
    settings.TON_API_KEY = "ton-key"
    settings.TON_NANO_PER_STAR = 5_000_000
    yield fake
    fake.stop()


def ton_order(client) -> dict:
    response = client.post(
        "/api/v1/payments/ton/topups",
        {"stars": 40},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"ton-order-{secrets.token_hex(6)}",
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("mode", [*BAD_MODES, "404"])
def test_a_bad_ton_api_is_a_502_and_changes_nothing(auth_client, ton_api, mode: str) -> None:
    client, _ = auth_client()
    topup = ton_order(client)
    misbehave(ton_api, mode, TON_API.timeout)
    started = time.monotonic()
    response = client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check")
    assert time.monotonic() - started < TON_API.deadline + TON_API.timeout
    assert (response.status_code, response.json()["code"]) == (502, "ton_api_unavailable")
    assert 1 <= ton_api.calls <= TON_API.attempts
    if mode not in ("slow", "drip"):  # (the same call, another deadline's wait)
        assert ton_poll_task.apply().get() == 0  # the worker's poll: logged, not raised
    assert not TonPollCursor.objects.filter(pk=RECEIVER, lt__gt=0).exists()

    ton_api.default = "ok"
    ton_api.script.clear()
    response = client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "created"  # no transfer yet: still waiting for one
