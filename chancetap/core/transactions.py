"""Transaction helpers: side effects after commit only (STYLE.md rule 6)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction


def assert_in_transaction() -> None:
    """Building blocks (``*_in_tx``) must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("this function must be called inside transaction.atomic()")


def on_commit(func: Callable[[], object]) -> None:
    """Run ``func`` after the surrounding transaction commits (immediately when none is open)."""
    transaction.on_commit(func, robust=True)
