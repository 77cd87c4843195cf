"""Caching headers (SPEC §9) as a browser sees them from a real ASGI server process: the app HTML
for 5 minutes, private, varying on language and authorization; hashed bundles immutable;
other static files one day."""

from __future__ import annotations

import re
import urllib.request

import pytest
from django.conf import settings

from tests.server import ServerProcess

pytestmark = pytest.mark.django_db(transaction=True)


def max_age(cache_control: str) -> int:
    found = re.search(r"max-age=(\d+)", cache_control)
    assert found, cache_control
    return int(found.group(1))


def head(url: str, **headers: str) -> dict[str, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return {k.lower(): v for k, v in response.headers.items()}


@pytest.fixture(scope="module")
def server():
    dist = settings.FRONTEND_DIST_DIR
    assert (dist / "index.html").is_file(), "build the Mini App first (make frontend)"
    process = ServerProcess()
    yield process
    process.stop()


def test_app_html_is_cached_five_minutes_per_language_and_authorization(server) -> None:
    headers = head(f"{server.base_url}/", **{"Accept-Language": "ru"})
    cache_control = headers["cache-control"]
    assert max_age(cache_control) == 300
    assert "private" in cache_control
    assert "immutable" not in cache_control
    vary = {v.strip().lower() for v in headers["vary"].split(",")}
    assert {"accept-language", "authorization"} <= vary


def test_hashed_bundles_are_immutable(server) -> None:
    bundles = sorted((settings.FRONTEND_DIST_DIR / "assets").glob("*.*"))
    assert bundles
    for bundle in bundles:
        assert re.search(settings.WHITENOISE_IMMUTABLE_FILE_TEST, bundle.name), bundle.name
        headers = head(f"{server.base_url}/static/frontend/assets/{bundle.name}")
        assert "immutable" in headers["cache-control"]
        assert max_age(headers["cache-control"]) >= 86400


def test_other_static_files_are_cached_one_day(server) -> None:
    headers = head(f"{server.base_url}/static/frontend/icon.png")
    assert max_age(headers["cache-control"]) == 86400
    assert "immutable" not in headers["cache-control"]
    assert not re.search(settings.WHITENOISE_IMMUTABLE_FILE_TEST, "icon.png")
