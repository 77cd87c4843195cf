"""Every API error is ``{"code", "message", "details"?}`` (SPEC §8)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from chancetap.core.errors import ApplicationError
from chancetap.observability import metrics

logger = logging.getLogger(__name__)

_DEFAULT_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    429: "throttled",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    unavailable = service_unavailable(exc)
    if unavailable is not None:
        body, headers = unavailable
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response(_too_many_fields_body(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        # Unexpected: log it and answer in our format (never Django's HTML 500 page).
        logger.exception("unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side. Please try again."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body("validation_error", "The request is not valid.", exc.detail),
            status=response.status_code,
            headers=_copy_headers(response),
        )
    detail = exc.detail
    if isinstance(detail, dict) and "code" in detail and "message" in detail:
        body = error_body(str(detail["code"]), str(detail["message"]), detail.get("details"))
    else:
        code = getattr(detail, "code", None) or _DEFAULT_CODES.get(response.status_code, "error")
        if code in ("invalid", "error"):
            code = _DEFAULT_CODES.get(response.status_code, "error")
        details = None
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            details = {"retry_after": max(1, int(wait))}
        body = error_body(str(code), str(detail), details)
    return Response(body, status=response.status_code, headers=_copy_headers(response))


def service_unavailable(exc: BaseException) -> tuple[dict[str, Any], dict[str, str]] | None:
    """503 body and headers for a backing service that failed, or None for any other error.

    - the pool had no connection in time, or a statement ran past ``statement_timeout``:
      ``service_busy``;
    - PostgreSQL unreachable: ``database_unavailable``;
    - Redis refused, hung or marked down (chancetap.runtime.redis_client), or the Celery broker
      refused a publish: ``service_unavailable``.

    Each means "try again shortly", not a 500: a database error rolled its transaction back, and
    the services touch Redis before they commit money (or tolerate its failure after).
    """
    import redis
    from kombu.exceptions import OperationalError as BrokerOperationalError

    if isinstance(exc, DatabaseOperationalError):
        from psycopg.errors import QueryCanceled
        from psycopg_pool import PoolTimeout

        cause = exc.__cause__
        busy = isinstance(cause, PoolTimeout | QueryCanceled) or isinstance(exc, PoolTimeout)
        code = "service_busy" if busy else "database_unavailable"
        message = (
            "The service is busy. Please try again in a moment."
            if busy
            else "The service is temporarily unavailable. Please try again in a moment."
        )
    elif isinstance(exc, redis.ConnectionError | redis.TimeoutError | BrokerOperationalError):
        code = "service_unavailable"
        message = "The service is temporarily unavailable. Please try again in a moment."
    else:
        return None
    logger.warning(
        "backing service unavailable for a request",
        extra={"code": code, "error": f"{exc.__class__.__name__}: {exc}"[:300]},
    )
    return error_body(code, message), {"Retry-After": "1"}


def _copy_headers(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}


def json_error_view(status_code: int, code: str, message: str) -> Any:
    def view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
        return JsonResponse(error_body(code, message), status=status_code)

    return view


def _too_many_fields_body() -> dict[str, Any]:
    """More query/form fields than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``: refused before parsing."""
    metrics.limits_refused.labels(limit="query_fields").inc()
    return error_body("request_too_complex", "The request has too many parameters.")


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return JsonResponse(_too_many_fields_body(), status=400)
    return JsonResponse(error_body("bad_request", "The request is not valid."), status=400)


handler403 = json_error_view(403, "permission_denied", "You may not do this.")
handler404 = json_error_view(404, "not_found", "Nothing here.")


def handler500(request: HttpRequest) -> JsonResponse:
    # An error raised by a middleware (outside the views, which ServiceUnavailableMiddleware
    # covers) reaches here while it is being handled: a backing service down is still a 503.
    unavailable = service_unavailable(exc) if (exc := sys.exc_info()[1]) is not None else None
    if unavailable is not None:
        body, headers = unavailable
        return JsonResponse(body, status=503, headers=headers)
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side. Please try again."),
        status=500,
    )
