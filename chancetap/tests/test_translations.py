"""Our server-side messages (admin forms) exist in Russian, and the compiled catalogue matches the
source (``make messages`` rebuilds both)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str]]:
    text = PO.read_text()
    return re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M)


def test_every_message_has_russian_and_the_compiled_catalogue_is_current() -> None:
    entries = _entries()
    assert entries, "no messages found in the catalogue"
    assert [en for en, ru in entries if not ru] == []
    with translation.override("ru"):
        stale = [en for en, ru in entries if translation.gettext(en) != ru]
    assert stale == [], "locale/ru/LC_MESSAGES/django.mo is stale: run make messages"
