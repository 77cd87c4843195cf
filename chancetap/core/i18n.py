"""The two languages of the product: Russian for Russian-speaking Telegram users, else English."""

from __future__ import annotations

RUSSIAN_SPEAKING = frozenset({"ru", "uk", "be", "kk"})


def language_for(language_code: str | None) -> str:
    base = (language_code or "").lower().replace("_", "-").split("-")[0]
    return "ru" if base in RUSSIAN_SPEAKING else "en"
