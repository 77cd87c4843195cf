"""Apply any Stars payment Telegram has that our records miss (getStarTransactions)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Page through Telegram's getStarTransactions and apply missing payments and refunds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--max-pages", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        report = payments_reconcile(max_pages=max(1, options["max_pages"]))
        self.stdout.write(
            f"reconcile: {report.seen} transaction(s) seen, {report.applied} applied, "
            f"{report.refunds_recorded} refund(s) recorded, {report.skipped} skipped"
        )
