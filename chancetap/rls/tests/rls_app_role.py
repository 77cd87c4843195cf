"""A pytest plugin: tests on PostgreSQL run as the app's runtime role, under row-level security.

    pytest -p chancetap.rls.tests.rls_app_role payments accounts …

The test database belongs to ``postgres`` (a superuser, which row-level security never binds), so
without this plugin the policies are not exercised. With it, every connection a database test
opens switches to ``chancetap_app`` (``SET ROLE``): each query is filtered by the policies and
needs the claims our entry points set. Test code itself (fixtures, assertions) runs with the
``service`` claim, like a management command; threads the code under test starts get no claim (a
new thread starts with an empty context), as in a web process. Tests that call services from bare
threads of their own (not through a request, socket, task or bot update) therefore see no rows;
``--rls-threads-service`` gives such threads the ``service`` claim instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from chancetap import rls

DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "live_server")


def role_set(connection: BaseDatabaseWrapper, role: str | None) -> None:
    """``SET ROLE`` (``RESET ROLE`` for None) on an open PostgreSQL connection (no wrappers)."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    from psycopg.pq import TransactionStatus

    if connection.connection.info.transaction_status == TransactionStatus.INERROR:
        return  # the rollback that comes next undoes a SET ROLE made in this transaction
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}" if role else "RESET ROLE")


@contextmanager
def app_role(role: str = rls.APP_DB_ROLE) -> Iterator[None]:
    """Open and future connections (any thread) run as ``role`` until the block ends."""

    def created(sender: Any, connection: BaseDatabaseWrapper, **_: Any) -> None:
        role_set(connection, role)

    connection_created.connect(created, dispatch_uid=f"rls_app_role_{role}", weak=False)
    for connection in connections.all(initialized_only=True):
        role_set(connection, role)
    try:
        yield
    finally:
        connection_created.disconnect(dispatch_uid=f"rls_app_role_{role}")
        for connection in connections.all(initialized_only=True):
            role_set(connection, None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--rls-threads-service",
        action="store_true",
        help="threads without claims run as service (the test's own threads calling services)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--rls-threads-service"):
        rls.process_default_set(rls.SERVICE)


@pytest.fixture(autouse=True)
def _rls_app_role(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in DB_FIXTURES
    )
    if not uses_db:
        yield
        return
    # Set the test database up first, so its teardown (rollback or flush) runs after ours.
    request.getfixturevalue("_django_db_helper")
    with app_role(), rls.service():
        yield
