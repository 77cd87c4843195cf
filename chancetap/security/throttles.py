"""Request rates of the REST API (issue #13): DRF throttles, every rate from the environment.

``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]`` runs two on every API view:

- ``PlayerRateThrottle`` — ``THROTTLE_USER`` (600/min) per signed-in player, keyed on the player id
  whatever address he calls from. Anonymous calls (login, telemetry, the schema) are left to their
  scopes. It is a fairness bound, not a lock: when Redis fails it lets the request through
  (logged, and counted in ``django_cache_get_fail_total``), so the endpoints that work without
  Redis keep working (tests/ops/test_redis_down.py).
- ``ScopedRateThrottle`` — a view's ``throttle_scope`` (``auth``, ``hero_join``, ``telemetry``,
  ``ton_check``), per player when signed in, else per client address. These guard something
  (guessing, an outside API) and fail closed: Redis down is the coded 503 ``service_unavailable``.

Anonymous callers are keyed on ``chancetap.security.limits.client_ip`` (``TRUSTED_PROXY_COUNT``):
the same address the WebSocket limits use, never a header the client writes.

An excess is a 429 with ``Retry-After`` and ``{"code": "throttled", "details": {"retry_after"}}``
(chancetap.core.exceptions); a throttle with a ``code`` answers that code instead (the invoice
throttle's ``rate_limited``, payments.apis). The counters are DRF's: a list of request times per
key in the default cache (Redis in production).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from rest_framework import exceptions, throttling
from rest_framework.request import Request

from chancetap.security.limits import client_ip

logger = logging.getLogger(__name__)


class _ClientAddressMixin:
    def get_ident(self, request: Request) -> str:
        return client_ip(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


class PlayerRateThrottle(_ClientAddressMixin, throttling.UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            logger.warning(
                "player throttle skipped: Redis failed",
                extra={"event": "throttle_unavailable", "error": f"{type(exc).__name__}: {exc}"},
            )
            return True


class ScopedRateThrottle(_ClientAddressMixin, throttling.ScopedRateThrottle):
    pass


class CodedRateThrottle(_ClientAddressMixin, throttling.SimpleRateThrottle):
    """A throttle whose refusal carries its own ``code`` and message (a 429 all the same)."""

    code = "throttled"
    message = "Too many requests."
    duration: int  # seconds, from the rate (SimpleRateThrottle.__init__)

    def allow_request(self, request: Request, view: Any) -> bool:
        if super().allow_request(request, view):
            return True
        wait = self.wait()
        if wait is None:  # more requests on record than the rate now allows (it was lowered)
            wait = self.duration - (self.now - self.history[-1])
        raise exceptions.Throttled(wait=max(1.0, wait), detail=self.message, code=self.code)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
