"""WebSocket connect: JWT required, blocked users refused, events only after commit."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from accounts.events import user_event_send
from accounts.tokens import token_issue
from chancetap.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


async def _connect(path: str, subprotocols: list[str] | None = None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, path, headers=ORIGIN, subprotocols=subprotocols
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def test_valid_token_gets_hello_and_events(make_user) -> None:
    user = await database_sync_to_async(make_user)(first_name="Ws")
    communicator = await _connect(f"/ws/me/?token={token_issue(tg_id=user.tg_id)}")
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    assert hello["user"]["tg_id"] == user.tg_id

    def send_in_rolled_back_then_committed_tx() -> None:
        try:
            with transaction.atomic():
                user_event_send(tg_id=user.tg_id, payload={"type": "balance", "balance": -1})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        with transaction.atomic():
            user_event_send(tg_id=user.tg_id, payload={"type": "balance", "balance": 42})

    await database_sync_to_async(send_in_rolled_back_then_committed_tx)()
    event = await communicator.receive_json_from(timeout=5)
    assert event == {"type": "balance", "balance": 42}
    assert await communicator.receive_nothing(timeout=0.3)

    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "pong"}
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from(timeout=5))["code"] == "frame_invalid"
    await communicator.disconnect()


async def test_subprotocol_token_works(make_user) -> None:
    user = await database_sync_to_async(make_user)()
    token = token_issue(tg_id=user.tg_id)
    communicator = await _connect("/ws/me/", subprotocols=["chancetap.v1", f"bearer.{token}"])
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("query", "code", "close"),
    [("", "not_authenticated", 4401), ("?token=garbage", "token_invalid", 4401)],
)
async def test_missing_or_bad_token_is_refused(query, code, close) -> None:
    communicator = await _connect(f"/ws/me/{query}")
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "error"
    assert frame["code"] == code
    output = await communicator.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": close}


async def test_blocked_user_is_refused_on_connect(make_user) -> None:
    user = await database_sync_to_async(make_user)(is_blocked=True)
    communicator = await _connect(f"/ws/me/?token={token_issue(tg_id=user.tg_id)}")
    frame = await communicator.receive_json_from(timeout=5)
    assert frame == {"type": "error", "code": "user_blocked", "message": "Your account is blocked."}
    output = await communicator.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_foreign_origin_is_rejected(make_user) -> None:
    user = await database_sync_to_async(make_user)()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/me/?token={token_issue(tg_id=user.tg_id)}",
        headers=[(b"origin", b"https://evil.example")],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert not connected
