"""OpenTelemetry and Sentry against fake HTTP receivers on 127.0.0.1, each in a child process
(both patch process-wide state): spans of a Django request and a Celery task, with the
PostgreSQL statements and Redis commands inside them, arrive over OTLP when
OTEL_EXPORTER_OTLP_ENDPOINT is set and nothing is loaded otherwise; an unhandled view
error reaches the Sentry endpoint when SENTRY_DSN is set."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.server import ROOT, child_env

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """Records every POST (path, headers, decompressed body) and answers 200 {}."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                encoding = self.headers.get("Content-Encoding", "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding == "br":
                    import brotli

                    body = brotli.decompress(body)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.posts.append((self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def run_child(script: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=child_env({"DJANGO_SETTINGS_MODULE": "chancetap.settings", **env}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    return done.stdout


TRACED_SESSION = """
import django, json, sys
django.setup()
from django.core.cache import cache
from django.test import Client
from chancetap.observability import tracing
from payments.tasks import expire_idempotency_records_task
print("RESULT", json.dumps({
    "cached": cache.get_or_set("otel-check", 1),
    "enabled": tracing.otel_enabled(),
    "status": Client().get("/api/v1/me?token=otel-secret-1&x=1").status_code,
    "probe": Client().get("/healthz").status_code,
    "task": expire_idempotency_records_task.apply().get(),
    "sdk_loaded": "opentelemetry.sdk.trace" in sys.modules,
}))
tracing.otel_shutdown()
"""


def result(stdout: str) -> dict[str, Any]:
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def spans(receiver: Receiver) -> list[tuple[str, str, dict[str, Any]]]:
    """(service name, span name, attributes) of every exported span."""
    found = []
    for path, headers, body in receiver.posts:
        assert path == "/v1/traces"
        assert headers["content-type"] == "application/x-protobuf"
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    attributes = {a.key: a.value for a in span.attributes}
                    found.append((resource["service.name"], span.name, attributes))
    return found


def request_spans(receiver: Receiver) -> list[Any]:
    """Every exported span as its protobuf message."""
    return [
        span
        for _, _, body in receiver.posts
        for resource_spans in ExportTraceServiceRequest.FromString(body).resource_spans
        for scope in resource_spans.scope_spans
        for span in scope.spans
    ]


def test_spans_of_a_request_and_a_task_arrive_over_otlp(receiver) -> None:
    out = run_child(
        TRACED_SESSION,
        {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.base_url, "OTEL_SERVICE_NAME": "ct-test"},
    )
    assert result(out) == {
        "cached": 1,
        "enabled": True,
        "status": 401,
        "probe": 200,
        "task": 0,
        "sdk_loaded": True,
    }
    exported = spans(receiver)
    names = {name for _, name, _ in exported}
    assert {service for service, _, _ in exported} == {"ct-test"}
    assert "GET api/v1/me" in names, names
    assert "run/core.expire_idempotency_records" in names, names
    assert not any("healthz" in name for name in names)  # probes are not traced
    request_span = next(attrs for _, name, attrs in exported if name == "GET api/v1/me")
    status = request_span.get("http.response.status_code") or request_span["http.status_code"]
    assert status.int_value == 401
    # the query string keeps its shape, without the credential
    assert any(b"token=[scrubbed]&x=1" in body for _, _, body in receiver.posts)
    assert not any(b"otel-secret-1" in body for _, _, body in receiver.posts)
    # the database and Redis calls inside them are spans of their own (psycopg and redis
    # instrumentations), with the statement but never its parameters
    systems = {
        attrs["db.system"].string_value: name for _, name, attrs in exported if "db.system" in attrs
    }
    assert {"postgresql", "redis"} <= set(systems), names
    task_span = next(s for s in request_spans(receiver) if s.name.startswith("run/core."))
    statements = [
        s for s in request_spans(receiver) if s.trace_id == task_span.trace_id and s.kind == 3
    ]
    assert statements, "the task's SQL statements are children of its span"
    # log lines written inside a span carry its trace id (for Loki → Jaeger links)
    traced = [json.loads(line) for line in out.splitlines() if '"otelTraceID"' in line]
    assert traced, out[-2000:]
    assert {line["otelTraceID"] for line in traced} <= {
        format(int.from_bytes(s.trace_id, "big"), "032x") for s in request_spans(receiver)
    }
    # and outside a span no line carries an empty one
    assert '"otelTraceID": "0"' not in out


def test_tracing_is_off_without_an_endpoint(receiver) -> None:
    out = run_child(TRACED_SESSION, {"OTEL_EXPORTER_OTLP_ENDPOINT": ""})
    assert result(out) == {
        "cached": 1,
        "enabled": False,
        "status": 401,
        "probe": 200,
        "task": 0,
        "sdk_loaded": False,
    }
    assert receiver.posts == []
    assert "otelTraceID" not in out


SENTRY_SESSION = """
import django, json
django.setup()
import sentry_sdk
from django.test import Client, override_settings
from chancetap.observability import tracing
with override_settings(ROOT_URLCONF="tests.ops.sentry_urls"):
    status = Client(raise_request_exception=False).get("/ops-test/boom").status_code
    # Through the WSGI handler, as a server calls it: Sentry then records the request's URL,
    # query string and headers, which must arrive without credentials.
    from wsgiref.util import setup_testing_defaults
    from django.core.wsgi import get_wsgi_application
    environ = {
        "PATH_INFO": "/ops-test/boom",
        "QUERY_STRING": "token=sentry-secret-1&tgWebAppData=sentry-secret-2&x=1",
        "HTTP_AUTHORIZATION": "Bearer sentry-secret-3",
        "HTTP_COOKIE": "sessionid=sentry-secret-4",
    }
    setup_testing_defaults(environ)
    b"".join(get_wsgi_application()(environ, lambda *args: None))
from payments.tasks import apply_star_payment
charge = {"from_user_id": 1, "payload": "x", "currency": "USD", "total_amount": 1,
          "telegram_payment_charge_id": "sentry-check"}
task_failed = apply_star_payment.apply(args=[charge]).failed()
client = sentry_sdk.get_client()
import chancetap.asgi
print("RESULT", json.dumps({
    "websocket_app": type(chancetap.asgi.application.application_mapping["websocket"]).__name__,
    "enabled": tracing.sentry_enabled(),
    "status": status,
    "task_failed": task_failed,
    "integrations": sorted(client.integrations),
}))
sentry_sdk.flush(timeout=10)
"""


def envelope_items(body: bytes) -> list[tuple[dict[str, Any], Any]]:
    lines = body.split(b"\n")
    items = []
    index = 1  # line 0 is the envelope header
    while index < len(lines) and lines[index].strip():
        header = json.loads(lines[index])
        payload = lines[index + 1]
        items.append((header, json.loads(payload) if payload.startswith(b"{") else payload))
        index += 2
    return items


def test_an_unhandled_view_error_reaches_sentry(receiver) -> None:
    port = receiver.server.server_address[1]
    out = run_child(SENTRY_SESSION, {"SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42"})
    outcome = result(out)
    assert outcome["enabled"] is True
    assert outcome["status"] == 500
    assert {"django", "celery", "logging"} <= set(outcome["integrations"])
    # Channels: WebSocket consumers run inside Sentry's ASGI middleware
    assert outcome["websocket_app"] == "SentryAsgiMiddleware"
    events = [
        payload
        for path, _, body in receiver.posts
        if path == "/api/42/envelope/"
        for header, payload in envelope_items(body)
        if header.get("type") == "event"
    ]
    errors = [
        value
        for event in events
        for value in event.get("exception", {}).get("values", [])
        if value["type"] == "RuntimeError"
    ]
    assert errors, receiver.posts
    assert errors[0]["value"] == "sentry check: the view failed"
    assert any(event.get("transaction") == "/ops-test/boom" for event in events)
    # no credential leaves in an event (URL, query string, headers, cookies)
    queries = [event["request"]["query_string"] for event in events if event.get("request")]
    assert "token=[scrubbed]&tgWebAppData=[scrubbed]&x=1" in queries, events
    for _, _, body in receiver.posts:
        assert b"sentry-secret" not in body
    # a failing Celery task is reported too, named after the task
    assert outcome["task_failed"] is True
    task_errors = [
        value
        for event in events
        if event.get("transaction") == "payments.apply_star_payment"
        for value in event.get("exception", {}).get("values", [])
    ]
    assert [value["type"] for value in task_errors] == ["ApplicationError"]


def test_sentry_is_off_without_a_dsn(receiver) -> None:
    out = run_child(SENTRY_SESSION, {"SENTRY_DSN": ""})
    outcome = result(out)
    assert outcome["enabled"] is False
    assert outcome["status"] == 500
    assert outcome["task_failed"] is True
    assert outcome["integrations"] == []
    assert outcome["websocket_app"] == "OriginValidator"
    assert receiver.posts == []
