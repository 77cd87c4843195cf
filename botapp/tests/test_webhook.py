"""The production webhook view: secret token, bad bodies, a real update handled."""

from __future__ import annotations

import json
import time

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/telegram/webhook"


def start_update(tg_id: int) -> dict:
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": tg_id, "type": "private"},
            "from": {"id": tg_id, "is_bot": False, "first_name": "Web", "language_code": "en"},
            "text": "/start",
        },
    }


def post(client, body, secret: str | None = "hook-secret-123"):
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **headers)


def test_webhook_not_configured_is_404(client, settings) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    assert post(client, start_update(1)).status_code == 404


def test_wrong_or_missing_secret_is_403(client, settings) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = "hook-secret-123"
    assert post(client, start_update(1), secret="wrong").status_code == 403
    response = post(client, start_update(1), secret=None)
    assert response.status_code == 403
    assert response.json()["code"] == "webhook_secret_invalid"


@pytest.mark.parametrize("body", ["{not json", "[]", '{"update_id": "x"}', b"\xff\xfe"])
def test_bad_bodies_are_400(client, settings, body) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = "hook-secret-123"
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "update_invalid"


def test_valid_update_is_handled(client, settings, fake_bot_api) -> None:
    from botapp import webhook

    webhook._bot_and_dispatcher.cache_clear()
    settings.TELEGRAM_WEBHOOK_SECRET = "hook-secret-123"
    response = post(client, start_update(990001))
    assert response.status_code == 200
    assert User.objects.filter(tg_id=990001).exists()
    sent = fake_bot_api.wait_for_call("sendMessage")
    assert int(sent["chat_id"]) == 990001
    webhook._bot_and_dispatcher.cache_clear()
