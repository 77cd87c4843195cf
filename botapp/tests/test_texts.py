"""Bot texts: both languages complete; the language rule; error replies by code."""

from __future__ import annotations

import pytest

from botapp.texts import TEXTS, error_text, text


def test_both_languages_have_the_same_keys() -> None:
    assert set(TEXTS["ru"]) == set(TEXTS["en"])
    assert all(value.strip() for table in TEXTS.values() for value in table.values())


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("ru", "Войти в игру"),
        ("uk", "Войти в игру"),
        ("be", "Войти в игру"),
        ("kk", "Войти в игру"),
        ("RU", "Войти в игру"),
        ("ru-RU", "Войти в игру"),
        ("en", "Enter the game"),
        ("de", "Enter the game"),
        ("", "Enter the game"),
        (None, "Enter the game"),
    ],
)
def test_language_rule(language_code, expected) -> None:
    assert text("enter_button", language_code) == expected


def test_error_text_by_code_with_generic_fallback() -> None:
    assert error_text("payment_user_mismatch", "ru") == "Этот счёт создан для другого игрока."
    assert (
        error_text("payment_user_mismatch", "en") == "This invoice was created for another player."
    )
    assert error_text("no_such_code", "en") == TEXTS["en"]["error.generic"]
    assert error_text("no_such_code", "kk") == TEXTS["ru"]["error.generic"]


def test_text_formats_parameters() -> None:
    assert text("payment_thanks", "en", stars=25) == "Payment received: 25 ⭐. Thank you!"
