"""Row-level security (SPEC §2) on PostgreSQL, proved as the app's runtime role.

The tests connect as ``postgres`` (a superuser: policies never bind it), so each one switches its
connections to ``chancetap_app`` (``SET ROLE``) before it looks at the user-private tables.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import psycopg
import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import DatabaseError, connection, connections, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.notifications import notification_enqueue_in_tx
from accounts.tokens import token_issue
from accounts.ws_auth import JWTAuthMiddleware, ws_subprotocols
from chancetap import rls
from chancetap.core.models import IdempotencyRecord
from chancetap.rls.tests.rls_app_role import app_role, role_set
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry, Payment, TonTopup, TonTransfer, TonWallet
from payments.services import star_payment_apply, star_refund_record
from rooms.models import BonusRun, BonusSettings
from tests import server

TABLES = (
    "payments",
    "ledger_entries",
    "wallets",
    "idempotency_records",
    "bonus_runs",
    "ton_transfers",
)
# Tables with the policy whose rows need a whole money story (a debt is a refund of a spent
# top-up): visibility tested on their own below, not through two_players' rows.
POLICY_TABLES = (*TABLES, "star_debts", "notifications")


# --- a careless endpoint (no user filter) and the project's URLs, for the HTTP tests -------------


def _visible() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT user_id FROM payments ORDER BY 1")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT current_setting('jwt.claims.role', true), "
            "current_setting('jwt.claims.user_id', true), pg_backend_pid()"
        )
        role, user_id, pid = cursor.fetchone()
    return {"user_ids": ids, "role": role, "user_id": user_id, "pid": pid}


class EveryPaymentApi(APIView):
    """Forgets to filter by the caller: row-level security must still hide other players."""

    def get(self, request: Request) -> Response:
        return Response(_visible())


def plain_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_visible())


urlpatterns = [
    path("rls-test/api", EveryPaymentApi.as_view()),
    path("rls-test/plain", plain_view),
    path("", include("chancetap.urls")),
]


# --- fixtures -------------------------------------------------------------------------------------


def _rows_for(user: User) -> None:
    """One row of each user-private table for ``user`` (created as the service)."""
    with rls.service(), transaction.atomic():
        Payment.objects.create(user=user, purpose="topup", stars=5)
        ledger_post_in_tx(
            [Posting(user.tg_id, LedgerEntry.Kind.ADJUSTMENT, 7, f"rls-test:{user.tg_id}")]
        )
        TonWallet.objects.create(
            user=user,
            address=f"0:{user.tg_id:064x}",
            friendly_address=f"EQ{user.tg_id}",
            public_key="ab" * 32,
            wallet_version="v4r2",
            network="-239",
        )
        IdempotencyRecord.objects.create(
            user=user,
            scope="rls",
            key="k" * 8,
            request_hash="h",
            response_status=200,
            response_body={},
        )
        BonusRun.objects.create(
            user=user,
            target_taps=10,
            reward_stars=1,
            expires_at=timezone.now() - timedelta(seconds=1),
        )
        topup = TonTopup.objects.create(
            user=user,
            stars=1,
            amount_nano=5,
            comment=f"CT-RLS{user.tg_id}",
            expires_at=timezone.now(),
        )
        TonTransfer.objects.create(
            tx_hash=f"rls-{user.tg_id}",
            lt=user.tg_id,
            received_at=timezone.now(),
            receiver="EQreceiver",
            comment=topup.comment,
            value_nano=1,
            topup=topup,
            user=user,
            outcome=TonTransfer.Outcome.UNDERPAID,
        )


@pytest.fixture
def two_players(make_user: Callable[..., User]) -> tuple[User, User]:
    with rls.service():
        a, b = make_user(), make_user()
    _rows_for(a)
    _rows_for(b)
    return a, b


@pytest.fixture
def as_app() -> Iterator[None]:
    with app_role():
        yield


def visible(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT user_id FROM {table}")  # noqa: S608 - fixed names
        return {row[0] for row in cursor.fetchall()}


def client_for(user: User) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=user.tg_id)}")
    return client


# --- the schema: policies, FORCE, roles ---------------------------------------------------------


@pytest.mark.django_db
def test_policies_are_enabled_and_forced_on_every_user_private_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r'",
            [list(POLICY_TABLES)],
        )
        flags = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
        cursor.execute(
            "SELECT polrelid::regclass::text FROM pg_policy WHERE polname = %s",
            ["chancetap_owner_or_service"],
        )
        with_policy = {row[0] for row in cursor.fetchall()}
    assert flags == dict.fromkeys(POLICY_TABLES, (True, True))
    assert with_policy == set(POLICY_TABLES)


@pytest.mark.django_db
def test_app_and_backup_roles() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY(%s)",
            [[rls.APP_DB_ROLE, rls.BACKUP_DB_ROLE]],
        )
        roles = {name: (sup, bypass) for name, sup, bypass in cursor.fetchall()}
        cursor.execute(
            "SELECT has_table_privilege(%s, 'payments', 'INSERT'), "
            "has_table_privilege(%s, 'payments', 'TRUNCATE'), "
            "has_table_privilege(%s, 'payments', 'SELECT'), "
            "has_table_privilege(%s, 'payments', 'INSERT')",
            [rls.APP_DB_ROLE, rls.APP_DB_ROLE, rls.BACKUP_DB_ROLE, rls.BACKUP_DB_ROLE],
        )
        privileges = cursor.fetchone()
    assert roles == {rls.APP_DB_ROLE: (False, False), rls.BACKUP_DB_ROLE: (False, True)}
    assert privileges == (True, False, True, False)


# --- raw SQL visibility ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_user_context_sees_only_its_own_rows_through_raw_sql(two_players, as_app) -> None:
    a, b = two_players
    for table in TABLES:
        with rls.as_user(a.tg_id):
            assert visible(table) == {a.tg_id}, table
        with rls.as_user(b.tg_id):
            assert visible(table) == {b.tg_id}, table
        with rls.service():
            assert visible(table) == {a.tg_id, b.tg_id}, table
        with rls.claims_as(None):
            assert visible(table) == set(), f"{table}: no claim must mean no rows"


@pytest.mark.django_db
def test_a_players_debts_are_his_own(make_user, as_app) -> None:
    """A refund of spent Stars leaves a debt row: visible to its player and the service only."""
    with rls.service():
        a, b = make_user(), make_user()
        for user in (a, b):
            payment = Payment.objects.create(user=user, purpose="topup", stars=5)
            charge_id = f"rls-debt-{user.tg_id}"
            star_payment_apply(
                from_user_id=user.tg_id,
                payload=str(payment.id),
                currency="XTR",
                total_amount=5,
                telegram_payment_charge_id=charge_id,
            )
            with transaction.atomic():
                ledger_post_in_tx(
                    [Posting(user.tg_id, LedgerEntry.Kind.ADJUSTMENT, -5, f"spent:{user.tg_id}")]
                )
            star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id)
    with rls.as_user(a.tg_id):
        assert visible("star_debts") == {a.tg_id}
    with rls.service():
        assert visible("star_debts") == {a.tg_id, b.tg_id}
    with rls.claims_as(None):
        assert visible("star_debts") == set()


@pytest.mark.django_db
def test_a_user_context_cannot_change_or_create_other_players_rows(two_players, as_app) -> None:
    a, b = two_players
    with rls.as_user(a.tg_id), connection.cursor() as cursor:
        cursor.execute("UPDATE payments SET stars = stars + 1 WHERE user_id = %s", [b.tg_id])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM idempotency_records WHERE user_id = %s", [b.tg_id])
        assert cursor.rowcount == 0
        cursor.execute("UPDATE payments SET stars = stars + 1 WHERE user_id = %s", [a.tg_id])
        assert cursor.rowcount == 1
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            IdempotencyRecord.objects.create(
                user=b,
                scope="rls",
                key="other-player",
                request_hash="h",
                response_status=200,
                response_body={},
            )
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "UPDATE bonus_runs SET user_id = %s WHERE user_id = %s", [b.tg_id, a.tg_id]
            )
    with rls.service():
        assert Payment.objects.get(user=b).stars == 5
        assert IdempotencyRecord.objects.filter(user=b).count() == 1


@pytest.mark.django_db
def test_policies_bind_the_table_owner_too(two_players) -> None:
    role_set(connection, None)  # as postgres, even under the rls_app_role plugin
    with connection.cursor() as cursor:  # all of this rolls back with the test
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks on the table
        cursor.execute("CREATE ROLE chancetap_rls_test_owner NOLOGIN")
        cursor.execute("ALTER TABLE payments OWNER TO chancetap_rls_test_owner")
        cursor.execute("GRANT USAGE ON SCHEMA public TO chancetap_rls_test_owner")
    with app_role("chancetap_rls_test_owner"):
        with rls.claims_as(None):
            assert visible("payments") == set()
        with rls.service():
            assert len(visible("payments")) == 2


@pytest.mark.django_db
def test_the_backup_role_bypasses_policies_and_only_reads(two_players) -> None:
    with app_role(rls.BACKUP_DB_ROLE), rls.claims_as(None):
        for table in TABLES:
            assert len(visible(table)) == 2, table
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            Payment.objects.create(user=two_players[0], purpose="topup", stars=1)


# --- claims and transactions ----------------------------------------------------------------------


def look_then_fail(table: str, expected: set[int]) -> None:
    """Inside a (sub)transaction: the claims are set, checked, then rolled back with it."""
    with transaction.atomic():
        assert visible(table) == expected
        raise RuntimeError("roll back")


@pytest.mark.django_db
def test_a_claim_undone_by_a_savepoint_rollback_is_set_again(two_players, as_app) -> None:
    a, b = two_players
    with rls.as_user(a.tg_id):
        assert visible("payments") == {a.tg_id}
        with rls.as_user(b.tg_id):
            with pytest.raises(RuntimeError):
                look_then_fail("payments", {b.tg_id})  # set inside the savepoint…
            # …and undone by its rollback: the wrapper must notice and set it again.
            assert visible("payments") == {b.tg_id}
        assert visible("payments") == {a.tg_id}


@pytest.mark.django_db(transaction=True)
def test_a_claim_undone_by_a_transaction_rollback_is_set_again(two_players, as_app) -> None:
    a, b = two_players
    with rls.as_user(a.tg_id):
        assert visible("wallets") == {a.tg_id}  # set in autocommit: the session keeps it
    with rls.as_user(b.tg_id):
        with pytest.raises(RuntimeError):
            look_then_fail("wallets", {b.tg_id})
        assert visible("wallets") == {b.tg_id}
        with transaction.atomic():
            assert visible("wallets") == {b.tg_id}
        assert visible("wallets") == {b.tg_id}  # committed: still right, no extra work needed
    with rls.claims_as(None):
        assert visible("wallets") == set()


# --- requests on a reused connection --------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_http_requests_see_their_own_rows_and_never_the_previous_requests(
    two_players, as_app, client
) -> None:
    a, b = two_players
    connection.settings_dict["CONN_MAX_AGE"] = 60  # a persistent connection, reused
    try:
        first = client_for(a).get("/rls-test/api").json()
        second = client_for(b).get("/rls-test/api").json()
        third = client_for(a).get("/rls-test/api").json()
        plain = client.get("/rls-test/plain").json()
        with rls.claims_as(None):
            after = _visible()
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
    assert first["pid"] == second["pid"] == third["pid"] == plain["pid"] == after["pid"]
    assert (first["user_ids"], first["role"], first["user_id"]) == ([a.tg_id], "user", str(a.tg_id))
    assert (second["user_ids"], second["user_id"]) == ([b.tg_id], str(b.tg_id))
    assert third["user_ids"] == [a.tg_id]
    # Non-API views (admin, webhook, health) are trusted server code.
    assert (plain["user_ids"], plain["role"]) == (sorted([a.tg_id, b.tg_id]), "service")
    assert (after["user_ids"], after["role"], after["user_id"]) == ([], "", "")


@pytest.mark.django_db
def test_player_endpoints_work_under_row_level_security(two_players, as_app) -> None:
    a, _ = two_players
    client = client_for(a)
    ledger = client.get("/api/v1/payments/ledger")
    assert ledger.status_code == 200, ledger.content
    assert [e["amount"] for e in ledger.json()["items"]] == [7]
    assert client.get("/api/v1/wallets/ton").json()["address"] == f"EQ{a.tg_id}"
    me = client.get("/api/v1/me")
    assert (me.status_code, me.json()["balance"]) == (200, 7)
    # A write from a player's request.
    with rls.service(), transaction.atomic():
        BonusRun.objects.filter(user=a).delete()
        BonusSettings.objects.update_or_create(pk=1, defaults={"min_paid_games": 0})
    started = client.post("/api/v1/bonus/start")
    assert started.status_code in (200, 201), started.content
    with rls.service():
        assert BonusRun.objects.filter(user=a, status="active").count() == 1


@pytest.mark.django_db
def test_an_api_request_sets_its_claims_once_before_looking_up_the_caller(
    two_players, as_app
) -> None:
    """The caller's lookup (``accounts_user`` has no policy) already runs as the player: one
    ``set_config`` round trip per request, not ``service`` for the lookup and then ``user``."""
    a, _ = two_players
    with rls.service():  # the connection carries the service claims, as after another request
        assert User.objects.filter(pk=a.pk).exists()
    statements: list[str] = []
    real = psycopg.ClientCursor.execute

    def spy(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return real(self, query, *args, **kwargs)

    with mock.patch.object(psycopg.ClientCursor, "execute", spy):
        assert client_for(a).get("/api/v1/rooms/tiers").status_code == 200
    claims = [i for i, sql in enumerate(statements) if "set_config" in sql]
    lookup = next(i for i, sql in enumerate(statements) if '"accounts_user"' in sql)
    assert len(claims) == 1
    assert claims[0] < lookup


@pytest.mark.django_db
def test_ledger_postings_across_players_run_as_the_service(two_players, as_app) -> None:
    a, b = two_players
    with rls.as_user(a.tg_id), transaction.atomic():
        posted = ledger_post_in_tx(
            [
                Posting(a.tg_id, LedgerEntry.Kind.ENTRY_FEE, -2, "rls-test:fee"),
                Posting(b.tg_id, LedgerEntry.Kind.PRIZE, 2, "rls-test:prize"),
            ]
        )
        assert posted.applied
        assert rls.claims_current() == rls.user_claims(a.tg_id)
        assert visible("ledger_entries") == {a.tg_id}
    with rls.service():
        assert LedgerEntry.objects.get(business_key="rls-test:prize").user_id == b.tg_id


@pytest.mark.django_db
def test_a_bonus_run_completes_from_another_players_context(two_players, as_app) -> None:
    # The room hub's ticker runs in the context of the socket that started it (any player).
    from rooms.bonus import bonus_run_complete
    from rooms.taps import bonus_prefix, sync_client

    a, b = two_players
    with rls.service():
        run = BonusRun.objects.get(user=a)
        BonusRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    sync_client().hset(bonus_prefix(run.pk) + "taps", str(a.tg_id), run.target_taps)
    try:
        with rls.as_user(b.tg_id):
            assert bonus_run_complete(run_id=run.pk) is True
    finally:
        sync_client().delete(bonus_prefix(run.pk) + "taps")
    with rls.service():
        assert BonusRun.objects.get(pk=run.pk).status == "completed"
        assert LedgerEntry.objects.filter(user=a, kind="bonus_reward").count() == 1


@pytest.mark.django_db
def test_the_admin_sees_every_players_rows(two_players, as_app, client, make_user) -> None:
    with rls.service():
        staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get("/admin/payments/ledgerentry/")
    assert page.status_code == 200
    for player in two_players:
        assert f"rls-test:{player.tg_id}" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_real_server_process_as_the_app_role_serves_each_player_their_rows(two_players) -> None:
    import json
    import urllib.request

    a, b = two_players
    with rls.service(), transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(a.tg_id, LedgerEntry.Kind.PRIZE, 30, "rls-test:prize-a"),
                Posting(b.tg_id, LedgerEntry.Kind.PRIZE, 20, "rls-test:prize-b"),
            ]
        )
    url = server.child_database_url(role=rls.APP_DB_ROLE)
    process = server.ServerProcess(env={"DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "60"})

    def get(user: User, path_: str) -> Any:
        request = urllib.request.Request(
            process.base_url + path_,
            headers={"Authorization": f"Bearer {token_issue(tg_id=user.tg_id)}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    try:
        for _ in range(3):  # alternate players on the server's persistent connections
            for player, prize in ((a, 30), (b, 20)):
                ledger = get(player, "/api/v1/payments/ledger")
                assert sorted(e["amount"] for e in ledger["items"]) == [7, prize]
                assert get(player, "/api/v1/me")["balance"] == 7 + prize
                board = get(player, "/api/v1/leaderboards/games/today")
                assert [i["tg_id"] for i in board["items"]] == [a.tg_id, b.tg_id]
                assert board["me"]["stars_won"] == prize
    finally:
        process.stop()


# --- WebSockets: two sockets interleaved on one shared database thread ----------------------------


@pytest.mark.django_db(transaction=True)
async def test_websocket_claims_follow_each_socket_on_a_shared_connection(
    two_players, as_app
) -> None:
    a, b = two_players
    seen: dict[int, list[dict[str, Any]]] = {a.tg_id: [], b.tg_id: []}
    a_read, b_read = asyncio.Event(), asyncio.Event()

    async def socket_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        me = scope["user"].tg_id
        read = database_sync_to_async(_visible)
        if me == a.tg_id:
            seen[me].append(await read())
            a_read.set()
            await b_read.wait()
            seen[me].append(await read())
        else:
            await a_read.wait()
            seen[me].append(await read())
            b_read.set()

    app = JWTAuthMiddleware(socket_app)

    def scope(user: User) -> dict[str, Any]:
        token = token_issue(tg_id=user.tg_id)
        return {"type": "websocket", "path": "/ws/x/", "subprotocols": ws_subprotocols(token)}

    connection.settings_dict["CONN_MAX_AGE"] = 60  # persistent: one connection for both
    try:
        with rls.claims_as(None):
            await asyncio.gather(app(scope(a), None, None), app(scope(b), None, None))
            after = await database_sync_to_async(_visible)()
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
    pids = {r["pid"] for rows in seen.values() for r in rows} | {after["pid"]}
    assert len(pids) == 1, "both sockets share one database connection"
    assert [r["user_ids"] for r in seen[a.tg_id]] == [[a.tg_id], [a.tg_id]]
    assert [r["user_ids"] for r in seen[b.tg_id]] == [[b.tg_id]]
    assert after["user_ids"] == []
    await sync_to_async(connections.close_all, thread_sensitive=True)()


# --- background work: Celery, the bot, management commands ----------------------------------------


@pytest.mark.django_db
def test_celery_tasks_run_as_the_service(two_players, as_app) -> None:
    from rooms.bonus import bonus_runs_sweep
    from rooms.tasks import sweep_bonus_runs

    with rls.claims_as(None):
        assert bonus_runs_sweep() == 0, "without a claim the sweeper sees no bonus run"
        result = sweep_bonus_runs.apply()
        assert rls.claims_current() is None, "the task's claim ends with the task"
    assert result.successful(), result.traceback
    assert result.get() == 2
    with rls.service():
        assert set(BonusRun.objects.values_list("status", flat=True)) == {"expired"}


@pytest.mark.django_db(transaction=True)
async def test_bot_updates_run_as_the_service(as_app, make_user, fake_bot_api) -> None:
    from aiogram.types import Update

    from botapp.bot import bot_create, dispatcher_create
    from botapp.tests.updates import successful_payment

    def setup() -> tuple[User, Payment]:
        with rls.service():
            user = make_user()
            return user, Payment.objects.create(user=user, purpose="topup", stars=12)

    user, payment = await sync_to_async(setup)()
    bot = bot_create()
    charge_id = "stxRLS" + uuid.uuid4().hex
    update = Update.model_validate(
        {"update_id": 1, **successful_payment(user, payment, charge_id)}, context={"bot": bot}
    )
    try:
        with rls.claims_as(None):
            await dispatcher_create().feed_update(bot, update)
    finally:
        await bot.session.close()

    def check() -> tuple[str, list[int]]:
        with rls.service():
            payment.refresh_from_db()
            return payment.status, list(
                LedgerEntry.objects.filter(user=user).values_list("amount", flat=True)
            )

    assert await sync_to_async(check)() == ("paid", [12])
    await sync_to_async(connections.close_all, thread_sensitive=True)()


def _command(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    url = server.child_database_url(role=rls.APP_DB_ROLE)
    return subprocess.run(
        [sys.executable, *(["manage.py", *args] if not code else ["-c", code])],
        cwd=server.ROOT,
        env=server.child_env({"DATABASE_URL": url}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_management_commands_run_as_the_service(two_players) -> None:
    done = _command("", "ledger_check")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "every balance equals" in done.stdout
    # The same check outside manage.py, with no claim: the ledger is invisible (fail closed).
    bare = _command(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'chancetap.settings');"
        "django.setup(); from payments.ledger import ledger_mismatches;"
        "print(len(ledger_mismatches()))"
    )
    assert bare.returncode == 0, bare.stderr[-2000:]
    assert bare.stdout.strip().splitlines()[-1] == "2"


@pytest.mark.django_db
def test_rls_setup_command_is_idempotent() -> None:
    from io import StringIO

    from django.core.management import call_command

    role_set(connection, None)  # run as the owner, even under the rls_app_role plugin
    out = StringIO()
    call_command("rls_setup", stdout=out)
    call_command("rls_setup", stdout=out)
    assert out.getvalue().count("chancetap_backup: present, granted (BYPASSRLS)") == 2
    assert "chancetap_app: present, granted (bound by row-level security)" in out.getvalue()


@pytest.mark.django_db
def test_deploy_check_warns_about_a_role_that_bypasses_rls() -> None:
    role_set(connection, None)
    assert [w.id for w in rls.check_runtime_role(databases=["default"])] == ["chancetap.W001"]
    with app_role():
        assert rls.check_runtime_role(databases=["default"]) == []


# --- embedded mode --------------------------------------------------------------------------------


def test_sqlite_migrates_without_any_of_it(tmp_path) -> None:
    env = server.child_env({"CHANCETAP_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "1"})
    env.pop("DATABASE_URL")
    env["DATABASE_URL"] = ""
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=server.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "chancetap.sqlite3").is_file()


def test_no_connection_without_postgres_gets_the_wrapper() -> None:
    class Fake:
        vendor = "sqlite"
        execute_wrappers: list[Any] = []

    fake = Fake()
    rls.connection_install(fake)  # type: ignore[arg-type]
    assert fake.execute_wrappers == []


def test_role_set_ignores_closed_connections() -> None:
    class Closed:
        vendor = "postgresql"
        connection = None

    role_set(Closed(), rls.APP_DB_ROLE)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_players_notifications_are_his_own(make_user, as_app) -> None:
    """Bot notifications (written by the service in the event's transaction) are private rows."""
    with rls.service():
        a, b = make_user(), make_user()
        with transaction.atomic():
            for user in (a, b):
                notification_enqueue_in_tx(
                    user_id=user.tg_id, kind="support_refund", key=f"rls:{user.tg_id}", params={}
                )
    with rls.as_user(a.tg_id):
        assert visible("notifications") == {a.tg_id}
    with rls.service():
        assert visible("notifications") == {a.tg_id, b.tg_id}
    with rls.claims_as(None):
        assert visible("notifications") == set()
