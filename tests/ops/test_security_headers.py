"""Security headers: the Mini App's document may be framed by Telegram Web (CSP frame-ancestors,
no X-Frame-Options); everything else is unframeable; Permissions-Policy, HSTS and the app HTML's
Cache-Control. Checked through Django's test client and from a real uvicorn process."""

from __future__ import annotations

import re
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from tests.server import ServerProcess


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_app_document_headers(headers: dict[str, str]) -> None:
    headers = {k.lower(): v for k, v in headers.items()}
    assert "x-frame-options" not in headers
    policy = directives(headers["content-security-policy"])
    assert policy["frame-ancestors"] == settings.CSP_FRAME_ANCESTORS
    assert "https://web.telegram.org" in policy["frame-ancestors"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert {"'self'", "https://config.ton.org", "https://bridge.tonapi.io"} <= set(
        policy["connect-src"]
    )
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cache-control"] == "private, max-age=300"


@pytest.fixture
def client() -> Client:
    assert not settings.DEBUG
    assert (settings.FRONTEND_DIST_DIR / "index.html").is_file(), "build the Mini App first"
    return Client()


def test_app_document_may_be_framed_by_telegram_web(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert_app_document_headers(dict(response.headers))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/rooms/tiers", "/admin/login/", "/healthz"])
def test_other_responses_are_never_framed(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 401)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "microphone=()" in response.headers["Permissions-Policy"]


def test_hsts_on_https_in_production(client: Client) -> None:
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain HTTP: never


def test_built_app_has_no_inline_script() -> None:
    """script-src 'self' allows no inline script: the build must not emit one."""
    html = (settings.FRONTEND_DIST_DIR / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes
        assert not body.strip()


@pytest.mark.django_db(transaction=True)
def test_headers_from_a_production_uvicorn_process() -> None:
    """What ``curl -I`` shows against the production server: the settings as deployed."""
    server = ServerProcess()
    try:
        request = urllib.request.Request(
            f"{server.base_url}/", method="HEAD", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            headers = {k.lower(): v for k, v in response.headers.items()}
    finally:
        server.stop()
    assert_app_document_headers(headers)
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["referrer-policy"] == "same-origin"
