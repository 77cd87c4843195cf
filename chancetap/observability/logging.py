"""JSON-lines logging with the request id of the current request, task or bot update (SPEC §9).

Lines are written by python-json-logger (:class:`JsonFormatter` only names the fields and scrubs).
Every line is scrubbed (``chancetap.observability.scrub``): a token, initData or Authorization
header in a message, an extra or a traceback is written as ``[scrubbed]``. uvicorn's loggers write
through the same handler (``LOGGING`` in settings), so its access log shows
``/ws/me/?token=[scrubbed]``.

The request id: an HTTP request's comes from ``RequestIdMiddleware``; a Celery task published
while one is current carries it in a message header and logs under it (a task published from
nowhere — beat — logs under its task id); a bot update received by polling gets one of its own
(``botapp.bot``), one received through the webhook keeps the webhook request's.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

from chancetap.observability.scrub import scrub

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# The Celery message header that carries the publisher's request id to the task.
REQUEST_ID_HEADER = "request_id"


_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from(incoming: str) -> str:
    """The caller's ``X-Request-ID`` when it is sane (8-64 of ``A-Za-z0-9._-``), else a new one."""
    return incoming if _VALID_ID.match(incoming) else request_id_new()


@contextmanager
def request_id_scope(request_id: str) -> Iterator[str]:
    """Log under ``request_id`` for the duration of the block."""
    token = request_id_var.set(request_id)
    try:
        yield request_id
    finally:
        request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


# Periodic housekeeping (chancetap/celery.py beat_schedule) that runs every few seconds: its
# "sending / received / succeeded" lines are logged at DEBUG unless the run did something.
HOUSEKEEPING_TASKS = ("rooms.sweep", "rooms.sweep_bonus_runs", "payments.ton_poll")
_CELERY_CHATTER = ("celery.app.trace", "celery.worker.strategy", "celery.beat")
_IDLE_RESULTS = (": 0", ": None", ": []", ": {}")


class HousekeepingFilter(logging.Filter):
    """Demote Celery's INFO lines about idle housekeeping runs to DEBUG (dropped below DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not record.name.startswith(_CELERY_CHATTER):
            return True
        message = record.getMessage()
        if not any(f"{name}[" in message or f"({name})" in message for name in HOUSEKEEPING_TASKS):
            return True
        if record.name == "celery.app.trace" and not message.rstrip().endswith(_IDLE_RESULTS):
            return True  # it did something: keep the line
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


class JsonFormatter(LibraryJsonFormatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``message``, ``request_id`` (when
    there is one), any extras, ``exc_info``; OpenTelemetry's trace ids inside a span. Credentials
    are scrubbed from the whole line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("json_default", str)
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["ts"] = dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
            timespec="milliseconds"
        )
        super().add_fields(log_data, record, message_dict)
        log_data["level"] = record.levelname.lower()
        if not log_data.get("request_id"):
            log_data.pop("request_id", None)
        if log_data.get("otelTraceID", "0") == "0":  # not inside a span (or tracing is off)
            for key in _OTEL_FIELDS:
                log_data.pop(key, None)

    def jsonify_log_record(self, log_data: dict[str, Any]) -> str:
        # Scrubbing the serialized line covers the message, every extra and the traceback; the
        # patterns never consume a quote or a backslash, so the line stays valid JSON.
        return scrub(super().jsonify_log_record(log_data))


# What OpenTelemetry's logging instrumentation puts on every record (tracing.py turns it on).
_OTEL_FIELDS = ("otelTraceID", "otelSpanID", "otelTraceSampled", "otelServiceName")


class WsRequestIdMiddleware:
    """ASGI middleware for the WebSocket application: a connection logs under one request id
    (its ``X-Request-ID`` header's when sane) from the handshake to the close, in the consumer and
    in the database calls it makes. Uvicorn runs each connection in a task of its own, so the id
    stays with that connection."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        incoming = ""
        for name, value in scope.get("headers") or ():
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        with request_id_scope(request_id_from(incoming)):
            return await self.app(scope, receive, send)


# --- Celery: the publisher's request id travels with the task -------------------------------
def _task_published(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


_task_tokens: dict[str, contextvars.Token[str]] = {}


def _task_started(task_id: str = "", task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_HEADER, None) or task_id
    _task_tokens[task_id] = request_id_var.set(str(request_id))


def _task_finished(task_id: str = "", **_: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


def celery_request_ids_connect() -> None:
    """Carry the request id from publisher to task (message header ``request_id``)."""
    from celery import signals

    signals.before_task_publish.connect(
        _task_published, weak=False, dispatch_uid="chancetap-request-id-publish"
    )
    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="chancetap-request-id-pre")
    signals.task_postrun.connect(
        _task_finished, weak=False, dispatch_uid="chancetap-request-id-post"
    )
