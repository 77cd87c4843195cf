"""The production webhook: the view (secret token, bad bodies, real updates handled in-process)
and ``manage.py setwebhook``."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command
from django.db import connections

from accounts.models import User
from botapp import webhook
from botapp.bot import WEBHOOK_ALLOWED_UPDATES, dispatcher_create
from botapp.tests.updates import command_update, tg_user_dict
from chancetap.core.errors import ServiceUnavailableError

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/telegram/webhook"
SECRET = "hook-secret-123"


@pytest.fixture
def secret(settings) -> str:
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    return SECRET


def start_update(tg_id: int, language_code: str = "en") -> dict:
    update = command_update(
        tg_user_dict(tg_id, first_name="Web", language_code=language_code), "/start"
    )
    return {"update_id": int(time.time()), **update}


def headers(secret: str | None) -> dict[str, str]:
    return {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}


def post(client, body, secret: str | None = SECRET):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **headers(secret))


def test_webhook_not_configured_is_404(client, settings) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    response = post(client, start_update(1), secret="")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("given", [None, "", "wrong", SECRET + "x", SECRET[:-1], SECRET.upper()])
def test_wrong_or_missing_secret_is_403(client, secret, given, next_tg_id) -> None:
    tg_id = next_tg_id()
    response = post(client, start_update(tg_id), secret=given)
    assert response.status_code == 403
    assert response.json() == {"code": "webhook_secret_invalid", "message": "Wrong secret token."}
    assert not User.objects.filter(tg_id=tg_id).exists()


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "",
        "null",
        '"a string"',
        "[]",
        "[{}]",
        "{}",
        '{"update_id": "x"}',
        '{"update_id": 1, "message": {"message_id": 1}}',
        b"\xff\xfe",
    ],
)
def test_bad_bodies_are_400(client, secret, body) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "update_invalid"
    assert response.json()["message"]


async def test_valid_update_is_handled(async_client, secret, fake_bot_api, next_tg_id) -> None:
    tg_id = next_tg_id()
    try:
        response = await async_client.post(
            URL,
            json.dumps(start_update(tg_id, "ru")),
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
        assert response.status_code == 200
        assert response.json() == {"ok": True}
        # Handled before the answer: the user exists and the greeting was sent.
        user = await User.objects.aget(tg_id=tg_id)
        assert (user.first_name, user.language_code) == ("Web", "ru")
        [sent] = fake_bot_api.calls("sendMessage")
        assert int(sent["chat_id"]) == tg_id
        assert "Добро пожаловать" in sent["text"]
        assert sent["reply_markup"]["inline_keyboard"][0][0]["web_app"]
    finally:
        await webhook.webhook_bot_close()
        await sync_to_async(connections.close_all)()


def test_updates_on_fresh_event_loops_are_handled(client, secret, fake_bot_api, next_tg_id) -> None:
    # Under the sync test client each request runs in its own event loop: the bot's HTTP session
    # must not be shared across loops.
    ids = [next_tg_id(), next_tg_id()]
    for tg_id in ids:
        assert post(client, start_update(tg_id)).status_code == 200
    assert sorted(int(c["chat_id"]) for c in fake_bot_api.calls("sendMessage")) == ids


def test_service_error_gets_a_localized_reply(
    client, secret, fake_bot_api, monkeypatch, next_tg_id
) -> None:
    def busy(**kwargs):
        raise ServiceUnavailableError("service_busy", "busy")

    monkeypatch.setattr("botapp.handlers.start.user_get_or_create_from_telegram", busy)
    tg_id = next_tg_id()
    assert post(client, start_update(tg_id, "ru")).status_code == 200
    [sent] = fake_bot_api.calls("sendMessage")
    assert sent["text"].startswith("Мы немного перегружены")
    assert "reply_markup" not in sent


def test_a_failing_handler_is_logged_and_answered_200(
    client, secret, fake_bot_api, monkeypatch, caplog, next_tg_id
) -> None:
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("botapp.handlers.start.user_get_or_create_from_telegram", broken)
    response = post(client, start_update(next_tg_id()))
    assert response.status_code == 200
    assert any(r.getMessage() == "webhook update failed" for r in caplog.records)
    assert fake_bot_api.calls("sendMessage") == []


def test_webhook_asks_for_every_update_type_the_bot_handles() -> None:
    used = set(dispatcher_create().resolve_used_update_types())
    assert used <= set(WEBHOOK_ALLOWED_UPDATES)
    assert "pre_checkout_query" in used


# --- manage.py setwebhook ---------------------------------------------------------------------


def test_setwebhook_sends_secret_and_allowed_updates(fake_bot_api, secret) -> None:
    call_command("setwebhook", "https://chancetap.test/telegram/webhook", "--allow-dev-token")
    [call] = fake_bot_api.calls("setWebhook")
    assert call["url"] == "https://chancetap.test/telegram/webhook"
    assert call["secret_token"] == secret
    assert call["allowed_updates"] == ["message", "pre_checkout_query", "callback_query"]
    assert call.get("drop_pending_updates") in (None, False)
    assert fake_bot_api.webhook_url == "https://chancetap.test/telegram/webhook"
    # The bot-wide menu button is set as at polling start.
    assert [c for c in fake_bot_api.calls("setChatMenuButton") if "chat_id" not in c]

    call_command("setwebhook", "--delete", "--allow-dev-token")
    assert fake_bot_api.webhook_url == ""


@pytest.mark.parametrize(
    ("args", "secret_value", "message"),
    [
        (["http://chancetap.test/hook"], SECRET, "https://"),
        (["chancetap.test/hook"], SECRET, "https://"),
        ([], SECRET, "https://"),
        (["https://chancetap.test/hook"], "", "TELEGRAM_WEBHOOK_SECRET"),
        (["https://chancetap.test/hook"], "has spaces!", "TELEGRAM_WEBHOOK_SECRET"),
        (["https://chancetap.test/hook"], "x" * 257, "TELEGRAM_WEBHOOK_SECRET"),
    ],
)
def test_setwebhook_refuses_bad_settings(
    fake_bot_api, settings, args, secret_value, message
) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = secret_value
    with pytest.raises(CommandError, match=message):
        call_command("setwebhook", *args, "--allow-dev-token")
    assert fake_bot_api.calls("setWebhook") == []


def test_setwebhook_needs_a_real_token_unless_told(fake_bot_api, secret, settings) -> None:
    settings.TELEGRAM_BOT_TOKEN_SET = False
    with pytest.raises(CommandError, match="TELEGRAM_BOT_TOKEN"):
        call_command("setwebhook", "https://chancetap.test/hook")
    assert fake_bot_api.call_log() == []


def test_setwebhook_reports_telegram_refusal(fake_bot_api, secret) -> None:
    fake_bot_api.fail_next("setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host")
    with pytest.raises(CommandError, match="Failed to resolve host"):
        call_command("setwebhook", "https://nowhere.invalid/hook", "--allow-dev-token")


def test_start_keeps_profile_fields_the_bot_does_not_see(
    client, secret, fake_bot_api, make_user
) -> None:
    user = make_user(photo_url="https://t.me/i/userpic/320/p.jpg", language_code="ru")
    update = start_update(user.tg_id)
    del update["message"]["from"]["language_code"]
    assert post(client, update).status_code == 200
    user.refresh_from_db()
    assert user.photo_url == "https://t.me/i/userpic/320/p.jpg"
    assert user.language_code == "ru"
