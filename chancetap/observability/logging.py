"""JSON-lines logging with the request id of the current request (SPEC §9).

Every line is scrubbed (``chancetap.observability.scrub``): a token, initData or Authorization
header in a message, an extra or a traceback is written as ``[scrubbed]``. uvicorn's loggers write
through the same handler (``LOGGING`` in settings), so its access log shows
``/ws/me/?token=[scrubbed]``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Any

from chancetap.observability.scrub import scrub

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "request_id"}


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


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and any extras;
    credentials scrubbed from the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            payload["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        # Scrubbing the serialized line covers the message, every extra and the traceback; the
        # patterns never consume a quote or a backslash, so the line stays valid JSON.
        return scrub(json.dumps(payload, default=str, ensure_ascii=False))
