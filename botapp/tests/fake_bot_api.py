"""A fake Telegram Bot API on 127.0.0.1, so aiogram's real HTTP client runs in tests.

It speaks the real wire format: ``POST /bot<token>/<method>`` with a multipart form (what aiogram
sends), a urlencoded form or JSON, plus query-string parameters. Every call is recorded as
``(method, fields)``; values that are JSON objects, arrays, booleans or null are decoded (numbers
and strings stay strings, as they arrive). Replies are ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": ...}`` with HTTP status N.

Behaviour worth knowing:

* ``getUpdates`` long-polls: it waits up to ``timeout`` seconds for injected updates, confirms
  everything below ``offset``, honours ``limit`` and remembers ``allowed_updates`` (updates of
  other types are dropped, as Telegram drops them). A newer ``getUpdates`` ends an older one still
  waiting with 409 Conflict, and a set webhook makes ``getUpdates`` fail with 409, as in
  production.
* ``setWebhook`` / ``deleteWebhook`` / ``getWebhookInfo`` keep state.
* ``createInvoiceLink`` applies the Stars rules (currency XTR, exactly one price, no tips).
* ``refundStarPayment`` answers ``CHARGE_ALREADY_REFUNDED`` the second time for a charge.
* An unknown method is 404 ``Not Found``; with ``FakeBotApi(token=...)`` another token is 401.

Usage::

    api = FakeBotApi().start()
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    api.inject_update({"message": {...}})
    api.wait_for_call("sendMessage", timeout=5)
    api.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web

BOT_ID = 1234567890
BOT_USERNAME = "ChanceTapBot"
# Long polls are cut to this many seconds, whatever the client asks, so a test never hangs.
MAX_POLL_SECONDS = 30.0
UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)


class FakeApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str = ""
    allowed_updates: list[str] | None = None


class FakeBotApi:
    def __init__(self, *, token: str | None = None) -> None:
        self.token = token
        self.star_transactions: list[dict[str, Any]] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-bot-api", daemon=True
        )
        self._runner: web.AppRunner | None = None
        self._lock = threading.Lock()  # guards everything below between the test and the server
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[FakeApiError]] = defaultdict(list)
        self._delays: dict[str, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1001)
        self._message_ids = itertools.count(1)
        self._allowed_updates: set[str] | None = None
        self._webhook = _Webhook()
        self._refunded: set[str] = set()
        self._menu_buttons: dict[str, Any] = {}
        self._commands: dict[str, Any] = {}
        # Server-loop only:
        self._poll_generation = 0
        self._changed: asyncio.Condition | None = None
        self._closing = False

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self) -> None:
        async def shutdown() -> None:
            self._closing = True
            await self._notify()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- programming it (from the test's thread) ------------------------------------------
    def fail_next(
        self, method: str, error_code: int, description: str, retry_after: int | None = None
    ) -> None:
        """The next call of ``method`` fails with ``{"ok": false, ...}`` and HTTP ``error_code``."""
        with self._lock:
            self._failures[method].append(FakeApiError(error_code, description, retry_after))

    def delay(self, method: str, seconds: float) -> None:
        """Answer every later call of ``method`` only after ``seconds`` (0 to stop)."""
        with self._lock:
            self._delays[method] = seconds

    def inject_update(self, update: dict[str, Any]) -> int:
        """Queue an update (``update_id`` is added when missing); returns its id."""
        with self._lock:
            if "update_id" not in update:
                update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
        asyncio.run_coroutine_threadsafe(self._notify(), self._loop).result(5)
        return int(update["update_id"])

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """The fields of every call of ``method`` (or of all calls), oldest first."""
        with self._lock:
            return [fields for name, fields in self._calls if method is None or name == method]

    def call_log(self) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return list(self._calls)

    def wait_for_call(
        self, method: str, timeout: float = 10.0, *, count: int = 1
    ) -> dict[str, Any]:
        """Block until ``method`` was called ``count`` times; return that call's fields."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method)
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() >= deadline:
                seen = sorted({name for name, _ in self.call_log()})
                raise AssertionError(
                    f"{method} was called {len(found)} time(s), not {count}, within {timeout}s "
                    f"(methods called: {seen})"
                )
            time.sleep(0.02)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a later ``getUpdates`` offset."""
        with self._lock:
            return len(self._updates)

    @property
    def webhook_url(self) -> str:
        with self._lock:
            return self._webhook.url

    # --- serving ----------------------------------------------------------------------------
    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            fields = await _read_fields(request)
        except ValueError:
            return _error_response(FakeApiError(400, "Bad Request: can't parse request body"))
        with self._lock:
            self._calls.append((method, fields))
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
            delay = self._delays.get(method, 0)
        if delay:
            await asyncio.sleep(delay)
        if self.token is not None and request.match_info["token"] != self.token:
            return _error_response(FakeApiError(401, "Unauthorized"))
        if failure is not None:
            return _error_response(failure)
        try:
            if method.lower() == "getupdates":
                result: Any = await self._get_updates(fields)
            else:
                result = self._result(method.lower(), fields)
        except FakeApiError as exc:
            return _error_response(exc)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, fields: dict[str, Any]) -> list[dict[str, Any]]:
        assert self._changed is not None
        with self._lock:
            if self._webhook.url:
                raise FakeApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
        offset = _int(fields.get("offset"), 0)
        limit = min(max(_int(fields.get("limit"), 100), 1), 100)
        timeout = min(max(float(fields.get("timeout") or 0), 0.0), MAX_POLL_SECONDS)
        allowed = fields.get("allowed_updates")
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            self._changed.notify_all()  # an older poll still waiting ends with a conflict
            with self._lock:
                if isinstance(allowed, list):
                    self._allowed_updates = set(allowed) or None
                if offset > 0:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                if generation != self._poll_generation:
                    raise FakeApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                ready = self._deliverable(limit)
                remaining = deadline - asyncio.get_running_loop().time()
                if ready or remaining <= 0 or self._closing:
                    return ready
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            if self._allowed_updates is not None:
                allowed = self._allowed_updates
                self._updates = [u for u in self._updates if _kind(u) in allowed]
            return [dict(u) for u in self._updates[:limit]]

    def _result(self, method: str, fields: dict[str, Any]) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise FakeApiError(404, "Not Found: method not found")
        return handler(fields)

    # One ``_m_<lowercased method>`` per supported Bot API method.
    def _m_getme(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Chance Tap",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": True,
        }

    def _m_sendmessage(self, fields: dict[str, Any]) -> dict[str, Any]:
        if not str(fields.get("text") or "").strip():
            raise FakeApiError(400, "Bad Request: message text is empty")
        chat_id = _chat_id(fields)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Chance Tap"},
            "text": fields["text"],
        }
        markup = fields.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _m_editmessagetext(self, fields: dict[str, Any]) -> dict[str, Any]:
        message = self._m_sendmessage(fields)
        message["message_id"] = _int(fields.get("message_id"), message["message_id"])
        message["edit_date"] = message["date"]
        return message

    def _m_setchatmenubutton(self, fields: dict[str, Any]) -> bool:
        with self._lock:
            self._menu_buttons[str(fields.get("chat_id", ""))] = fields.get("menu_button")
        return True

    def _m_getchatmenubutton(self, fields: dict[str, Any]) -> Any:
        with self._lock:
            button = self._menu_buttons.get(str(fields.get("chat_id", "")))
            return button or self._menu_buttons.get("") or {"type": "default"}

    def _m_setmycommands(self, fields: dict[str, Any]) -> bool:
        with self._lock:
            self._commands[str(fields.get("language_code", ""))] = fields.get("commands")
        return True

    def _m_getmycommands(self, fields: dict[str, Any]) -> Any:
        with self._lock:
            return self._commands.get(str(fields.get("language_code", ""))) or []

    def _m_setwebhook(self, fields: dict[str, Any]) -> bool:
        url = str(fields.get("url") or "")
        if url and not url.startswith("https://"):
            raise FakeApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        with self._lock:
            allowed = fields.get("allowed_updates")
            self._webhook = _Webhook(
                url=url,
                secret_token=str(fields.get("secret_token") or ""),
                allowed_updates=allowed if isinstance(allowed, list) else None,
            )
            if fields.get("drop_pending_updates") is True:
                self._updates.clear()
        return True

    def _m_deletewebhook(self, fields: dict[str, Any]) -> bool:
        with self._lock:
            self._webhook = _Webhook()
            if fields.get("drop_pending_updates") is True:
                self._updates.clear()
        return True

    def _m_getwebhookinfo(self, fields: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            info: dict[str, Any] = {
                "url": self._webhook.url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self._webhook.allowed_updates is not None:
                info["allowed_updates"] = self._webhook.allowed_updates
        return info

    def _m_answerprecheckoutquery(self, fields: dict[str, Any]) -> bool:
        if fields.get("ok") is not True and not fields.get("error_message"):
            raise FakeApiError(400, "Bad Request: error_message is required")
        return True

    def _m_answercallbackquery(self, fields: dict[str, Any]) -> bool:
        return True

    def _m_deletemessage(self, fields: dict[str, Any]) -> bool:
        return True

    def _m_createinvoicelink(self, fields: dict[str, Any]) -> str:
        prices = fields.get("prices")
        if fields.get("currency") != "XTR" and not fields.get("provider_token"):
            raise FakeApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
        if fields.get("currency") == "XTR" and (
            not isinstance(prices, list) or len(prices) != 1 or fields.get("max_tip_amount")
        ):
            raise FakeApiError(400, "Bad Request: STARS_INVOICE_INVALID")
        return f"https://t.me/${secrets.token_urlsafe(16)}"

    def _m_refundstarpayment(self, fields: dict[str, Any]) -> bool:
        charge_id = str(fields.get("telegram_payment_charge_id") or "")
        if not charge_id:
            raise FakeApiError(400, "Bad Request: CHARGE_ID_EMPTY")
        with self._lock:
            if charge_id in self._refunded:
                raise FakeApiError(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
            self._refunded.add(charge_id)
        return True

    def _m_getstartransactions(self, fields: dict[str, Any]) -> dict[str, Any]:
        offset = _int(fields.get("offset"), 0)
        limit = min(max(_int(fields.get("limit"), 100), 1), 100)
        with self._lock:
            return {"transactions": list(self.star_transactions[offset : offset + limit])}


async def _read_fields(request: web.Request) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body is not an object")
        fields.update(body)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                raw = value
            elif isinstance(value, (bytes, bytearray)):
                raw = bytes(value).decode()
            else:  # an uploaded file part
                raw = value.file.read().decode(errors="replace")
            fields[key] = _maybe_json(raw)
    for key, value in request.query.items():
        fields.setdefault(key, _maybe_json(value))
    return fields


def _maybe_json(raw: str) -> Any:
    if raw[:1] in ("{", "[") or raw in ("true", "false", "null"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _chat_id(fields: dict[str, Any]) -> int:
    raw = fields.get("chat_id")
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FakeApiError(400, "Bad Request: chat not found") from None


def _kind(update: dict[str, Any]) -> str:
    return next((key for key in UPDATE_KINDS if key in update), "")


def _error_response(error: FakeApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.code,
        "description": error.description,
    }
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)
