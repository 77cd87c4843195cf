"""Issue #12, "database connect and statement timeouts": the processes that serve players run
with ``statement_timeout`` and ``idle_in_transaction_session_timeout`` on every connection (through
the pool, next to the row-level-security role), ``manage.py`` commands run without the statement
limit; and a statement the server cancels answers 503 with a code, and charges nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import transaction
from psycopg import sql

from accounts.models import User
from accounts.tokens import token_issue
from chancetap import rls
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms.models import RoomTier, Seat
from tests.ops.traffic import http_call
from tests.server import ROOT, ServerProcess, child_database_url, child_env

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = """
import json, sys
sys.argv[:] = {argv!r}
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    values = {{}}
    for name in ("statement_timeout", "idle_in_transaction_session_timeout"):
        cursor.execute("SHOW " + name)
        values[name] = cursor.fetchone()[0]
    cursor.execute("SELECT current_user")
    values["user"] = cursor.fetchone()[0]
values["pool"] = settings.DATABASE_POOL
print(json.dumps(values))
"""


def _settings_seen_by(*argv: str) -> dict[str, object]:
    env = child_env(
        {
            "DJANGO_SETTINGS_MODULE": "chancetap.settings",
            "DATABASE_URL": child_database_url(role=rls.APP_DB_ROLE),
            "DATABASE_STATEMENT_TIMEOUT_MS": "1234",
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS": "4321",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=list(argv))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_web_and_bot_processes_get_the_statement_timeout_and_other_commands_do_not() -> None:
    web = _settings_seen_by("/app/.venv/bin/uvicorn")
    assert web == {
        "statement_timeout": "1234ms",
        "idle_in_transaction_session_timeout": "4321ms",
        "user": rls.APP_DB_ROLE,  # the URL's own options are kept
        "pool": True,
    }
    bot = _settings_seen_by(str(ROOT / "manage.py"), "runbot")
    assert bot["statement_timeout"] == "1234ms"
    command = _settings_seen_by(str(ROOT / "manage.py"), "ledger_check")
    assert command["statement_timeout"] == "0"
    assert command["idle_in_transaction_session_timeout"] == "4321ms"


def test_a_statement_cancelled_by_the_timeout_answers_503_and_charges_nothing(make_user) -> None:
    tier, _ = RoomTier.objects.get_or_create(stars=20, defaults={"position": 0})
    player: User = make_user()
    with transaction.atomic():
        ledger_post_in_tx(
            [Posting(player.tg_id, LedgerEntry.Kind.ADJUSTMENT, 100, f"timeout:{player.tg_id}")]
        )
    server = ServerProcess(
        env={
            "DATABASE_URL": child_database_url(role=rls.APP_DB_ROLE),
            "DATABASE_STATEMENT_TIMEOUT_MS": "500",
        }
    )
    headers = {"Authorization": f"Bearer {token_issue(tg_id=player.tg_id)}"}
    try:
        # Another session holds the player's row (a long transaction elsewhere): the join's lock
        # on it waits until the server cancels the statement.
        with psycopg.connect(child_database_url()) as holder:
            holder.execute(
                sql.SQL("SELECT 1 FROM {} WHERE tg_id = %s FOR UPDATE").format(
                    sql.Identifier(User._meta.db_table)
                ),
                [player.tg_id],
            ).fetchone()
            started = time.monotonic()
            status, body = http_call(
                server.base_url,
                "POST",
                f"/api/v1/rooms/tiers/{tier.pk}/join",
                headers={**headers, "Idempotency-Key": "timeout-join-1"},
            )
            took = time.monotonic() - started
            holder.rollback()
        assert status == 503, body
        assert body["code"] == "service_busy"
        assert took < 2.0
        assert balance_get(user_id=player.tg_id) == 100
        assert not Seat.objects.filter(user=player).exists()
        # Nothing was stored under the key either: the same request now goes through.
        status, body = http_call(
            server.base_url,
            "POST",
            f"/api/v1/rooms/tiers/{tier.pk}/join",
            headers={**headers, "Idempotency-Key": "timeout-join-1"},
        )
        assert status == 201, body
        assert balance_get(user_id=player.tg_id) == 80
        assert ledger_mismatches() == []
    finally:
        server.stop()
