"""``/start`` through the bot as it runs in production: ``manage.py runbot`` in its own process,
long-polling a fake Bot API on 127.0.0.1, on the real test database."""

from __future__ import annotations

import signal
import time

import pytest

from accounts.models import User
from botapp.handlers.start import start_param_from
from botapp.tests.conftest import BOT_WEBAPP_URL
from botapp.tests.updates import command_update, tg_user_dict, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def chat_calls(api, method: str, chat_id: int) -> list[dict]:
    return [c for c in api.calls(method) if str(c.get("chat_id")) == str(chat_id)]


def sent_to(api, chat_id: int, timeout: float = 15) -> dict:
    """The first sendMessage to ``chat_id`` (waiting for it)."""
    wait_until(lambda: chat_calls(api, "sendMessage", chat_id), timeout)
    return chat_calls(api, "sendMessage", chat_id)[0]


def only_button(sent: dict) -> dict:
    markup = sent["reply_markup"]
    assert "keyboard" not in markup  # a reply keyboard would open the app without initData
    [[button]] = markup["inline_keyboard"]
    return button


def test_start_with_referral_in_russian(bot_process, fake_bot_api, make_user, next_tg_id) -> None:
    referrer = make_user()
    new_id = next_tg_id()
    sender = tg_user_dict(new_id, first_name="Иван <script>", language_code="ru")
    fake_bot_api.inject_update(command_update(sender, f"/start ref_{referrer.tg_id}"))

    sent = sent_to(fake_bot_api, new_id)
    assert "Добро пожаловать в Chance Tap, Иван &lt;script&gt;!" in sent["text"]
    assert "по приглашению друга" in sent["text"]
    assert sent["parse_mode"] == "HTML"
    button = only_button(sent)
    assert button == {"text": "Войти в игру", "web_app": {"url": BOT_WEBAPP_URL}}

    created = User.objects.get(tg_id=new_id)
    assert created.referrer_id == referrer.tg_id
    assert created.language_code == "ru"
    assert created.first_name == "Иван <script>"

    wait_until(lambda: chat_calls(fake_bot_api, "setChatMenuButton", new_id))
    [menu] = chat_calls(fake_bot_api, "setChatMenuButton", new_id)
    assert menu["menu_button"] == {
        "type": "web_app",
        "text": "Играть",
        "web_app": {"url": BOT_WEBAPP_URL},
    }


def test_start_up_sets_the_default_menu_button_and_commands(bot_process, fake_bot_api) -> None:
    defaults = [c for c in fake_bot_api.calls("setChatMenuButton") if "chat_id" not in c]
    assert defaults == [
        {"menu_button": {"type": "web_app", "text": "Play", "web_app": {"url": BOT_WEBAPP_URL}}}
    ]
    commands = {
        c.get("language_code", ""): c["commands"] for c in fake_bot_api.calls("setMyCommands")
    }
    assert set(commands) == {"", "ru", "uk", "be", "kk"}
    assert commands[""] == [
        {"command": "start", "description": "Open Chance Tap"},
        {"command": "help", "description": "How to play"},
        {"command": "balance", "description": "My balance"},
        {"command": "paysupport", "description": "Help with a payment"},
        {"command": "terms", "description": "Rules and terms"},
    ]
    assert [c["command"] for c in commands["ru"]] == [
        "start",
        "help",
        "balance",
        "paysupport",
        "terms",
    ]
    assert commands["ru"][0] == {"command": "start", "description": "Открыть Chance Tap"}
    assert commands["ru"][3] == {"command": "paysupport", "description": "Помощь с оплатой"}
    # Polling asks only for what the routers handle, and payments need pre_checkout_query.
    allowed = fake_bot_api.calls("getUpdates")[0]["allowed_updates"]
    assert {"message", "pre_checkout_query"} <= set(allowed)


LANGUAGES = [
    ("en", "Welcome to Chance Tap, Player!", "Enter the game"),
    ("de", "Welcome to Chance Tap, Player!", "Enter the game"),
    (None, "Welcome to Chance Tap, Player!", "Enter the game"),
    ("uk", "Добро пожаловать в Chance Tap, Player!", "Войти в игру"),
    ("kk", "Добро пожаловать в Chance Tap, Player!", "Войти в игру"),
    ("be", "Добро пожаловать в Chance Tap, Player!", "Войти в игру"),
    ("ru-RU", "Добро пожаловать в Chance Tap, Player!", "Войти в игру"),
]


def test_language_of_the_welcome(bot_process, fake_bot_api, next_tg_id) -> None:
    ids = [next_tg_id() for _ in LANGUAGES]
    for tg_id, (language_code, _, _) in zip(ids, LANGUAGES, strict=True):
        sender = tg_user_dict(tg_id, language_code=language_code)
        fake_bot_api.inject_update(command_update(sender, "/start"))
    for tg_id, (language_code, welcome, button_text) in zip(ids, LANGUAGES, strict=True):
        sent = sent_to(fake_bot_api, tg_id)
        assert welcome in sent["text"], language_code
        assert "invitation" not in sent["text"]
        assert "приглашению" not in sent["text"]
        assert only_button(sent) == {"text": button_text, "web_app": {"url": BOT_WEBAPP_URL}}
    assert User.objects.filter(tg_id__in=ids, referrer__isnull=True).count() == len(ids)


def test_second_start_refreshes_without_changing_the_referrer(
    bot_process, fake_bot_api, make_user
) -> None:
    someone = make_user()
    user = make_user(first_name="Old", language_code="en")
    sender = tg_user_dict(user.tg_id, first_name="New", language_code="en", username="newname")
    fake_bot_api.inject_update(command_update(sender, f"/start ref_{someone.tg_id}"))
    sent = sent_to(fake_bot_api, user.tg_id)
    assert "Welcome to Chance Tap, New!" in sent["text"]
    assert "invitation" not in sent["text"]
    user.refresh_from_db()
    assert (user.first_name, user.username, user.referrer_id) == ("New", "newname", None)
    assert User.objects.filter(tg_id=user.tg_id).count() == 1


def test_blocked_user_gets_the_blocked_text_and_no_button(
    bot_process, fake_bot_api, make_user
) -> None:
    blocked_en = make_user(is_blocked=True, language_code="en")
    blocked_ru = make_user(is_blocked=True, language_code="ru")
    for user in (blocked_en, blocked_ru):
        fake_bot_api.inject_update(
            command_update(tg_user_dict(user.tg_id, language_code=user.language_code), "/start")
        )
    sent_en = sent_to(fake_bot_api, blocked_en.tg_id)
    sent_ru = sent_to(fake_bot_api, blocked_ru.tg_id)
    assert sent_en["text"].startswith("Your account is blocked.")
    assert sent_ru["text"].startswith("Ваш аккаунт заблокирован.")
    assert "reply_markup" not in sent_en
    assert "reply_markup" not in sent_ru
    time.sleep(0.3)
    for user in (blocked_en, blocked_ru):
        assert chat_calls(fake_bot_api, "setChatMenuButton", user.tg_id) == []


BAD_PAYLOADS = [
    "ref_abc",
    "ref_",
    "x" * 200,
    "ref_" + "9" * 200,
    "ref_-5",
    "ref_0",
    "ref_007",
    "ref_99999999999999999999",  # beyond any Telegram id
    "ref_123 ref_456",
    "REF_123",
    "ref_١٢٣",  # non-ASCII digits
    "<b>ref_1</b>",
]


@pytest.mark.parametrize("payload", BAD_PAYLOADS)
def test_start_param_from_ignores_malformed_payloads(payload) -> None:
    assert start_param_from(payload) == ""


def test_start_param_from_passes_referral_codes() -> None:
    assert start_param_from("ref_42") == "ref_42"
    assert start_param_from("  ref_4503599627370496 ") == "ref_4503599627370496"
    assert start_param_from(None) == ""


def test_malformed_payloads_never_crash_nor_set_a_referrer(
    bot_process, fake_bot_api, make_user, next_tg_id
) -> None:
    referrer = make_user()
    blocked_referrer = make_user(is_blocked=True)
    cases = [f"/start {payload}" for payload in BAD_PAYLOADS]
    ids = [next_tg_id() for _ in range(len(cases) + 5)]
    cases += [
        f"/start ref_{ids[len(cases)]}",  # self-referral
        "/start ref_999999999999",  # unknown referrer
        f"/start ref_{blocked_referrer.tg_id}",  # blocked referrer
        f"/start ref_{referrer.tg_id}\nref_1",  # junk after the code
        "/start",
    ]
    for tg_id, command in zip(ids, cases, strict=True):
        fake_bot_api.inject_update(command_update(tg_user_dict(tg_id), command))
    for tg_id in ids:
        assert "Welcome to Chance Tap" in sent_to(fake_bot_api, tg_id)["text"]
    created = User.objects.filter(tg_id__in=ids)
    assert created.count() == len(ids)
    assert not created.filter(referrer__isnull=False).exists()
    assert bot_process.process.poll() is None


def test_group_start_is_not_answered(bot_process, fake_bot_api, next_tg_id) -> None:
    member, private = next_tg_id(), next_tg_id()
    group_id = -100123
    group = {"id": group_id, "type": "supergroup", "title": "Friends"}
    fake_bot_api.inject_update(command_update(tg_user_dict(member), "/start", chat=group))
    fake_bot_api.inject_update(command_update(tg_user_dict(private), "/start"))
    sent_to(fake_bot_api, private)
    time.sleep(0.3)
    assert chat_calls(fake_bot_api, "sendMessage", group_id) == []
    assert not User.objects.filter(tg_id=member).exists()


def test_telegram_errors_do_not_stop_polling(bot_process, fake_bot_api, next_tg_id) -> None:
    first, second, third = next_tg_id(), next_tg_id(), next_tg_id()
    fake_bot_api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    fake_bot_api.inject_update(command_update(tg_user_dict(first), "/start"))
    fake_bot_api.wait_for_call("sendMessage")
    # The failed greeting does not stop the rest of the handler ...
    wait_until(lambda: chat_calls(fake_bot_api, "setChatMenuButton", first))

    fake_bot_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    fake_bot_api.inject_update(command_update(tg_user_dict(second), "/start"))
    wait_until(lambda: chat_calls(fake_bot_api, "setChatMenuButton", second))

    # ... nor the next update.
    fake_bot_api.inject_update(command_update(tg_user_dict(third), "/start"))
    assert "Welcome" in sent_to(fake_bot_api, third)["text"]
    assert User.objects.filter(tg_id__in=[first, second, third]).count() == 3
    assert bot_process.process.poll() is None


def test_a_short_flood_wait_is_waited_out(bot_process, fake_bot_api, next_tg_id) -> None:
    tg_id = next_tg_id()
    fake_bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake_bot_api.inject_update(command_update(tg_user_dict(tg_id), "/start"))
    wait_until(lambda: len(chat_calls(fake_bot_api, "sendMessage", tg_id)) == 2)
    first, second = chat_calls(fake_bot_api, "sendMessage", tg_id)
    assert first == second  # the same greeting, sent again after the wait


def test_sigterm_lets_the_update_in_flight_finish(start_bot, fake_bot_api, next_tg_id) -> None:
    bot = start_bot()
    bot.wait_polling(fake_bot_api)
    tg_id = next_tg_id()
    fake_bot_api.delay("sendMessage", 1.5)
    fake_bot_api.inject_update(command_update(tg_user_dict(tg_id), "/start"))
    fake_bot_api.wait_for_call("sendMessage")  # the handler is waiting for Telegram now
    assert bot.stop(signal.SIGTERM) == 0
    log = bot.log()
    assert "Received SIGTERM" in log
    # The handler finished after the signal, on an open session: the greeting got its answer
    # (cut off, it fails with "Server disconnected") and the menu button came after it.
    assert "bot_call_failed" not in log
    assert chat_calls(fake_bot_api, "setChatMenuButton", tg_id)
    assert log.index("Received SIGTERM") < log.index("is handled")


def test_sigint_stops_cleanly(start_bot, fake_bot_api) -> None:
    bot = start_bot()
    bot.wait_polling(fake_bot_api)
    assert bot.stop(signal.SIGINT) == 0


def test_refuses_to_start_without_a_token(start_bot, fake_bot_api) -> None:
    bot = start_bot("--polling-timeout", "1")  # no --allow-dev-token
    assert bot.wait_exit() != 0
    assert "TELEGRAM_BOT_TOKEN is not set" in bot.log()
    assert fake_bot_api.call_log() == []


def test_refuses_to_steal_a_webhook_unless_asked(start_bot, fake_bot_api, settings) -> None:
    from django.core.management import call_command

    settings.TELEGRAM_WEBHOOK_SECRET = "hook-secret-123"
    call_command("setwebhook", "https://chancetap.test/telegram/webhook", "--allow-dev-token")
    assert fake_bot_api.webhook_url == "https://chancetap.test/telegram/webhook"

    refused = start_bot("--allow-dev-token")
    assert refused.wait_exit() != 0
    assert "A webhook is set for this bot" in refused.log()
    assert fake_bot_api.calls("getUpdates") == []

    polling = start_bot("--allow-dev-token", "--delete-webhook")
    polling.wait_polling(fake_bot_api)
    assert fake_bot_api.webhook_url == ""
    assert polling.stop() == 0
