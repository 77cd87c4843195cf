"""``/metrics``: Prometheus exposition, only with the token or from loopback."""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chancetap.observability import metrics

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _allowed(request: HttpRequest) -> bool:
    if settings.METRICS_TOKEN:
        header = request.headers.get("Authorization", "")
        expected = f"Bearer {settings.METRICS_TOKEN}"
        return hmac.compare_digest(header.encode(), expected.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return JsonResponse(
            {"code": "permission_denied", "message": "Metrics are not public."}, status=403
        )
    # django-prometheus's metrics live in the same registry (or multiprocess files) as ours.
    registry = metrics.metrics_registry()
    # This process's pool as of now (the other processes write theirs every few seconds).
    metrics.db_pool_sample()
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class ApiMetricsMiddleware:
    """Latency histogram and response counter for ``/api/`` requests, labelled by route pattern.

    The route is Django's pattern (``api/v1/payments/<uuid:payment_id>``), never the raw path, so
    the label set stays small; requests that match no route count as ``unmatched``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (getattr(match, "route", "") or "unmatched") if match else "unmatched"
        method = request.method if request.method in _METHODS else "other"
        metrics.api_request_duration.labels(route=route, method=method).observe(elapsed)
        metrics.api_responses_total.labels(
            route=route, method=method, status=str(response.status_code)
        ).inc()
        return response
