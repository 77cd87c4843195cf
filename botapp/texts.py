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
        "command_help": "How to play",
        "command_balance": "My balance",
        "command_paysupport": "Help with a payment",
        "command_terms": "Rules and terms",
        "help": (
            "<b>Chance Tap</b> — tap faster than the others to win the pool.\n\n"
            "• Pick a room, pay its fee in Stars and wait for 10 players.\n"
            "• When the game starts, tap: the first to reach the target wins the prize "
            "(the pool minus the house share).\n"
            "• Organise a hero room and share its key: you earn a share of every prize in it.\n"
            "• The 24-hour bonus pays Stars for a tap target.\n\n"
            "/balance — your Stars\n/paysupport — help with a payment\n/terms — rules and terms"
        ),
        "balance": "Your balance: <b>{balance} ⭐</b>{debt}",
        "balance_debt": "\nOwed after a refund: {debt} ⭐ (taken from your next credits).",
        "paysupport": (
            "<b>Payment support</b>\n\nWrite to {contact} and quote the charge id below. "
            "Stars spent in a game that has been played cannot be returned; a cancelled or "
            "unfinished room refunds its fee automatically."
        ),
        "paysupport_none": "We have no Stars payments from you yet.",
        "paysupport_charges": "\n\nYour recent payments:",
        "paysupport_charge": "• {date} — {stars} ⭐, {purpose}{refunded}\n  <code>{charge}</code>",
        "purpose.topup": "top-up",
        "purpose.donation": "donation",
        "refunded_mark": " (refunded)",
        "terms": (
            "<b>Rules and terms</b>\n\n"
            "1. Chance Tap is a game of speed. Entry fees are paid in Telegram Stars; the winner "
            "of a room gets its pool minus the house share, now {house} % (in hero rooms the "
            "organiser gets {organizer} % and the house nothing).\n"
            "2. A room that does not gather enough players, or a hero room its organiser does "
            "not start, is cancelled and every fee is refunded to your balance.\n"
            "3. Automated tapping is cheating: a cheater's taps do not count and he cannot win.\n"
            "4. Donations are voluntary and are not refunded once made, except by support for "
            "a payment error.\n"
            "5. Blocked accounts cannot play.\n\n"
            "Payment questions: /paysupport. The full rules are in the app under Profile → "
            "Rules & terms."
        ),
        "open_app": "Open the game",
        "notify.won": (
            "🏆 <b>You won room #{room_id}!</b>\n"
            "Prize: <b>{prize} ⭐</b> — the pool of {pool} ⭐ from {players} {players_word} "
            "minus the house share. Your taps: {taps}."
        ),
        "notify.lost": (
            "Room #{room_id} is over: another player reached the target first. "
            "Your taps: {taps}. Better luck next game!"
        ),
        "notify.no_winner": (
            "Room #{room_id} ended without a winner: your fee of {fee} ⭐ is back on your balance."
        ),
        "notify.organizer_share": "As its organiser you earned <b>{share} ⭐</b>.",
        "notify.organizer_room_over": "Your hero room #{room_id} is over.",
        "notify.room_cancelled": (
            "Room #{room_id} did not gather enough players and was cancelled. "
            "Your fee of {fee} ⭐ is back on your balance."
        ),
        "notify.room_cancelled_staff": (
            "Room #{room_id} was cancelled by support. "
            "Your fee of {fee} ⭐ is back on your balance."
        ),
        "notify.hero_timeout": (
            "Hero room #{room_id} timed out before its organiser started the game. "
            "Your fee of {fee} ⭐ is back on your balance."
        ),
        "notify.hero_timeout_organizer": (
            "Your hero room #{room_id} timed out before you started the game; "
            "its players got their fees back."
        ),
        "notify.bonus_completed": (
            "🎉 Bonus run complete: {target_taps} {target_word}! "
            "<b>{reward} ⭐</b> added to your balance."
        ),
        "notify.bonus_expired": (
            "Your 24-hour bonus run ended at {taps} of {target_taps} taps. "
            "Start a new one in the game."
        ),
        "notify.support_refund": (
            "Support refunded <b>{stars} ⭐</b> of your payment to your Telegram account."
        ),
        "notify.ton_credited": (
            "Your TON top-up arrived: {tons} TON → <b>{stars} ⭐</b> on your balance."
        ),
        "notify.referral_donation": (
            "Your friend {friend} made a first donation of {stars} ⭐ — it counts for you on the "
            "referral leaderboard."
        ),
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
        "command_help": "Как играть",
        "command_balance": "Мой баланс",
        "command_paysupport": "Помощь с оплатой",
        "command_terms": "Правила и условия",
        "help": (
            "<b>Chance Tap</b> — тапайте быстрее других и забирайте банк.\n\n"
            "• Выберите комнату, оплатите взнос звёздами и дождитесь 10 игроков.\n"
            "• Когда игра начнётся, тапайте: первый, кто дойдёт до цели, получает приз "
            "(банк за вычетом доли заведения).\n"
            "• Создайте комнату героя и поделитесь ключом: с каждого приза в ней вам "
            "полагается доля.\n"
            "• Бонус на 24 часа платит звёзды за цель по тапам.\n\n"
            "/balance — ваши звёзды\n/paysupport — помощь с оплатой\n/terms — правила и условия"
        ),
        "balance": "Ваш баланс: <b>{balance} ⭐</b>{debt}",
        "balance_debt": "\nДолг после возврата: {debt} ⭐ (спишется со следующих зачислений).",
        "paysupport": (
            "<b>Поддержка по оплатам</b>\n\nНапишите {contact} и укажите номер платежа ниже. "
            "Звёзды, потраченные на сыгранную игру, не возвращаются; отменённая или "
            "несостоявшаяся комната возвращает взнос автоматически."
        ),
        "paysupport_none": "Платежей звёздами от вас пока не было.",
        "paysupport_charges": "\n\nВаши последние платежи:",
        "paysupport_charge": "• {date} — {stars} ⭐, {purpose}{refunded}\n  <code>{charge}</code>",
        "purpose.topup": "пополнение",
        "purpose.donation": "донат",
        "refunded_mark": " (возвращён)",
        "terms": (
            "<b>Правила и условия</b>\n\n"
            "1. Chance Tap — игра на скорость. Взносы платятся звёздами Telegram; победитель "
            "комнаты получает банк за вычетом доли заведения — сейчас {house} % (в комнатах "
            "героя организатор получает {organizer} %, заведение ничего).\n"
            "2. Комната, не набравшая игроков, или комната героя, которую организатор не "
            "запустил, отменяется, и все взносы возвращаются на баланс.\n"
            "3. Автоматические тапы — это жульничество: тапы нарушителя не засчитываются, и он "
            "не может выиграть.\n"
            "4. Донаты добровольны и не возвращаются, кроме как поддержкой при ошибке оплаты.\n"
            "5. Заблокированные аккаунты не могут играть.\n\n"
            "Вопросы по оплатам: /paysupport. Полные правила — в приложении: Профиль → "
            "Правила и условия."
        ),
        "open_app": "Открыть игру",
        "notify.won": (
            "🏆 <b>Вы выиграли в комнате #{room_id}!</b>\n"
            "Приз: <b>{prize} ⭐</b> — банк {pool} ⭐ от {players} {players_word} "
            "за вычетом доли заведения. Ваши тапы: {taps}."
        ),
        "notify.lost": (
            "Игра в комнате #{room_id} окончена: другой игрок первым дошёл до цели. "
            "Ваши тапы: {taps}. Удачи в следующей игре!"
        ),
        "notify.no_winner": (
            "Игра в комнате #{room_id} закончилась без победителя: взнос {fee} ⭐ вернулся "
            "на баланс."
        ),
        "notify.organizer_share": "Как организатор вы заработали <b>{share} ⭐</b>.",
        "notify.organizer_room_over": "Игра в вашей комнате героя #{room_id} окончена.",
        "notify.room_cancelled": (
            "Комната #{room_id} не набрала игроков и отменена. Взнос {fee} ⭐ вернулся на баланс."
        ),
        "notify.room_cancelled_staff": (
            "Комнату #{room_id} отменила поддержка. Взнос {fee} ⭐ вернулся на баланс."
        ),
        "notify.hero_timeout": (
            "Время комнаты героя #{room_id} вышло: организатор не запустил игру. "
            "Взнос {fee} ⭐ вернулся на баланс."
        ),
        "notify.hero_timeout_organizer": (
            "Время вашей комнаты героя #{room_id} вышло до старта игры; игрокам вернули взносы."
        ),
        "notify.bonus_completed": (
            "🎉 Бонус выполнен: {target_taps} {target_word}! "
            "<b>{reward} ⭐</b> зачислено на баланс."
        ),
        "notify.bonus_expired": (
            "Бонус на 24 часа закончился на {taps} из {target_taps} тапов. Начните новый в игре."
        ),
        "notify.support_refund": (
            "Поддержка вернула <b>{stars} ⭐</b> из вашего платежа на ваш аккаунт Telegram."
        ),
        "notify.ton_credited": (
            "Пополнение в TON получено: {tons} TON → <b>{stars} ⭐</b> на балансе."
        ),
        "notify.referral_donation": (
            "Ваш друг {friend} сделал первый донат на {stars} ⭐ — он засчитан вам в "
            "лидерборде рефералов."
        ),
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
