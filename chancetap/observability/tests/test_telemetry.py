"""POST /api/v1/telemetry/ws-reconnect: validation, anonymous and signed-in, rate limit."""

from __future__ import annotations

import pytest

from chancetap.observability import metrics

URL = "/api/v1/telemetry/ws-reconnect"
pytestmark = pytest.mark.django_db


def histogram() -> tuple[float, float]:
    count = total = 0.0
    for sample in next(iter(metrics.ws_reconnect_duration.collect())).samples:
        if sample.name.endswith("_count"):
            count = sample.value
        elif sample.name.endswith("_sum"):
            total = sample.value
    return count, total


def test_anonymous_report_is_observed_in_seconds(api_client) -> None:
    count, total = histogram()
    response = api_client.post(URL, {"duration_ms": 5500}, format="json")
    assert response.status_code == 204
    assert response.content == b""
    assert histogram() == (count + 1, pytest.approx(total + 5.5))


def test_signed_in_report(auth_client) -> None:
    client, _ = auth_client()
    assert client.post(URL, {"duration_ms": 0}, format="json").status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"duration_ms": -1},
        {"duration_ms": 600_001},
        {"duration_ms": "100"},
        {"duration_ms": True},
        {"duration_ms": 1.5},
        {"duration_ms": None},
        {"duration_ms": [1]},
        {"duration_ms": 10**30},
    ],
)
def test_bad_bodies_are_400_with_our_error_format(api_client, body) -> None:
    count, _ = histogram()
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert "duration_ms" in response.json()["details"]
    assert histogram()[0] == count


def test_not_json_is_400(api_client) -> None:
    response = api_client.post(URL, "duration_ms=5", content_type="text/plain")
    assert response.status_code in (400, 415)
    assert response.json()["code"]


def test_rate_limited_per_client(api_client) -> None:
    codes = [
        api_client.post(URL, {"duration_ms": 100}, format="json").status_code for _ in range(31)
    ]
    assert codes[:30] == [204] * 30
    assert codes[30] == 429
    throttled = api_client.post(URL, {"duration_ms": 100}, format="json")
    assert throttled.json()["code"] == "throttled"
    assert throttled.json()["details"]["retry_after"] >= 1
