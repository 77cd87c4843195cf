"""API conventions, health checks, logging, settings, the dev login and the served Mini App."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import clear_url_caches

from accounts.services import init_data_validate
from chancetap.core.exceptions import api_exception_handler, handler500
from chancetap.observability.logging import JsonFormatter, RequestIdFilter, request_id_var

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_unknown_api_path_is_json_404(client) -> None:
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_json_405(api_client) -> None:
    response = api_client.get("/api/v1/auth/telegram")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unsupported_media_type_is_415_with_code(api_client) -> None:
    response = api_client.post("/api/v1/auth/telegram", "init_data=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_malformed_json_is_400_with_code(api_client) -> None:
    response = api_client.post(
        "/api/v1/auth/telegram", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unexpected_api_exception_is_json_500() -> None:
    response = api_exception_handler(RuntimeError("boom"), {})
    assert response is not None
    assert response.status_code == 500
    assert response.data["code"] == "server_error"


def test_django_level_500_is_json() -> None:
    response = handler500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_schema_and_docs(client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/auth/telegram" in paths
    assert "/api/v1/me" in paths
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_healthz_and_readyz(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_names_the_failing_part(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["details"]["failing"] == ["redis"]
    assert body["details"]["checks"]["database"] == "ok"


def test_request_id_is_echoed_and_generated(client) -> None:
    echoed = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-req")
    assert echoed["X-Request-ID"] == "abc12345-req"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(generated["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("chancetap.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id_var.set("req-42-abcdef")
    try:
        logger.warning("payment applied", extra={"payment_id": 7, "event": "payment_applied"})
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["message"] == "payment applied"
    assert line["request_id"] == "req-42-abcdef"
    assert line["payment_id"] == 7
    assert line["level"] == "warning"


def test_metrics_are_not_public(client, settings) -> None:
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    settings.METRICS_TOKEN = "metrics-token-for-tests"
    assert client.get("/metrics").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-for-tests")
    assert ok.status_code == 200
    assert b"django_http_requests_total" in ok.content


def test_dev_login_does_not_exist_without_debug(client) -> None:
    assert django_settings.DEV_LOGIN_ENABLED is False
    response = client.get("/dev/login")
    assert response.status_code == 404


def test_dev_login_mints_valid_init_data(client, settings) -> None:
    settings.DEV_LOGIN_ENABLED = True
    response = client.get("/dev/login?lang=ru&tg_id=100000002")
    assert response.status_code == 302
    fragment = urlsplit(response["Location"]).fragment
    params = parse_qs(fragment)
    init_data = params["tgWebAppData"][0]
    data = init_data_validate(raw=init_data)
    assert data.user.id == 100000002
    assert data.user.language_code == "ru"
    assert unquote(response["Location"]).startswith("/#tgWebAppData=")


def test_frontend_index_is_served_with_cache_headers(client, settings) -> None:
    index = settings.FRONTEND_DIST_DIR / "index.html"
    assert index.is_file(), "build the Mini App first (make frontend)"
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "max-age=300" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert "Authorization" in response["Vary"]
    html = response.content.decode()
    assert '<div id="root">' in html
    assert "chancetap-dev-login" not in html
    settings.DEV_LOGIN_ENABLED = True
    assert "chancetap-dev-login" in client.get("/").content.decode()
    clear_url_caches()


def test_frontend_index_lists_the_telegram_origins_of_frame_ancestors(client, settings) -> None:
    """The Mini App accepts messages from a parent frame of these origins only (src/telegram.ts)."""
    settings.CSP_FRAME_ANCESTORS = [
        "'self'",
        "https://web.telegram.org",
        "http://localhost:8123",
        "https://*.example.org",
        "https:",
    ]
    html = client.get("/").content.decode()
    assert (
        '<meta name="chancetap-telegram-origins" '
        'content="https://web.telegram.org http://localhost:8123">'
    ) in html


def test_built_assets_are_served_immutable(client, settings) -> None:
    assets = sorted((settings.FRONTEND_DIST_DIR / "assets").glob("*.js"))
    assert assets, "no built JS"
    response = client.get(f"/static/frontend/assets/{assets[0].name}")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]


def _settings_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "JWT_", "TELEGRAM_", "PYTEST", "CHANCETAP_TESTING"))
    }
    base.update({"CHANCETAP_IGNORE_DOTENV": "1", "DJANGO_SETTINGS_MODULE": "chancetap.settings"})
    base.update(env)
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_secrets() -> None:
    result = _settings_subprocess({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "JWT_SECRET" in result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_production_starts_with_its_secrets() -> None:
    result = _settings_subprocess(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "s" * 50,
            "JWT_SECRET": "j" * 40,
            "TELEGRAM_BOT_TOKEN": "123:abc",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_debug_runs_on_embedded_defaults(tmp_path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CACHES['default']['BACKEND'], s.CELERY_BROKER_URL)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "PYTEST", "CELERY_"))
    }
    env.update(
        {"DJANGO_DEBUG": "1", "CHANCETAP_IGNORE_DOTENV": "1", "CHANCETAP_VAR_DIR": str(tmp_path)}
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    engine, layer, cache, broker = result.stdout.split()
    assert engine == "django_prometheus.db.backends.sqlite3"  # SQLite, instrumented
    assert layer == "channels.layers.InMemoryChannelLayer"
    assert cache.endswith("LocMemCache")
    assert broker == "filesystem://"


def test_schema_generates_without_warnings() -> None:
    """No component-name collisions between views' nested serializers, and the API's
    authentication is described (bearer JWT or tma initData), not left as a warning."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert set(schema["components"]["securitySchemes"]) == {"bearerAuth", "tmaAuth"}
    components = schema["components"]["schemas"]
    assert "TonWalletVerifyInput" in components
    assert "Input" not in components
    me = schema["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}, {"tmaAuth": []}]
