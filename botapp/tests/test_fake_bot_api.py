"""The fake Bot API behaves like Telegram where our tests rely on it (real aiogram client)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import LabeledPrice

from botapp.tests.fake_bot_api import FakeBotApi

TOKEN = "42:fake-token"


def bot_for(api: FakeBotApi, token: str = TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))


@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


async def test_records_calls_with_json_fields(api) -> None:
    bot = bot_for(api)
    try:
        sent = await bot.send_message(5, "hi", disable_notification=True)
        assert sent.chat.id == 5
        assert sent.text == "hi"
    finally:
        await bot.session.close()
    [call] = api.calls("sendMessage")
    assert call == {"chat_id": "5", "text": "hi", "disable_notification": True}


async def test_long_poll_waits_for_an_injected_update_and_confirms_by_offset(api) -> None:
    bot = bot_for(api)
    try:
        threading.Timer(0.3, api.inject_update, [{"callback_query": {"id": "x"}}]).start()
        threading.Timer(
            0.5,
            api.inject_update,
            [{"message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}}}],
        ).start()
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5, allowed_updates=["message"])
        assert 0.4 < time.monotonic() - started < 3
        assert [u.event_type for u in updates] == ["message"]  # callback_query not allowed
        assert api.pending_updates() == 1
        assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []
        assert api.pending_updates() == 0
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == []
        assert time.monotonic() - started >= 0.9
    finally:
        await bot.session.close()


async def test_a_second_poller_conflicts_with_the_first(api) -> None:
    first, second = bot_for(api), bot_for(api)
    try:
        waiting = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        other = asyncio.create_task(second.get_updates(timeout=1))
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
            await waiting
        assert await other == []
    finally:
        await first.session.close()
        await second.session.close()


async def test_webhook_blocks_polling(api) -> None:
    bot = bot_for(api)
    try:
        await bot.set_webhook("https://example.test/hook", secret_token="s3cret")
        assert (await bot.get_webhook_info()).url == "https://example.test/hook"
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates(timeout=0)
        await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await bot.session.close()


async def test_programmed_failures_and_errors(api) -> None:
    bot = bot_for(api)
    try:
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
        with pytest.raises(TelegramRetryAfter) as flood:
            await bot.send_message(1, "x")
        assert flood.value.retry_after == 3
        assert (await bot.send_message(1, "x")).text == "x"  # only the next call fails

        with pytest.raises(TelegramNotFound):
            await bot(_UnknownMethod())
        with pytest.raises(TelegramBadRequest, match="STARS_INVOICE_INVALID"):
            await bot.create_invoice_link(
                title="t",
                description="d",
                payload="p",
                currency="XTR",
                prices=[LabeledPrice(label="a", amount=1), LabeledPrice(label="b", amount=1)],
            )
        link = await bot.create_invoice_link(
            title="t",
            description="d",
            payload="p",
            currency="XTR",
            prices=[LabeledPrice(label="a", amount=1)],
        )
        assert link.startswith("https://t.me/$")
        assert await bot.refund_star_payment(user_id=1, telegram_payment_charge_id="c1")
        with pytest.raises(TelegramBadRequest, match="CHARGE_ALREADY_REFUNDED"):
            await bot.refund_star_payment(user_id=1, telegram_payment_charge_id="c1")
        api.star_transactions = [{"id": "c1", "amount": 5, "date": 1}]
        result = await bot.get_star_transactions(offset=0, limit=10)
        assert [t.id for t in result.transactions] == ["c1"]
    finally:
        await bot.session.close()

    wrong = bot_for(api, token="43:other")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()


class _UnknownMethod(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "noSuchMethod"
