"""``manage.py error_codes --file docs/error-codes.json``: every error code a player can get."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from chancetap.errorcodes.catalogue import catalogue_text


class Command(BaseCommand):
    help = (
        "Write the catalogue of every error code the server can send a player "
        "(docs/error-codes.json), collected from the source; stdout by default."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", help="write here instead of stdout")

    def handle(self, *args: Any, file: str | None = None, **options: Any) -> None:
        text = catalogue_text()
        if file is None:
            sys.stdout.write(text)
            return
        with open(file, "w", encoding="utf-8") as out:
            out.write(text)
