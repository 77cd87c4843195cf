"""Outbound HTTP with one policy (httpx): every call to a service we do not run goes through here.

Each call has

- a timeout per phase (connect, read, write, pool) and a **deadline** for the whole call, retries
  included: a server that drips a byte a second or never answers cannot hold a web request or a
  Celery worker longer than ``Policy.deadline`` (plus one phase timeout at worst);
- a size cap on the answer (read as a stream, so a huge body is refused, not buffered);
- **bounded retries with full jitter** (``uniform(0, min(cap, base·2ⁿ))``) for what may pass by
  itself — timeouts, refused or reset connections, 5xx, 429 (a short ``Retry-After`` honoured) —
  and none for what will not (other 4xx, an answer that is not JSON, a body too large);
- a **circuit breaker** per service, per process: after ``breaker_failures`` failed calls in a
  row the service is not called for ``breaker_reset`` seconds (an ``OutboundError`` of kind
  ``circuit_open`` at once, so callers fall back without waiting); then one trial call decides
  whether it closes.

Failures raise ``OutboundError`` with a ``kind``; callers translate it into their own error.
Metrics: ``chancetap_outbound_requests_total{service,outcome}``,
``chancetap_outbound_request_seconds{service}`` and ``chancetap_outbound_circuit_open{service}``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import Counter, Gauge, Histogram

logger = logging.getLogger(__name__)

USER_AGENT = "chancetap/1 (+https://github.com/chancetap)"

requests_total = Counter(
    "chancetap_outbound_requests_total",
    "Calls to outside HTTP services by outcome (ok, circuit_open, timeout, unreachable, status, "
    "not_json, too_large, bad_url); a call's retries count once.",
    ["service", "outcome"],
)
request_seconds = Histogram(
    "chancetap_outbound_request_seconds",
    "Duration of a call to an outside HTTP service, retries included.",
    ["service"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30),
)
circuit_open = Gauge(
    "chancetap_outbound_circuit_open",
    "1 while this process does not call the service (its circuit breaker is open).",
    ["service"],
    multiprocess_mode="livemax",
)


@dataclass(frozen=True)
class Policy:
    """How one outside service is called. Times in seconds."""

    service: str
    timeout: float = 5.0  # each of connect / read / write / pool
    deadline: float = 10.0  # the whole call, retries and back-off included
    attempts: int = 3
    backoff: float = 0.2  # first back-off cap; doubles per retry up to backoff_max
    backoff_max: float = 2.0
    max_bytes: int = 1024 * 1024
    breaker_failures: int = 5
    breaker_reset: float = 30.0


class OutboundError(Exception):
    """A call to an outside service gave no usable answer."""

    RETRYABLE = frozenset({"timeout", "unreachable"})

    def __init__(
        self,
        service: str,
        message: str,
        *,
        kind: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.kind = kind
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        if self.kind == "status":
            return self.status is not None and (self.status >= 500 or self.status == 429)
        return self.kind in self.RETRYABLE


class CircuitBreaker:
    """Closed → open after ``failures`` failed calls in a row → after ``reset`` s one trial call
    (half-open): success closes it, failure opens it again. Thread-safe; one per service and
    process."""

    def __init__(self, service: str, *, failures: int, reset: float) -> None:
        self.service = service
        self.failures_to_open = failures
        self.reset = reset
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial_running or time.monotonic() - self._opened_at < self.reset:
                return False
            self._trial_running = True  # half-open: this call is the trial
            return True

    def success(self) -> None:
        with self._lock:
            was_open = self._opened_at is not None
            self._failures, self._opened_at, self._trial_running = 0, None, False
        if was_open:
            circuit_open.labels(service=self.service).set(0)
            logger.info(
                "outside service answers again",
                extra={"event": "outbound_circuit_closed", "service": self.service},
            )

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            opening = self._trial_running or (
                self._opened_at is None and self._failures >= self.failures_to_open
            )
            if opening:
                self._opened_at, self._trial_running = time.monotonic(), False
        if opening:
            circuit_open.labels(service=self.service).set(1)
            logger.warning(
                "outside service keeps failing: not called for a while",
                extra={
                    "event": "outbound_circuit_open",
                    "service": self.service,
                    "seconds": self.reset,
                },
            )

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()
_client: httpx.Client | None = None
_client_pid = 0
_client_lock = threading.Lock()


def breaker_for(policy: Policy) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(policy.service)
        if breaker is None:
            breaker = _breakers[policy.service] = CircuitBreaker(
                policy.service, failures=policy.breaker_failures, reset=policy.breaker_reset
            )
        return breaker


def breakers_reset() -> None:
    """Close every circuit (an operator's ``manage.py shell`` after fixing a service; tests)."""
    with _breakers_lock:
        services = list(_breakers)
        _breakers.clear()
    for service in services:
        circuit_open.labels(service=service).set(0)


def _http_client() -> httpx.Client:
    """One pooled client per process (re-made after a fork: Celery's prefork workers)."""
    global _client, _client_pid
    with _client_lock:
        if _client is None or _client_pid != os.getpid():
            _client = httpx.Client(
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=5),
                trust_env=False,  # no proxy or netrc from the environment
            )
            _client_pid = os.getpid()
        return _client


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 3600 else None


def _attempt(
    policy: Policy,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    ends_at: float,
) -> Any:
    phase = max(0.05, min(policy.timeout, ends_at - time.monotonic()))
    service = policy.service
    try:
        with _http_client().stream(
            "GET", url, params=params, headers=headers, timeout=httpx.Timeout(phase)
        ) as response:
            if response.status_code != 200:
                raise OutboundError(
                    service,
                    kind="status",
                    message=f"HTTP {response.status_code}",
                    status=response.status_code,
                    retry_after=_retry_after(response),
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes:
                raise OutboundError(service, kind="too_large", message=f"{declared} bytes declared")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > policy.max_bytes:
                    raise OutboundError(
                        service, kind="too_large", message="answer over the size cap"
                    )
                if time.monotonic() > ends_at:
                    raise OutboundError(
                        service, kind="timeout", message="answer still arriving at the deadline"
                    )
    except httpx.TimeoutException as exc:
        raise OutboundError(service, kind="timeout", message=f"no answer in {phase:.1f} s") from exc
    except httpx.TransportError as exc:  # refused, reset, DNS, protocol errors
        raise OutboundError(
            service, kind="unreachable", message=str(exc) or type(exc).__name__
        ) from exc
    try:
        return json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise OutboundError(service, kind="not_json", message="the answer is not JSON") from exc


def get_json(
    policy: Policy,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """GET ``url`` and return its JSON document, or raise ``OutboundError``."""
    service = policy.service
    if not url.startswith(("http://", "https://")):
        requests_total.labels(service=service, outcome="bad_url").inc()
        raise OutboundError(service, kind="bad_url", message="the URL must be http(s)")
    breaker = breaker_for(policy)
    if not breaker.allow():
        requests_total.labels(service=service, outcome="circuit_open").inc()
        raise OutboundError(service, kind="circuit_open", message="not called: it kept failing")
    started = time.monotonic()
    ends_at = started + policy.deadline
    try:
        attempt = 1
        while True:
            try:
                document = _attempt(policy, url, params=params, headers=headers, ends_at=ends_at)
            except OutboundError as error:
                if attempt >= policy.attempts or not _back_off(policy, error, attempt, ends_at):
                    breaker.failure()
                    requests_total.labels(service=service, outcome=error.kind).inc()
                    raise
                attempt += 1
                continue
            breaker.success()
            requests_total.labels(service=service, outcome="ok").inc()
            return document
    finally:
        request_seconds.labels(service=service).observe(time.monotonic() - started)


def _back_off(policy: Policy, error: OutboundError, attempt: int, ends_at: float) -> bool:
    """Sleep before the next attempt; False when the error is final or no time is left."""
    if not error.retryable:
        return False
    cap = min(policy.backoff_max, policy.backoff * 2 ** (attempt - 1))
    pause = random.uniform(0, cap)  # jitter, not a secret
    if error.retry_after is not None:
        pause = max(pause, error.retry_after)
    if time.monotonic() + pause >= ends_at:
        return False
    time.sleep(pause)
    return True
