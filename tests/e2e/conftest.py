from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator

import pytest

from tests.browser import chromium
from tests.server import ServerProcess, celery_worker_start


@pytest.fixture(scope="module")
def _module_server(django_db_setup, django_db_blocker) -> Iterator[ServerProcess]:
    """One uvicorn process per test module (a start costs seconds); the data is per test."""
    with django_db_blocker.unblock():
        process = ServerProcess()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def server(transactional_db, _module_server: ServerProcess) -> ServerProcess:
    """A real uvicorn process serving the app on the test database (emptied after each test)."""
    if _module_server.process.poll() is not None:
        raise RuntimeError(f"the test server died: {_module_server.log_path.read_text()[-2000:]}")
    return _module_server


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


@pytest.fixture
def tiers(transactional_db) -> dict[int, int]:
    """The six default tiers (a transactional test flushes the data migration's rows)."""
    from rooms.models import RoomTier

    result = {}
    for position, stars in enumerate((20, 50, 100, 200, 300, 500)):
        tier, _ = RoomTier.objects.get_or_create(stars=stars, defaults={"position": position})
        result[stars] = tier.pk
    return result


@pytest.fixture
def celery_worker(transactional_db, tmp_path) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker with beat (room timers and the sweeper) on the test database."""
    process = celery_worker_start(f"e2e-worker-{os.getpid()}", tmp_path / "beat")
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def fund() -> Callable[[int, int], None]:
    """``fund(tg_id, stars)``: an admin adjustment in the ledger (the user must exist)."""
    import uuid

    from django.db import transaction

    from payments.ledger import Posting, ledger_post_in_tx
    from payments.models import LedgerEntry

    def credit(tg_id: int, stars: int) -> None:
        with transaction.atomic():
            ledger_post_in_tx(
                [
                    Posting(
                        tg_id,
                        LedgerEntry.Kind.ADJUSTMENT,
                        stars,
                        f"e2e:{tg_id}:{uuid.uuid4().hex}",
                        memo="e2e funding",
                    )
                ]
            )

    return credit
