"""WebSocket connect: JWT only as a subprotocol, none in the URL; blocked users refused; events
only after commit."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from accounts.events import user_event_send
from accounts.tokens import token_issue
from accounts.ws_auth import credential_in_query, ws_subprotocols
from chancetap.asgi import application
from chancetap.observability import metrics

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]
ENDPOINTS = ["/ws/me/", "/ws/bonus/", "/ws/rooms/1/"]
URL_CREDENTIALS = ["token", "access_token", "init_data", "initData", "tgWebAppData"]


async def _connect(path: str, subprotocols: list[str] | None = None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, path, headers=ORIGIN, subprotocols=subprotocols
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def _refusal(communicator: WebsocketCommunicator) -> tuple[dict, dict]:
    frame = await communicator.receive_json_from(timeout=5)
    close = await communicator.receive_output(timeout=5)
    await communicator.disconnect()  # let the application finish before the loop closes
    return frame, close


async def test_subprotocol_token_gets_hello_and_events(make_user) -> None:
    user = await database_sync_to_async(make_user)(first_name="Ws")
    communicator = WebsocketCommunicator(
        application,
        "/ws/me/",
        headers=ORIGIN,
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
    )
    connected, subprotocol = await communicator.connect(timeout=5)
    assert connected
    assert subprotocol == "chancetap.v1"  # the bearer entry is never echoed back
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    assert hello["user"]["tg_id"] == user.tg_id

    def send_in_rolled_back_then_committed_tx() -> None:
        try:
            with transaction.atomic():
                user_event_send(
                    tg_id=user.tg_id,
                    payload={"type": "bonus_completed", "reward": 1, "balance": -1},
                )
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        with transaction.atomic():
            user_event_send(
                tg_id=user.tg_id, payload={"type": "bonus_completed", "reward": 1, "balance": 42}
            )

    await database_sync_to_async(send_in_rolled_back_then_committed_tx)()
    event = await communicator.receive_json_from(timeout=5)
    assert event == {"type": "bonus_completed", "reward": 1, "balance": 42}
    assert await communicator.receive_nothing(timeout=0.3)

    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "pong"}
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from(timeout=5))["code"] == "frame_invalid"
    await communicator.disconnect()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_valid_token_in_url_is_refused_on_every_endpoint(endpoint, make_user) -> None:
    user = await database_sync_to_async(make_user)()
    token = token_issue(tg_id=user.tg_id)
    before = metrics.auth_failures.labels(code="token_in_url")._value.get()
    # Refused even when the subprotocol carries the same, valid token.
    in_url = urlencode({URL_CREDENTIALS[0]: token})  # token=<jwt>
    communicator = await _connect(f"{endpoint}?{in_url}", subprotocols=ws_subprotocols(token))
    frame, close = await _refusal(communicator)
    assert frame["type"] == "error"
    assert frame["code"] == "token_in_url"
    assert close == {"type": "websocket.close", "code": 4400}
    assert metrics.auth_failures.labels(code="token_in_url")._value.get() == before + 1


@pytest.mark.parametrize("name", [*URL_CREDENTIALS, "TOKEN"])
async def test_any_credential_parameter_in_url_is_refused(name) -> None:
    communicator = await _connect(f"/ws/me/?x=1&{urlencode({name: 'anything'})}")
    frame, close = await _refusal(communicator)
    assert frame["code"] == "token_in_url"
    assert close["code"] == 4400


def test_credential_in_query_spots_names_not_values() -> None:
    def scope(query: str) -> dict:
        return {"query_string": query.encode()}

    assert credential_in_query(scope("a=1;" + "token="))  # blank value, ';' separator
    assert credential_in_query(scope("init%5Fdata=x"))  # percent-encoded name
    assert not credential_in_query(scope("player=token"))
    assert not credential_in_query(scope("tokens=1&my_token=2"))
    assert not credential_in_query(scope(""))


@pytest.mark.parametrize(
    ("subprotocols", "code"),
    [
        (None, "not_authenticated"),
        (["chancetap.v1"], "not_authenticated"),
        (ws_subprotocols("garbage"), "token_invalid"),
    ],
)
async def test_missing_or_bad_token_is_refused(subprotocols, code) -> None:
    communicator = await _connect("/ws/me/", subprotocols=subprotocols)
    frame, close = await _refusal(communicator)
    assert frame["type"] == "error"
    assert frame["code"] == code
    assert close == {"type": "websocket.close", "code": 4401}


async def test_blocked_user_is_refused_on_connect(make_user) -> None:
    user = await database_sync_to_async(make_user)(is_blocked=True)
    communicator = await _connect(
        "/ws/me/", subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id))
    )
    frame, close = await _refusal(communicator)
    assert frame == {"type": "error", "code": "user_blocked", "message": "Your account is blocked."}
    assert close == {"type": "websocket.close", "code": 4403}


async def test_foreign_origin_is_rejected(make_user) -> None:
    user = await database_sync_to_async(make_user)()
    communicator = WebsocketCommunicator(
        application,
        "/ws/me/",
        headers=[(b"origin", b"https://evil.example")],
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


# --- nobody builds a credential into a URL again -----------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SOURCE_SUFFIXES = {".py", ".js", ".mjs", ".cjs", ".ts", ".tsx"}
# Where a credential in a URL is by design, and why. The scrubber's tests feed it such URLs:
SKIP_FILES = {"tests/ops/test_scrub.py"}
ALLOWED = {
    # The debug-only dev login opens the Mini App as Telegram does: initData in the URL fragment
    # (``/#tgWebAppData=...``), which browsers never send to a server.
    "accounts/apis.py": "WebAppData={quote(init_data",
}
SKIP_DIRS = {"node_modules", "dist", "build", "staticfiles", "__pycache__", "htmlcov"}
# The Mini App's build (untracked): frontend/web/src is scanned as source; the build adds only
# third-party code (the Mini Apps SDK serialises launch parameters for its storage).
BUILD_OUTPUT = ROOT / "frontend" / "static"
_CREDENTIAL = "(?:" + "|".join(URL_CREDENTIALS) + ")"
# A credential parameter whose value is interpolated into a URL or a bare query string (Python
# f-string or format, JS template, concatenation, %s), or set through URLSearchParams / urlencode
# by its literal name.
URL_BUILDS = [
    re.compile(r"[?&'\"`]" + _CREDENTIAL + r"=(?:\{|\$\{|%s|['\"`]\s*\+)"),
    re.compile(r"searchParams\.(?:set|append)\(\s*['\"]" + _CREDENTIAL + r"['\"]"),
    re.compile(r"urlencode\(\s*\{\s*['\"]" + _CREDENTIAL + r"['\"]"),
]


def _sources() -> list[Path]:
    found = []
    for top, dirs, files in os.walk(ROOT):  # does not follow the .venv / node_modules symlinks
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIP_DIRS and not d.startswith(".") and Path(top, d) != BUILD_OUTPUT
        ]
        found += [Path(top, f) for f in files if Path(f).suffix in SOURCE_SUFFIXES]
    return found


@pytest.mark.django_db(transaction=False)
def test_no_source_builds_a_credential_into_a_url() -> None:
    # The patterns catch the forms this repository used to have.
    q = "?"
    for old in [
        f'f"/ws/me/{q}token={{token}}"',
        f'"/ws/rooms/{{}}/{q}token={{}}"',
        f"`/ws/bonus/{q}token=${{t}}`",
        f'"/ws/me/{q}tgWebAppData=" + data',
        f'f"{q[:0]}token={{token}}".encode()',  # a raw ASGI query string
    ]:
        assert any(p.search(old) for p in URL_BUILDS), old
    sources = _sources()
    relative = {str(p.relative_to(ROOT)) for p in sources}
    assert {"bench/node/load.js", "frontend/web/src/lib/socket.ts", "bench/ws_bench.py"} <= relative
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if str(path.relative_to(ROOT)) not in SKIP_FILES
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if any(p.search(line) for p in URL_BUILDS)
        and ALLOWED.get(str(path.relative_to(ROOT)), "\0") not in line
    ]
    assert offenders == [], "send the JWT as a bearer.<jwt> subprotocol, never in a URL"
