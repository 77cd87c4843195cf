"""Bot texts in Russian and English; error replies chosen by ApplicationError code."""

from __future__ import annotations

from chancetap.core.i18n import language_for

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": (
            "<b>Welcome to Chance Tap, {name}!</b>\n\n"
            "Tap faster than nine other players to win the Stars pool, run your own hero rooms "
            "and climb the donation leaderboard with your friends."
        ),
        "welcome_referred": "You joined through a friend's invitation — good luck!",
        "enter_button": "Enter the game",
        "menu_button": "Play",
        "command_start": "Open Chance Tap",
        "blocked": "Your account is blocked. Contact support if you think this is a mistake.",
        "payment_thanks": "Payment received: {stars} ⭐. Thank you!",
        "error.payment_not_found": "This invoice is unknown. Open the game and try again.",
        "error.payment_not_payable": "This invoice is no longer valid. Create a new one.",
        "error.payment_user_mismatch": "This invoice was created for another player.",
        "error.payment_amount_mismatch": "The invoice amount does not match. Create a new one.",
        "error.user_blocked": "Your account is blocked.",
        "error.service_busy": "We are a little overloaded. Please send /start again in a moment.",
        "error.generic": "Something went wrong. Please try again in a moment.",
    },
    "ru": {
        "welcome": (
            "<b>Добро пожаловать в Chance Tap, {name}!</b>\n\n"
            "Тапай быстрее девяти соперников и забирай банк звёзд, создавай свои комнаты героя "
            "и поднимайся в лидерборде донатов вместе с друзьями."
        ),
        "welcome_referred": "Вы пришли по приглашению друга — удачи!",
        "enter_button": "Войти в игру",
        "menu_button": "Играть",
        "command_start": "Открыть Chance Tap",
        "blocked": "Ваш аккаунт заблокирован. Если это ошибка, напишите в поддержку.",
        "payment_thanks": "Оплата получена: {stars} ⭐. Спасибо!",
        "error.payment_not_found": "Этот счёт неизвестен. Откройте игру и попробуйте снова.",
        "error.payment_not_payable": "Этот счёт больше не действует. Создайте новый.",
        "error.payment_user_mismatch": "Этот счёт создан для другого игрока.",
        "error.payment_amount_mismatch": "Сумма счёта не совпадает. Создайте новый.",
        "error.user_blocked": "Ваш аккаунт заблокирован.",
        "error.service_busy": "Мы немного перегружены. Отправьте /start ещё раз чуть позже.",
        "error.generic": "Что-то пошло не так. Попробуйте ещё раз чуть позже.",
    },
}


def text(key: str, language_code: str | None, **params: object) -> str:
    """The text ``key`` in the user's language (Russian for ru/uk/be/kk, else English)."""
    table = TEXTS[language_for(language_code)]
    return table.get(key, TEXTS["en"].get(key, key)).format(**params)


def error_text(code: str, language_code: str | None) -> str:
    """The reply for an ``ApplicationError`` code; a generic apology for codes without one."""
    table = TEXTS[language_for(language_code)]
    return table.get(f"error.{code}", table["error.generic"])
