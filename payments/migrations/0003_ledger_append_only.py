"""The ledger is append-only in the database (SPEC §2: every movement is an immutable entry).

A trigger refuses UPDATE and DELETE of ``ledger_entries`` rows for every role, the owner that
migrates included: a correction is a new entry (an adjustment), never an edit. The runtime role
also loses the UPDATE and DELETE privileges (``rls_migrations.GRANTS_SQL`` keeps them revoked when
later migrations grant again). TRUNCATE fires no row trigger: the test suite's flush still works,
and only the owner may truncate. PostgreSQL only (embedded SQLite has no roles).
"""

from django.db import migrations

from chancetap.rls import APP_DB_ROLE
from chancetap.rls.sql import run_on_postgres

APPEND_ONLY_SQL = f"""
CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: % of entry % refused', TG_OP, OLD.id
        USING HINT = 'Post a new entry (an adjustment) instead.';
END
$$;
DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_DB_ROLE}') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries FROM {APP_DB_ROLE};
    END IF;
END
$$;
"""  # noqa: S608 - fixed role name, no input

REVERSE_SQL = f"""
DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries;
DROP FUNCTION IF EXISTS ledger_entries_append_only();
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_DB_ROLE}') THEN
        GRANT UPDATE, DELETE ON ledger_entries TO {APP_DB_ROLE};
    END IF;
END
$$;
"""  # noqa: S608 - fixed role name, no input


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_row_level_security")]

    operations = [run_on_postgres(APPEND_ONLY_SQL, REVERSE_SQL)]
