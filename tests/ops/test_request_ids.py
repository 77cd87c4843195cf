"""The request id follows the work: a Celery task published while a request is being handled logs
under that request's id (message header ``request_id``), a task published from nowhere (beat, a
shell) logs under its own task id — checked on a real worker's JSON log lines."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from chancetap.observability.logging import request_id_scope
from payments.tasks import expire_idempotency_records_task
from tests.server import ROOT, celery_worker_start

pytestmark = pytest.mark.django_db(transaction=True)

LOG_NAME = "request-ids-worker"


def succeeded_lines(log: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in log.read_text().splitlines():
        if raw.startswith("{") and "core.expire_idempotency_records" in raw:
            line = json.loads(raw)
            if "succeeded" in line["message"]:
                lines.append(line)
    return lines


def test_a_task_logs_under_the_request_id_that_published_it(tmp_path) -> None:
    worker = celery_worker_start(LOG_NAME, tmp_path / "beat")
    log = ROOT / "var" / f"{LOG_NAME}.log"
    try:
        with request_id_scope("req-from-a-request-0001"):
            from_request = expire_idempotency_records_task.delay()
        from_nowhere = expire_idempotency_records_task.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(succeeded_lines(log)) < 2:
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
    by_task = {
        line["message"].split("[", 1)[1].split("]", 1)[0]: line for line in succeeded_lines(log)
    }
    assert set(by_task) == {from_request.id, from_nowhere.id}, log.read_text()[-3000:]
    assert by_task[from_request.id]["request_id"] == "req-from-a-request-0001"
    assert by_task[from_nowhere.id]["request_id"] == from_nowhere.id
    assert by_task[from_request.id]["logger"] == "celery.app.trace"


def test_a_websocket_connection_logs_under_one_request_id() -> None:
    """The WebSocket application's middleware: the connection's X-Request-ID when sane, else a
    new id, for every log line of the connection (handshake to close)."""
    import asyncio

    from chancetap.observability.logging import WsRequestIdMiddleware, request_id_var

    seen: list[str] = []

    async def consumer(scope, receive, send) -> None:
        seen.append(request_id_var.get())
        await asyncio.sleep(0)  # later in the same connection
        seen.append(request_id_var.get())

    app = WsRequestIdMiddleware(consumer)

    def connect(headers: list[tuple[bytes, bytes]]) -> list[str]:
        seen.clear()
        asyncio.run(app({"type": "websocket", "headers": headers}, None, None))
        return list(seen)

    assert connect([(b"x-request-id", b"ws-req-00000001")]) == ["ws-req-00000001"] * 2
    generated = connect([(b"x-request-id", b"bad id")])
    assert generated[0] == generated[1]
    assert len(generated[0]) == 32
    other = connect([])
    assert len(other[0]) == 32
    assert other[0] != generated[0]
    assert request_id_var.get() == ""  # nothing leaks out of the connection
