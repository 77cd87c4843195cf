"""The two languages of the product: Russian for Russian-speaking Telegram users, else English."""

from __future__ import annotations

RUSSIAN_SPEAKING = frozenset({"ru", "uk", "be", "kk"})


def language_for(language_code: str | None) -> str:
    base = (language_code or "").lower().replace("_", "-").split("-")[0]
    return "ru" if base in RUSSIAN_SPEAKING else "en"


def plural(n: int, language: str, forms: tuple[str, ...]) -> str:
    """The word for ``n`` things: English (one, many); Russian (one, few, many): 1 тап, 2 тапа,
    5 тапов, 11 тапов, 21 тап."""
    n = abs(n)
    if language != "ru":
        return forms[0] if n == 1 else forms[-1]
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]
