from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import chromium
from tests.server import ServerProcess


@pytest.fixture
def server(transactional_db) -> Iterator[ServerProcess]:
    """A real uvicorn process serving the app on the test database."""
    process = ServerProcess()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def browser():
    """Per module: Playwright's sync API keeps an event loop in this thread while it runs, which
    would stop later asyncio tests of the session from starting their own."""
    with chromium() as instance:
        yield instance


@pytest.fixture(autouse=True)
def _playwright_loop_is_not_ours(monkeypatch) -> None:
    """Playwright's sync API keeps an asyncio loop in this thread; the ORM calls the tests make
    here are ordinary synchronous ones, so allow them (only in browser tests)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
