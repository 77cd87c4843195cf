"""A fake Telegram Bot API server on 127.0.0.1, so aiogram's real HTTP client runs in tests.

Speaks the real wire format: ``POST /bot<token>/<method>`` with multipart or urlencoded forms (or
JSON), replies ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"}``
with that HTTP status, and long-polls ``getUpdates`` for injected updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

BOT_ID = 1234567890


class FakeBotApi:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._lock = threading.Lock()
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
        self._delays: dict[str, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_id = 1000
        self._new_update: asyncio.Event | None = None
        self.star_transactions: list[dict[str, Any]] = []
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- programming it -------------------------------------------------------------------
    def fail_next(
        self, method: str, error_code: int, description: str, retry_after: int | None = None
    ) -> None:
        with self._lock:
            self._failures[method].append((error_code, description, retry_after))

    def delay(self, method: str, seconds: float) -> None:
        with self._lock:
            self._delays[method] = seconds

    def inject_update(self, update: dict[str, Any]) -> int:
        with self._lock:
            self._update_id += 1
            update = {"update_id": self._update_id, **update}
            self._updates.append(update)
        assert self._new_update is not None
        self._loop.call_soon_threadsafe(self._new_update.set)
        return self._update_id

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [fields for name, fields in self._calls if method is None or name == method]

    def wait_for_call(self, method: str, *, count: int = 1, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls(method)
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.02)
        raise AssertionError(f"{method} was not called {count} time(s) within {timeout}s")

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # --- serving ----------------------------------------------------------------------------
    async def _fields(self, request: web.Request) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if request.content_type == "application/json":
            body = await request.json()
            fields.update(body if isinstance(body, dict) else {})
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    text = value
                elif isinstance(value, (bytes, bytearray)):
                    text = bytes(value).decode()
                else:
                    text = value.file.read().decode()
                fields[key] = _maybe_json(text)
        fields.update({k: _maybe_json(v) for k, v in request.query.items()})
        return fields

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields = await self._fields(request)
        with self._lock:
            self._calls.append((method, fields))
            failure = self._failures[method].pop(0) if self._failures[method] else None
            delay = self._delays.get(method, 0)
        if delay:
            await asyncio.sleep(delay)
        if failure is not None:
            code, description, retry_after = failure
            body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=code)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(fields)})
        return web.json_response({"ok": True, "result": self._result(method, fields)})

    async def _get_updates(self, fields: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(fields.get("offset") or 0)
        timeout = min(float(fields.get("timeout") or 0), 2.0)
        with self._lock:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            ready = list(self._updates)
        if not ready and timeout:
            assert self._new_update is not None
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
            with self._lock:
                ready = list(self._updates)
        return ready[:100]

    def _result(self, method: str, fields: dict[str, Any]) -> Any:
        now = int(time.time())
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Chance Tap",
                "username": "ChanceTapBot",
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method == "createInvoiceLink":
            return f"https://t.me/${secrets.token_urlsafe(12)}"
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(fields.get("chat_id", 0))
            return {
                "message_id": secrets.randbelow(10**6) + 1,
                "date": now,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Chance Tap"},
                "text": fields.get("text", ""),
            }
        if method == "getStarTransactions":
            offset = int(fields.get("offset") or 0)
            limit = int(fields.get("limit") or 100)
            return {"transactions": self.star_transactions[offset : offset + limit]}
        return True


def _maybe_json(text: str) -> Any:
    if text[:1] in ("{", "[") or text in ("true", "false", "null"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text
