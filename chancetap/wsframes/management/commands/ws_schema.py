"""``manage.py ws_schema --file docs/ws-frames.json``: the WebSocket frames' JSON Schema."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from chancetap.wsframes.schema import frames_schema


def frames_schema_text() -> str:
    return json.dumps(frames_schema(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Write the JSON Schema of every WebSocket frame (docs/ws-frames.json); stdout by default."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", help="write here instead of stdout")

    def handle(self, *args: Any, file: str | None = None, **options: Any) -> None:
        text = frames_schema_text()
        if file is None:
            sys.stdout.write(text)
            return
        with open(file, "w", encoding="utf-8") as out:
            out.write(text)
