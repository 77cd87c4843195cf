"""Prove every cached balance equals the sum of its ledger entries and that business events
conserve Stars (rooms, Stars charges)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from payments.ledger import ledger_mismatches


class Command(BaseCommand):
    help = (
        "Check that every balance equals the sum of its ledger entries and that rooms and Stars "
        "charges conserve Stars (exit 1 on mismatch)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_mismatches()
        for problem in problems:
            self.stderr.write(f"MISMATCH {problem}")
        if problems:
            raise CommandError(f"ledger check failed: {len(problems)} mismatch(es)")
        self.stdout.write(
            "ledger check: every balance equals the sum of its entries; "
            "rooms and Stars charges conserve Stars"
        )
