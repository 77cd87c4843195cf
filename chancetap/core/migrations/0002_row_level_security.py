"""Database roles for row-level security and the policy on idempotency records (SPEC §2).

PostgreSQL only; see ``chancetap/rls/sql.py`` and docs/operations.md.
"""

from django.db import migrations

from chancetap.rls.sql import policies, roles


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [*roles(), *policies("idempotency_records")]
