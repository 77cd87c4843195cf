"""Credentials never reach a log line, a Sentry event or a span: ``chancetap.observability.scrub``
and where it is applied (the JSON log formatter, uvicorn's loggers, Sentry's before_send; the
OpenTelemetry request hook is checked in test_tracing)."""

from __future__ import annotations

import json
import logging
import sys
import urllib.request
from typing import TYPE_CHECKING, Any, cast

import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from chancetap.observability.logging import JsonFormatter
from chancetap.observability.scrub import SCRUBBED, scrub, sentry_before_send
from tests.server import ServerProcess

if TYPE_CHECKING:
    from sentry_sdk.types import Event

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ0Z19pZCI6MX0.c2VjcmV0LXNpZw"
INIT_DATA = "query_id%3DAAH%26user%3D%257B%2522id%2522%253A1%257D%26auth_date%3D1%26hash%3Dfeedface"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/ws/me/?token={JWT}&x=1", f"/ws/me/?token={SCRUBBED}&x=1"),
        (f"/a?x=1&access_token={JWT}", f"/a?x=1&access_token={SCRUBBED}"),
        (
            f"#tgWebAppData={INIT_DATA}&tgWebAppVersion=8.0",
            f"#tgWebAppData={SCRUBBED}&tgWebAppVersion=8.0",
        ),
        (
            "init_data=a&initData=b&hash=c&signature=d",
            f"init_data={SCRUBBED}&initData={SCRUBBED}&hash={SCRUBBED}&signature={SCRUBBED}",
        ),
        (f"next=%2Fws%2F%3Ftoken%3D{JWT}%26x%3D1", f"next=%2Fws%2F%3Ftoken%3D{SCRUBBED}%26x%3D1"),
        (f"Authorization: Bearer {JWT}", f"Authorization: {SCRUBBED}"),
        (
            f"{{'HTTP_AUTHORIZATION': 'tma {INIT_DATA}', 'k': 1}}",
            f"{{'HTTP_AUTHORIZATION': '{SCRUBBED}', 'k': 1}}",
        ),
        # not credentials: left alone
        ("bot_token=keep&tokens=2&player=token", "bot_token=keep&tokens=2&player=token"),
        ("Authorization required.", "Authorization required."),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert scrub(text) == expected


def _line(record: logging.LogRecord) -> tuple[str, dict]:
    line = JsonFormatter().format(record)
    return line, json.loads(line)


def test_uvicorn_access_record_logs_no_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/me?token=abc&x=1", "1.1", 200),
        None,
    )
    line, payload = _line(record)
    assert "abc" not in line
    assert (
        payload["message"] == f'127.0.0.1:5000 - "GET /api/v1/me?token={SCRUBBED}&x=1 HTTP/1.1" 200'
    )


def test_json_log_has_no_secret_in_message_extras_or_traceback() -> None:
    try:
        raise RuntimeError(f"fetching /ws/me/?token={JWT}")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "chancetap.test",
        logging.ERROR,
        __file__,
        1,
        "refused Authorization: Bearer xyz-secret; launched with tgWebAppData=%s",
        (INIT_DATA,),
        exc_info,
    )
    record.headers = {"Authorization": "Bearer xyz-secret", "Accept": "*/*"}
    record.url = f"https://t.me/x?token={JWT}&initData=raw-secret"
    line, payload = _line(record)
    for secret in ("xyz-secret", JWT, "feedface", "raw-secret"):
        assert secret not in line
    assert payload["message"] == (
        f"refused Authorization: {SCRUBBED}; launched with tgWebAppData={SCRUBBED}"
    )
    assert payload["headers"] == {"Authorization": SCRUBBED, "Accept": "*/*"}
    assert f"token={SCRUBBED}" in payload["exc_info"]


def test_sentry_before_send_drops_every_credential() -> None:
    event: dict[str, Any] = {
        "request": {
            "url": f"https://app.example/api/v1/me?token={JWT}",
            "query_string": f"token={JWT}&x=1",
            "headers": {"Authorization": f"Bearer {JWT}", "User-Agent": "ua"},
            "cookies": {"sessionid": "cookie-secret"},
        },
        "breadcrumbs": {
            "values": [
                {"type": "http", "data": {"url": f"wss://app.example/ws/me/?token={JWT}"}},
                {"category": "log", "message": f"Authorization: tma {INIT_DATA}"},
            ]
        },
        "exception": {"values": [{"type": "E", "value": "bad initData=raw-secret&hash=x"}]},
    }
    cleaned: dict[str, Any] = dict(sentry_before_send(cast("Event", event), {}))
    text = json.dumps(cleaned)
    for secret in (JWT, "cookie-secret", "feedface", "raw-secret"):
        assert secret not in text
    request = cleaned["request"]
    assert request["query_string"] == f"token={SCRUBBED}&x=1"
    assert request["headers"] == {"Authorization": SCRUBBED, "User-Agent": "ua"}
    assert request["cookies"] == SCRUBBED
    assert cleaned["breadcrumbs"]["values"][0]["data"]["url"].endswith(f"?token={SCRUBBED}")


@pytest.mark.django_db(transaction=True)
def test_uvicorn_logs_go_through_the_json_handler_scrubbed() -> None:
    """uvicorn as the Dockerfile runs it (access log on): its access and WebSocket lines are our
    JSON lines, with the credential scrubbed."""
    server = ServerProcess(log_level="info")
    try:
        with urllib.request.urlopen(f"{server.base_url}/healthz?token=http-secret&x=1") as reply:
            assert reply.status == 200
        ws_url = server.base_url.replace("http://", "ws://") + "/ws/me/?token=ws-secret"
        with connect(ws_url, origin=Origin("http://127.0.0.1:8000")) as ws:
            assert json.loads(ws.recv(timeout=5))["code"] == "token_in_url"
    finally:
        server.stop()
    text = server.log_path.read_text()
    assert "http-secret" not in text
    assert "ws-secret" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(f"/healthz?token={SCRUBBED}&x=1" in line["message"] for line in access), text
    assert any(
        line["logger"] == "uvicorn.error" and f"/ws/me/?token={SCRUBBED}" in line["message"]
        for line in lines
    ), text


@pytest.mark.django_db(transaction=True)
def test_uvicorn_log_level_flag_holds_for_websocket_lines() -> None:
    """``--log-level warning`` (make run) keeps uvicorn's per-socket INFO lines ("connection
    open", "… [accepted]") out of the console, although Django's logging config runs after it."""
    server = ServerProcess(log_level="warning")
    try:
        ws_url = server.base_url.replace("http://", "ws://") + "/ws/me/"
        with connect(ws_url, origin=Origin("http://127.0.0.1:8000")) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "error"
    finally:
        server.stop()
    text = server.log_path.read_text()
    assert "connection open" not in text
    assert "[accepted]" not in text
