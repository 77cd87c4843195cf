"""Recompute the leaderboard aggregates from the donation rows and report differences."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from leaderboards.services import leaderboards_rebuild


class Command(BaseCommand):
    help = "Recompute donation aggregates from the rows; --check only reports (exit 1 on drift)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Report only, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = leaderboards_rebuild(fix=not options["check"])
        for line in report.differences:
            self.stderr.write(f"DIFF {line}")
        verb = "found" if options["check"] else "fixed"
        self.stdout.write(f"rebuild_leaderboards: {len(report.differences)} difference(s) {verb}")
        if options["check"] and report.differences:
            raise SystemExit(1)
