"""Request id: taken from a sane ``X-Request-ID`` header or generated, echoed in the response;
Permissions-Policy on every response; 503 instead of 500 when a backing service fails outside
the API."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from chancetap.observability.logging import request_id_from, request_id_scope


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_id_scope(request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from settings (Django's SecurityMiddleware does not send one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class ServiceUnavailableMiddleware:
    """Views outside DRF (admin, the webhook, the app's page): PostgreSQL or Redis unreachable
    answers 503 with a code, as the API's exception handler does, instead of a 500 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from chancetap.core.exceptions import service_unavailable

        unavailable = service_unavailable(exception)
        if unavailable is None:
            return None
        body, headers = unavailable
        return JsonResponse(body, status=503, headers=headers)


class SyncChainMiddleware:
    """Last in ``MIDDLEWARE``: makes the whole chain run synchronously, in one worker thread.

    Under ASGI Django builds the chain from the inside out, starting from an async handler: every
    middleware that can run async does so, and Django's own ``MiddlewareMixin`` middlewares then
    hop to a thread and back for each ``process_request`` / ``process_response``. With nine of
    them below WhiteNoise (a sync-only middleware) a request crossed threads about twenty times.
    This middleware is sync-only and innermost, so every middleware above it runs sync: a request
    enters a thread once for the chain and its sync view runs in that same thread (asgiref's
    thread-sensitive mode). The async views (the Telegram webhook, development payments) still run
    on the event loop: Django's innermost handler awaits them, reached through one async-to-sync
    call. Measured in ``make bench`` (api phase): tiers 128 → 218 requests/s with the shared Redis
    pool (docs/architecture.md); chancetap/core/tests/test_middleware_chain.py counts the hops.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
