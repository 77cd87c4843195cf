"""WebSocket metrics: the personal event socket counts its connection and frames; the helpers the
room sockets call keep their labels bounded and count taps and cheaters."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.tokens import token_issue
from accounts.ws_auth import ws_subprotocols
from chancetap.asgi import application
from chancetap.observability import metrics

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


def value(metric, **labels) -> float:
    return metric.labels(**labels)._value.get()


@pytest.mark.django_db(transaction=True)
async def test_user_socket_counts_connection_and_frames(make_user) -> None:
    user = await database_sync_to_async(make_user)()
    open_before = value(metrics.ws_connections, endpoint="me")
    hello = value(metrics.ws_messages_total, direction="out", type="hello")
    ping = value(metrics.ws_messages_total, direction="in", type="ping")
    pong = value(metrics.ws_messages_total, direction="out", type="pong")
    other = value(metrics.ws_messages_total, direction="in", type="other")

    communicator = WebsocketCommunicator(
        application,
        "/ws/me/",
        headers=ORIGIN,
        subprotocols=ws_subprotocols(token_issue(tg_id=user.tg_id)),
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    assert value(metrics.ws_connections, endpoint="me") == open_before + 1
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "pong"
    await communicator.send_json_to({"type": "x" * 500})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "error"
    await communicator.disconnect()

    assert value(metrics.ws_connections, endpoint="me") == open_before
    assert value(metrics.ws_messages_total, direction="out", type="hello") == hello + 1
    assert value(metrics.ws_messages_total, direction="in", type="ping") == ping + 1
    assert value(metrics.ws_messages_total, direction="out", type="pong") == pong + 1
    assert value(metrics.ws_messages_total, direction="in", type="other") == other + 1


def test_sent_frames_are_typed_from_their_text() -> None:
    progress = value(metrics.ws_messages_total, direction="out", type="progress")
    other = value(metrics.ws_messages_total, direction="out", type="other")
    metrics.ws_sent('{"type":"progress","room_id":1,"counts":{}}')
    metrics.ws_sent('{"type":"made-up","x":1}')
    metrics.ws_sent("[1,2]")
    metrics.ws_sent('{"type":"')
    assert value(metrics.ws_messages_total, direction="out", type="progress") == progress + 1
    assert value(metrics.ws_messages_total, direction="out", type="other") == other + 3


def test_tap_packets_count_taps_and_flag_cheaters() -> None:
    accepted = value(metrics.taps_total, outcome="accepted", reason="ok")
    rate = value(metrics.taps_total, outcome="rejected", reason="tap_count_invalid")
    flagged_taps = value(metrics.taps_total, outcome="rejected", reason="cheater_flagged")
    cheaters = value(metrics.cheaters_flagged_total, reason="tap_rate")
    metrics.tap_packet(None, 7)
    metrics.tap_packet("tap_count_invalid", "many")  # a malformed packet counts once
    metrics.tap_packet("tap_count_invalid", True)
    metrics.tap_packet("tap_count_invalid", 10**19)
    metrics.tap_packet("cheater_flagged", 20)
    metrics.tap_packet("cheater", 3)  # already flagged: rejected, not flagged again
    assert value(metrics.taps_total, outcome="accepted", reason="ok") == accepted + 7
    assert value(metrics.taps_total, outcome="rejected", reason="tap_count_invalid") == rate + 3
    assert (
        value(metrics.taps_total, outcome="rejected", reason="cheater_flagged") == flagged_taps + 20
    )
    assert value(metrics.cheaters_flagged_total, reason="tap_rate") == cheaters + 1
