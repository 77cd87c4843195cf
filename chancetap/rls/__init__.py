"""Row-level security claims (SPEC §2): who the database should think is asking.

PostgreSQL policies on the user-private tables (payments, ledger entries, wallets, idempotency
records, bonus runs) admit a row when

- ``jwt.claims.role`` is ``service`` (trusted server code: Celery tasks, the bot, the admin,
  management commands, money movements across users), or
- ``jwt.claims.role`` is ``user`` and the row's ``user_id`` equals ``jwt.claims.user_id``.

No claim means no rows (fail closed). The policies are forced for the table owner too; only the
backup role (``BYPASSRLS``) and superusers skip them.

How the claims reach the database: the *current claims* live in a context variable, so they
follow one HTTP request, one WebSocket connection, one Celery task or one bot update through
threads (asgiref copies context variables into ``sync_to_async`` threads) without ever being
shared between them. An ``execute_wrapper`` on every PostgreSQL connection compares them with
what that connection last applied and, when they differ, runs ``set_config(…)`` before the
statement. So a reused connection (``CONN_MAX_AGE``, a thread pool shared by consumers) always
carries the claims of whoever runs the statement — never those of the previous request.

A ``set_config`` made inside a transaction is undone when that transaction (or the savepoint it was
made in) rolls back. The wrapper notices: it registers an ``on_commit`` marker next to each claim
it sets inside a transaction; a marker that was discarded (a rollback) means the claim is gone and
is set again before the next statement.

Entry points:

- HTTP: ``RlsMiddleware`` runs every request as ``service`` (admin, webhook, health, login);
  ``accounts.authentication`` narrows an API request of an authenticated player to ``user``.
- WebSocket: ``accounts.ws_auth`` runs a socket as its authenticated ``user`` (none otherwise).
- Celery: ``task_prerun`` / ``task_postrun`` wrap every task in ``service``.
- Bot: an aiogram outer middleware wraps every update in ``service``.
- ``manage.py`` commands: the process default is ``service``.
- Code that moves money across users (``payments.ledger.ledger_post_in_tx``) or shows other
  players' public results (game leaderboards) wraps itself in ``service()``.

On SQLite (embedded mode) nothing of this applies: the wrapper is installed on PostgreSQL
connections only.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

ROLE_USER = "user"
ROLE_SERVICE = "service"
ROLE_CLAIM = "jwt.claims.role"
USER_ID_CLAIM = "jwt.claims.user_id"
# Database roles created by the migrations (chancetap/core/migrations/0002_rls_roles.py).
APP_DB_ROLE = "chancetap_app"
BACKUP_DB_ROLE = "chancetap_backup"


@dataclass(frozen=True)
class Claims:
    role: str
    user_id: int | None = None

    def settings(self) -> tuple[str, str]:
        return self.role, "" if self.user_id is None else str(self.user_id)


SERVICE = Claims(ROLE_SERVICE)
NO_CLAIMS: tuple[str, str] = ("", "")

_UNSET: Any = object()
_claims: contextvars.ContextVar[Claims | None] = contextvars.ContextVar(
    "chancetap_rls_claims", default=_UNSET
)
_process_default: Claims | None = None


def user_claims(user_id: int) -> Claims:
    return Claims(ROLE_USER, int(user_id))


def process_default_set(claims: Claims | None) -> None:
    """The claims of code that runs outside any request, socket, task or update (``manage.py``)."""
    global _process_default
    _process_default = claims


def claims_current() -> Claims | None:
    value = _claims.get()
    return _process_default if value is _UNSET else value


def claims_enter(claims: Claims | None) -> contextvars.Token[Claims | None]:
    """Switch the current claims; give the token back to ``claims_exit``."""
    return _claims.set(claims)


def claims_exit(token: contextvars.Token[Claims | None]) -> None:
    try:
        _claims.reset(token)
    except ValueError:  # reset from another context (a signal pair split across contexts)
        old = token.old_value
        _claims.set(_UNSET if old is contextvars.Token.MISSING else old)


@contextmanager
def claims_as(claims: Claims | None) -> Iterator[None]:
    token = claims_enter(claims)
    try:
        yield
    finally:
        claims_exit(token)


@contextmanager
def service() -> Iterator[None]:
    """``with rls.service():`` (or ``@rls.service()``) — trusted server code: every user's rows."""
    with claims_as(SERVICE):
        yield


@contextmanager
def as_user(user_id: int) -> Iterator[None]:
    """``with rls.as_user(tg_id):`` — only this player's rows are visible."""
    with claims_as(user_claims(user_id)):
        yield


def request_user_set(user_id: int) -> None:
    """Narrow the rest of the current request (or socket) to one player.

    Called by the API authentication; ``RlsMiddleware`` (or the WebSocket middleware) restores the
    previous claims when the request ends.
    """
    _claims.set(user_claims(user_id))


# --- the connection side --------------------------------------------------------------------------


class _Applied:
    """An ``on_commit`` marker: still pending, fired (committed) or dropped (rolled back)."""

    __slots__ = ("fired",)

    def __init__(self) -> None:
        self.fired = False

    def __call__(self) -> None:
        self.fired = True


_STATE_ATTR = "_chancetap_rls_state"
_INSTALLED_ATTR = "_chancetap_rls_installed"
_CONTROL_PREFIXES = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


def _still_applied(connection: BaseDatabaseWrapper, marker: _Applied | None) -> bool:
    if marker is None or marker.fired:
        return True
    return any(entry[1] is marker for entry in connection.run_on_commit)


def _transaction_failed(connection: BaseDatabaseWrapper) -> bool:
    from psycopg.pq import TransactionStatus

    raw = connection.connection
    return raw is None or raw.info.transaction_status == TransactionStatus.INERROR


def claims_apply(connection: BaseDatabaseWrapper) -> None:
    """Make ``connection`` carry the current claims (one ``set_config`` when they changed)."""
    claims = claims_current()
    wanted = claims.settings() if claims is not None else NO_CLAIMS
    state = getattr(connection, _STATE_ATTR, None)
    if state is not None and state[0] == wanted and _still_applied(connection, state[1]):
        return
    if _transaction_failed(connection):
        return  # the statement fails anyway; a rollback comes next
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
            [ROLE_CLAIM, wanted[0], USER_ID_CLAIM, wanted[1]],
        )
    marker: _Applied | None = None
    if connection.in_atomic_block:
        marker = _Applied()
        connection.on_commit(marker)
    elif not connection.get_autocommit():
        # Manual transaction management: nothing tells us about a rollback, so never trust this.
        setattr(connection, _STATE_ATTR, None)
        return
    setattr(connection, _STATE_ATTR, (wanted, marker))


def _execute_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if not sql.lstrip()[:9].upper().startswith(_CONTROL_PREFIXES):
        claims_apply(context["connection"])
    return execute(sql, params, many, context)


def connection_install(connection: BaseDatabaseWrapper) -> None:
    """Idempotent: a fresh connection starts without claims; the wrapper goes on once."""
    if connection.vendor != "postgresql":
        return
    setattr(connection, _STATE_ATTR, None)
    if not getattr(connection, _INSTALLED_ATTR, False):
        connection.execute_wrappers.append(_execute_wrapper)
        setattr(connection, _INSTALLED_ATTR, True)


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **_: Any) -> None:
    connection_install(connection)


# --- entry points ---------------------------------------------------------------------------------


class RlsMiddleware:
    """Every HTTP request starts as ``service``; the API authentication narrows players to
    ``user``. Whatever the request set is dropped when it ends."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        token = claims_enter(SERVICE)
        try:
            return self.get_response(request)
        finally:
            claims_exit(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        token = claims_enter(SERVICE)
        try:
            response: Awaitable[HttpResponse] = self.get_response(request)
            return await response
        finally:
            claims_exit(token)


_task_tokens: dict[str, contextvars.Token[Claims | None]] = {}


def _task_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id is not None:
        _task_tokens[task_id] = claims_enter(SERVICE)


def _task_postrun(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        claims_exit(token)


def bot_middleware() -> Callable[..., Awaitable[Any]]:
    """An aiogram outer middleware: every update is handled as ``service``."""

    async def middleware(handler: Callable[..., Awaitable[Any]], event: Any, data: Any) -> Any:
        with service():
            return await handler(event, data)

    return middleware


def check_runtime_role(app_configs: Any = None, databases: Any = None, **_: Any) -> list[Any]:
    """``manage.py check --deploy --database default``: warn when RLS cannot bind this role."""
    from django.core.checks import Warning as CheckWarning
    from django.db import connections

    found: list[Any] = []
    for alias in databases or []:
        conn = connections[alias]
        if conn.vendor != "postgresql":
            continue
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                "WHERE rolname = current_user"
            )
            row = cursor.fetchone()
        if row and (row[1] or row[2]):
            found.append(
                CheckWarning(
                    f"Database '{alias}' connects as {row[0]}, a superuser or BYPASSRLS role: "
                    "row-level security does not apply to it.",
                    hint=f"Run the app as {APP_DB_ROLE} (docs/operations.md, Row-level security).",
                    id="chancetap.W001",
                )
            )
    return found


def signals_connect() -> None:
    """Called from ``CoreConfig.ready``: connections get the wrapper, tasks run as service."""
    from celery.signals import task_postrun, task_prerun
    from django.core import checks
    from django.db.backends.signals import connection_created

    checks.register(check_runtime_role, checks.Tags.database, deploy=True)
    connection_created.connect(_on_connection_created, dispatch_uid="chancetap_rls_connection")
    task_prerun.connect(_task_prerun, dispatch_uid="chancetap_rls_task_prerun", weak=False)
    task_postrun.connect(_task_postrun, dispatch_uid="chancetap_rls_task_postrun", weak=False)
    # Connections opened before this ran (none in practice) get the wrapper too.
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            connection_install(conn)


__all__ = [
    "APP_DB_ROLE",
    "BACKUP_DB_ROLE",
    "ROLE_SERVICE",
    "ROLE_USER",
    "SERVICE",
    "Claims",
    "RlsMiddleware",
    "as_user",
    "bot_middleware",
    "claims_apply",
    "claims_as",
    "claims_current",
    "claims_enter",
    "claims_exit",
    "connection_install",
    "process_default_set",
    "request_user_set",
    "service",
    "signals_connect",
]
