"""Transaction helpers: side effects after commit only (STYLE.md rule 6), use-case transactions."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

from django.db import connection, transaction

# The durable block of an idempotent request (chancetap.core.idempotency) while its use case runs.
_JOINABLE_BLOCK: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "joinable_block", default=None
)


def assert_in_transaction() -> None:
    """Building blocks (``*_in_tx``) must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("this function must be called inside transaction.atomic()")


def on_commit(func: Callable[[], object]) -> None:
    """Run ``func`` after the surrounding transaction commits (immediately when none is open)."""
    transaction.on_commit(func, robust=True)


@contextlib.contextmanager
def use_cases_join(block: transaction.Atomic) -> Iterator[None]:
    """While this runs, an ``atomic_use_case`` opened directly inside ``block`` (a durable block
    that is already open) joins it instead of refusing to nest."""
    token = _JOINABLE_BLOCK.set(block)
    try:
        yield
    finally:
        _JOINABLE_BLOCK.reset(token)


@contextlib.contextmanager
def atomic_use_case() -> Iterator[None]:
    """The transaction of a top-level use case that an idempotent request may run.

    ``transaction.atomic(durable=True)`` when called on its own (a test, a task, the bot). Called
    directly inside the idempotent request's transaction (``chancetap.core.idempotency``, durable
    itself) it joins that one, so the effect and the stored answer commit together. Anywhere else
    inside a transaction it refuses, as a durable block does.
    """
    blocks = connection.atomic_blocks
    if blocks and blocks[-1] is _JOINABLE_BLOCK.get():
        with transaction.atomic():
            yield
    else:
        with transaction.atomic(durable=True):
            yield
