"""The outbound HTTP policy against a fake service on 127.0.0.1 that misbehaves on demand."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from chancetap.outbound.http import OutboundError, Policy, breaker_for, get_json
from tests.outside import FlakyService

FAST = Policy(
    service="test_service",
    timeout=0.5,
    deadline=2.0,
    attempts=3,
    backoff=0.05,
    backoff_max=0.2,
    max_bytes=64 * 1024,
    breaker_failures=3,
    breaker_reset=1.0,
)


@pytest.fixture
def service() -> Iterator[FlakyService]:
    fake = FlakyService({"price": "2.5"})
    yield fake
    fake.stop()


def failure(policy: Policy, url: str) -> OutboundError:
    with pytest.raises(OutboundError) as caught:
        get_json(policy, url)
    return caught.value


def counted(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "chancetap_outbound_requests_total", {"service": FAST.service, "outcome": outcome}
    )
    return value or 0.0


def test_an_answer_is_its_json(service: FlakyService) -> None:
    before = counted("ok")
    assert get_json(FAST, service.url, params={"symbol": "TON"}) == {"price": "2.5"}
    assert service.requests[0][2] == "/price?symbol=TON"
    assert counted("ok") == before + 1


@pytest.mark.parametrize("mode", ["5xx", "429", "slow", "reset"])
def test_a_passing_failure_is_retried(service: FlakyService, mode: str) -> None:
    service.script = [mode, mode]
    assert get_json(FAST, service.url) == {"price": "2.5"}
    assert [request[1] for request in service.requests] == [mode, mode, "ok"]


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("5xx", "status"), ("429", "status"), ("slow", "timeout"), ("reset", "unreachable")],
)
def test_retries_are_bounded(service: FlakyService, mode: str, kind: str) -> None:
    service.default = mode
    started = time.monotonic()
    assert failure(FAST, service.url).kind == kind
    assert service.calls <= FAST.attempts
    assert time.monotonic() - started < FAST.deadline + FAST.timeout


@pytest.mark.parametrize(("mode", "kind"), [("garbage", "not_json"), ("huge", "too_large")])
def test_an_answer_that_will_not_improve_is_not_retried(
    service: FlakyService, mode: str, kind: str
) -> None:
    service.default = mode
    before = counted(kind)
    assert failure(FAST, service.url).kind == kind
    assert service.calls == 1
    assert counted(kind) == before + 1


def test_a_client_error_is_not_retried(service: FlakyService) -> None:
    service.default = "404"
    error = failure(FAST, service.url)
    assert (error.kind, error.status) == ("status", 404)
    assert service.calls == 1


def test_a_dripping_answer_stops_at_the_deadline(service: FlakyService) -> None:
    """A byte every 0.3 s never trips the read timeout (0.5 s); the deadline ends it."""
    service.default = "drip"
    service.delay = 0.3
    started = time.monotonic()
    assert failure(FAST, service.url).kind == "timeout"
    assert time.monotonic() - started < FAST.deadline + FAST.timeout


def test_retry_after_is_honoured_within_the_deadline(service: FlakyService) -> None:
    service.script = ["429"]
    service.retry_after = "0.4"
    assert get_json(FAST, service.url) == {"price": "2.5"}
    first, second = service.requests[0][0], service.requests[1][0]
    assert second - first >= 0.4
    service.requests.clear()
    service.script = ["429"]
    service.retry_after = "30"  # beyond the deadline: give up now rather than sleep past it
    started = time.monotonic()
    assert failure(FAST, service.url).status == 429
    assert time.monotonic() - started < 0.5
    assert service.calls == 1


def test_the_breaker_opens_after_failed_calls_and_a_trial_closes_it(service: FlakyService) -> None:
    service.default = "5xx"
    for _ in range(FAST.breaker_failures):
        assert failure(FAST, service.url).kind == "status"
    calls = service.calls
    before = counted("circuit_open")
    started = time.monotonic()
    assert failure(FAST, service.url).kind == "circuit_open"
    assert time.monotonic() - started < 0.05  # no call, no wait
    assert service.calls == calls
    assert counted("circuit_open") == before + 1
    gauge = {"service": FAST.service}
    assert REGISTRY.get_sample_value("chancetap_outbound_circuit_open", gauge) == 1

    time.sleep(FAST.breaker_reset)
    service.default = "garbage"  # the trial call fails: open again at once
    assert failure(FAST, service.url).kind == "not_json"
    assert failure(FAST, service.url).kind == "circuit_open"

    time.sleep(FAST.breaker_reset)
    service.default = "ok"
    assert get_json(FAST, service.url) == {"price": "2.5"}
    assert not breaker_for(FAST).is_open
    assert REGISTRY.get_sample_value("chancetap_outbound_circuit_open", gauge) == 0


def test_a_success_resets_the_count_of_failures(service: FlakyService) -> None:
    service.default = "garbage"
    for _ in range(FAST.breaker_failures - 1):
        failure(FAST, service.url)
    service.default = "ok"
    get_json(FAST, service.url)
    service.default = "garbage"
    for _ in range(FAST.breaker_failures - 1):
        assert failure(FAST, service.url).kind == "not_json"


def test_only_http_urls_are_called() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "", "127.0.0.1:80/"):
        assert failure(FAST, url).kind == "bad_url"


def test_nothing_listening_is_unreachable() -> None:
    fake = FlakyService()
    url = fake.url
    fake.stop()  # the port is closed now: connections are refused
    started = time.monotonic()
    assert failure(FAST, url).kind == "unreachable"
    assert time.monotonic() - started < FAST.deadline
