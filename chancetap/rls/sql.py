"""SQL for row-level security, used by the migrations (PostgreSQL only; SQLite skips it).

Policies (one per user-private table, forced for the owner too) admit a row to the ``service``
claim, or to the ``user`` claim whose ``jwt.claims.user_id`` is the row's ``user_id``. With no
claim nothing is visible (``current_setting(…, true)`` is NULL or '' then).

Roles (idempotent, cluster-wide): ``chancetap_app`` — what the app connects as at runtime
(DML only, no ``BYPASSRLS``); ``chancetap_backup`` — read-only with ``BYPASSRLS`` for ``pg_dump``.
Both are created ``NOLOGIN``; operations give them a password and ``LOGIN`` (docs/operations.md).
A migration user that may not create roles (or, for ``BYPASSRLS``, is no superuser) leaves a
notice instead, and the grants wait until the roles exist and the migration runs again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from chancetap.rls import APP_DB_ROLE, BACKUP_DB_ROLE, ROLE_CLAIM, USER_ID_CLAIM

POLICY_NAME = "chancetap_owner_or_service"

ALLOWS = (
    f"current_setting('{ROLE_CLAIM}', true) = 'service' OR "
    f"(current_setting('{ROLE_CLAIM}', true) = 'user' AND "
    f"user_id = nullif(current_setting('{USER_ID_CLAIM}', true), '')::bigint)"
)

ROLES_SQL = f"""
DO $$
DECLARE
    me record;
BEGIN
    SELECT rolsuper, rolcreaterole INTO me FROM pg_roles WHERE rolname = current_user;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_DB_ROLE}') THEN
        IF me.rolsuper OR me.rolcreaterole THEN
            CREATE ROLE {APP_DB_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        ELSE
            RAISE NOTICE 'role {APP_DB_ROLE} is missing and % may not create it', current_user;
        END IF;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{BACKUP_DB_ROLE}') THEN
        IF me.rolsuper THEN
            CREATE ROLE {BACKUP_DB_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
        ELSE
            RAISE NOTICE 'role {BACKUP_DB_ROLE} (BYPASSRLS) needs a superuser to create it';
        END IF;
    END IF;
END
$$;
"""  # noqa: S608 - fixed role names, no input

GRANTS_SQL = f"""
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_DB_ROLE}') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO {APP_DB_ROLE}', current_database());
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_DB_ROLE}', current_schema());
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {APP_DB_ROLE}',
            current_schema());
        EXECUTE format(
            'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO {APP_DB_ROLE}',
            current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
            'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_DB_ROLE}', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
            'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {APP_DB_ROLE}', current_schema());
        -- The ledger is append-only (payments 0003): granting "ALL TABLES" again must not undo it.
        IF to_regclass('ledger_entries') IS NOT NULL THEN
            REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries FROM {APP_DB_ROLE};
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{BACKUP_DB_ROLE}') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO {BACKUP_DB_ROLE}', current_database());
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {BACKUP_DB_ROLE}', current_schema());
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO {BACKUP_DB_ROLE}',
            current_schema());
        EXECUTE format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA %I TO {BACKUP_DB_ROLE}',
            current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
            'GRANT SELECT ON TABLES TO {BACKUP_DB_ROLE}', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
            'GRANT SELECT ON SEQUENCES TO {BACKUP_DB_ROLE}', current_schema());
    END IF;
END
$$;
"""  # noqa: S608 - fixed role names, no input


def policy_sql(table: str) -> str:
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS {POLICY_NAME} ON {table};
CREATE POLICY {POLICY_NAME} ON {table} AS PERMISSIVE FOR ALL TO PUBLIC
    USING ({ALLOWS}) WITH CHECK ({ALLOWS});
"""


def policy_reverse_sql(table: str) -> str:
    return f"""
DROP POLICY IF EXISTS {POLICY_NAME} ON {table};
ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;
"""


def run_on_postgres(sql: str, reverse_sql: str = "") -> migrations.RunPython:
    """A ``RunSQL`` that only PostgreSQL runs (embedded SQLite has no RLS)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        if reverse_sql and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql, params=None)

    return migrations.RunPython(forward, backward, elidable=False)


def policies(*tables: str) -> list[migrations.RunPython]:
    return [run_on_postgres(policy_sql(t), policy_reverse_sql(t)) for t in tables]


def roles() -> list[migrations.RunPython]:
    return [run_on_postgres(ROLES_SQL), run_on_postgres(GRANTS_SQL)]
