"""Limits on what one client may send or open (issue #12, "Limits").

WebSockets (``WsLimitsMiddleware``, inside ``JWTAuthMiddleware`` so it knows the player):

- **Frame size**: a text or binary frame longer than ``WS_MAX_FRAME_BYTES`` (16 KiB) is refused
  before anything parses it: error frame ``frame_too_large``, close **1009** (message too big).
  uvicorn enforces the same number itself (``--ws-max-size``) before it even assembles the frame;
  this check covers daphne (``manage.py runserver``) and any server started without the flag.
- **Nesting**: a frame nested deeper than ``MAX_JSON_DEPTH`` gets the error frame
  ``frame_too_complex`` and is dropped (the socket stays open); Python's JSON decoder would raise
  ``RecursionError`` from ~1 000 levels, which no consumer expects. Only frames with more than
  ``MAX_JSON_DEPTH`` brackets in all are scanned, so ordinary frames cost two ``str.count`` calls.
- **Sockets per player**: at most ``WS_MAX_SOCKETS_PER_PLAYER`` open at once across all web
  processes (a sorted set per player in Redis, one member per socket with an expiry score that
  this process refreshes every ``WS_SOCKET_TTL_SECONDS / 3`` in one pipeline for all its sockets,
  so a killed process's sockets stop counting after the TTL). Excess: ``too_many_sockets``, 4429.
- **Connects per window**: ``WS_CONNECTS_PER_PLAYER`` per player and ``WS_CONNECTS_PER_IP`` per
  client address per ``WS_CONNECT_WINDOW_SECONDS``. Excess: ``connect_rate_limited``, 4429.

A refusal accepts the socket, sends ``{"type": "error", "code", "message"}`` and closes, as the
consumers do, so the client learns why. Each is counted in ``chancetap_limits_refused_total``.
Without Redis (``manage.py runserver`` on the embedded defaults) the socket caps are off; a Redis
error lets the socket through (logged): a Redis hiccup must not lock every player out.

HTTP: ``SafeJSONParser`` answers 400 ``request_too_complex`` to JSON too deep to decode; the API
exception handler and ``handler400`` do the same for more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``
query or form fields.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from chancetap.core.errors import ErrorFrame
from chancetap.observability import metrics
from chancetap.runtime.redis_client import redis_async_client

logger = logging.getLogger(__name__)

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SUBPROTOCOL = "chancetap.v1"  # accounts.ws_auth.SUBPROTOCOL (core does not import accounts)
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_RATE_LIMITED = 4429
MAX_JSON_DEPTH = 32
TOO_COMPLEX = "request_too_complex"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


# --- client address -------------------------------------------------------------------------------
def client_ip(remote_addr: str | None, forwarded_for: str | None) -> str:
    """The client's address as DRF's throttles pick it (``NUM_PROXIES`` = ``TRUSTED_PROXY_COUNT``).

    0 (the default): the socket's peer, which uvicorn has already replaced by the proxy's
    ``X-Forwarded-For`` entry only when the peer is in ``FORWARDED_ALLOW_IPS``. N > 0: the N-th
    address from the right of ``X-Forwarded-For`` (the one the outermost trusted proxy appended).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies and forwarded_for:
        addrs = forwarded_for.split(",")
        return addrs[-min(proxies, len(addrs))].strip()
    return remote_addr or ""


def scope_client_ip(scope: dict[str, Any]) -> str:
    client = scope.get("client") or ("", 0)
    forwarded = b",".join(v for k, v in scope.get("headers") or [] if k == b"x-forwarded-for")
    return client_ip(str(client[0]), forwarded.decode("latin-1") or None)


# --- JSON nesting -------------------------------------------------------------------------------
def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays/objects deeper than ``limit`` (brackets in strings ignored)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class SafeJSONParser(JSONParser):
    """DRF's JSON parser; JSON too deep for the decoder is a 400, not a ``RecursionError`` 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            metrics.limits_refused.labels(limit="json_depth").inc()
            raise ParseError("The JSON is nested too deeply.", code=TOO_COMPLEX) from None


# --- Redis (one client per event loop, as rooms.taps does) ---------------------------------------
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


def _client() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = redis_async_client(settings.REDIS_URL, decode_responses=True)
        _clients[loop] = client
    return client


# KEYS: rate key. ARGV: window seconds, limit. Returns 1 when over the limit.
_RATE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return 1 end
return 0
"""

# KEYS: player's rate key, player's socket set (one hash tag). ARGV: window, rate limit,
# socket cap, socket id, ttl. Returns 0 (admitted), 1 (rate) or 2 (too many sockets).
_PLAYER = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return 1 end
local t = redis.call('TIME')
local now = tonumber(t[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 0
"""

# KEYS: socket sets. ARGV: ttl, then one member per key. Pushes the members' expiry forward.
_REFRESH = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', until_, ARGV[i + 1])
  redis.call('EXPIRE', key, ARGV[1])
end
return 0
"""


def _sockets_key(user_id: int) -> str:
    return f"ws:{{p{user_id}}}:sockets"


def _player_rate_key(user_id: int) -> str:
    return f"ws:{{p{user_id}}}:connects"


class _LiveSockets:
    """This process's admitted sockets, refreshed in Redis by one task per event loop."""

    def __init__(self) -> None:
        self.members: dict[str, int] = {}  # socket id -> player id
        self.task: asyncio.Task[None] | None = None

    def add(self, socket_id: str, user_id: int) -> None:
        self.members[socket_id] = user_id
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._refresh_forever())

    async def _refresh_forever(self) -> None:
        ttl = settings.WS_SOCKET_TTL_SECONDS
        while self.members:
            await asyncio.sleep(ttl / 3)
            items = list(self.members.items())
            if not items:
                break
            keys = [_sockets_key(user_id) for _, user_id in items]
            try:
                await _client().eval(_REFRESH, len(keys), *keys, ttl, *(sid for sid, _ in items))
            except Exception:
                logger.warning("could not refresh the socket counts in Redis", exc_info=True)


_live: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LiveSockets] = (
    weakref.WeakKeyDictionary()
)


def _live_sockets() -> _LiveSockets:
    loop = asyncio.get_running_loop()
    live = _live.get(loop)
    if live is None:
        live = _live[loop] = _LiveSockets()
    return live


async def _admit(scope: dict[str, Any], socket_id: str) -> tuple[str, str] | None:
    """``None`` when the socket may open, else (code, message)."""
    if not settings.REDIS_URL:
        return None
    window = settings.WS_CONNECT_WINDOW_SECONDS
    user = scope.get("user")
    try:
        async with _client().pipeline(transaction=False) as pipe:
            pipe.eval(
                _RATE, 1, f"ws:ip:{scope_client_ip(scope)}", window, settings.WS_CONNECTS_PER_IP
            )
            if user is not None:
                pipe.eval(
                    _PLAYER,
                    2,
                    _player_rate_key(user.tg_id),
                    _sockets_key(user.tg_id),
                    window,
                    settings.WS_CONNECTS_PER_PLAYER,
                    settings.WS_MAX_SOCKETS_PER_PLAYER,
                    socket_id,
                    settings.WS_SOCKET_TTL_SECONDS,
                )
            results = await pipe.execute()
    except Exception:
        logger.warning("socket limits unavailable (Redis); letting the socket in", exc_info=True)
        return None
    if int(results[0]) or (len(results) > 1 and int(results[1]) == 1):
        metrics.limits_refused.labels(limit="ws_connect_rate").inc()
        return "connect_rate_limited", "Too many connections; wait a few seconds."
    if len(results) > 1 and int(results[1]) == 2:
        metrics.limits_refused.labels(limit="ws_sockets_per_player").inc()
        return "too_many_sockets", "Too many open connections for this player."
    if user is not None:
        _live_sockets().add(socket_id, user.tg_id)
    return None


async def _release(scope: dict[str, Any], socket_id: str) -> None:
    user = scope.get("user")
    if user is None or not settings.REDIS_URL:
        return
    live = _live_sockets()
    if live.members.pop(socket_id, None) is None:
        return
    try:
        await _client().zrem(_sockets_key(user.tg_id), socket_id)
    except Exception:
        logger.warning("could not release a socket in Redis (it expires)", exc_info=True)


def _error(code: str, message: str) -> Message:
    frame: ErrorFrame = {"type": "error", "code": code, "message": message}
    return {"type": "websocket.send", "text": json.dumps(frame)}


async def _refuse(scope: dict[str, Any], send: Send, code: str, message: str) -> None:
    chosen = SUBPROTOCOL if SUBPROTOCOL in (scope.get("subprotocols") or []) else None
    await send({"type": "websocket.accept", "subprotocol": chosen})
    await send(_error(code, message))
    await send({"type": "websocket.close", "code": CLOSE_RATE_LIMITED})


class WsLimitsMiddleware:
    """Frame size and nesting, sockets per player, connects per window (see the module doc)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        socket_id = uuid.uuid4().hex
        first = await receive()
        if first["type"] == "websocket.connect":
            refusal = await _admit(scope, socket_id)
            if refusal is not None:
                await _refuse(scope, send, *refusal)
                return
        pending: list[Message] = [first]
        max_size = settings.WS_MAX_FRAME_BYTES
        closed = False

        async def limited_receive() -> Message:
            nonlocal closed
            if pending:
                return pending.pop()
            if closed:
                return {"type": "websocket.disconnect", "code": CLOSE_MESSAGE_TOO_BIG}
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                text = message.get("text")
                size = len(text) if text is not None else len(message.get("bytes") or b"")
                if size > max_size:
                    metrics.limits_refused.labels(limit="ws_frame_size").inc()
                    closed = True
                    await send(_error("frame_too_large", f"Frames are at most {max_size} bytes."))
                    await send({"type": "websocket.close", "code": CLOSE_MESSAGE_TOO_BIG})
                    return {"type": "websocket.disconnect", "code": CLOSE_MESSAGE_TOO_BIG}
                if text is not None and json_too_deep(text):
                    metrics.limits_refused.labels(limit="json_depth").inc()
                    await send(_error("frame_too_complex", "The frame is nested too deeply."))
                    continue
                return message

        try:
            await self.app(scope, limited_receive, send)
        finally:
            if first["type"] == "websocket.connect":
                await _release(scope, socket_id)
