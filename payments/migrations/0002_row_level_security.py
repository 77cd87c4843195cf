"""Row-level security on payments, ledger entries and TON wallets (SPEC §2). PostgreSQL only."""

from django.db import migrations

from chancetap.rls.sql import policies, roles


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("core", "0002_row_level_security")]

    # roles() again: grants tables created after core's migration by another role, if any.
    operations = [*policies("payments", "ledger_entries", "wallets"), *roles()]
