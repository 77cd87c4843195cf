"""The frames of ``ws/rooms/<id>/``, declared and encoded in one place (SPEC §8,
docs/architecture.md "Wire contract").

The TypedDicts are the declaration: ``manage.py ws_schema`` turns them into docs/ws-frames.json
and the Mini App's types (``frontend/web/src/ws-frames.ts``). The encoders are pure functions from
room data to the text sent on the socket: the hot ones (``progress``, ``ack``) by hand, byte for
byte the shape declared here (``tests/test_ws_frames_contract.py`` compares them), the rest with
``json.dumps`` of the declared dict.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from chancetap.core.errors import ErrorFrame
from rooms.serializers import RoomRulesSerializer, RoomSerializer

# Bodies rendered by the REST API's serializers (the OpenAPI components of the same name).
RoomBody = Annotated[dict[str, Any], RoomSerializer]
RoomRulesBody = Annotated[dict[str, Any], RoomRulesSerializer]

# Why a room socket was closed: the player left, was blocked, or the room was cancelled.
CloseReason = Literal[
    "left", "user_blocked", "hero_timeout", "not_enough_players", "cancelled_by_support"
]


# --- server → client ------------------------------------------------------------------------
class StateFrame(TypedDict):
    """The whole room: first frame on every (re)connect, and after every control event."""

    type: Literal["state"]
    room: RoomBody
    rules: RoomRulesBody
    counts: dict[str, int]  # taps per player id (a string: JSON object keys are)
    server_time: int  # ms since the epoch, for the client's clock offset


class ProgressFrame(TypedDict):
    """Taps per player, at most one per room tick (hand-encoded: ``progress_frame``)."""

    type: Literal["progress"]
    room_id: int
    counts: dict[str, int]
    version: int


class AckFrame(TypedDict):
    """The sender's taps counted so far, answering an accepted packet (hand-encoded)."""

    type: Literal["ack"]
    taps: int


class ClosedFrame(TypedDict):
    """The last frame before the server closes the socket."""

    type: Literal["closed"]
    reason: CloseReason


ReactionFrame = TypedDict(  # "from" is a Python keyword
    "ReactionFrame",
    {
        "type": Literal["reaction"],
        "from": int,
        "target": int,
        "emoji": list[str],  # six when a player cheers for himself (a burst), else one
        "burst": bool,
    },
)
ReactionFrame.__doc__ = "A player sent an emoji at a player (before the game starts)."


class CountdownFrame(TypedDict):
    type: Literal["countdown"]
    started_at: str | None  # ISO 8601, as the room's fields
    ends_at: str | None


class StartedFrame(TypedDict):
    type: Literal["started"]
    ends_at: str | None


class FinishedFrame(TypedDict):
    type: Literal["finished"]
    winner_id: int | None
    prize: int
    pool: int
    counts: dict[str, int]


class PongFrame(TypedDict):
    type: Literal["pong"]
    server_time: int


RoomServerFrame = (
    StateFrame
    | ProgressFrame
    | AckFrame
    | ErrorFrame
    | ClosedFrame
    | ReactionFrame
    | CountdownFrame
    | StartedFrame
    | FinishedFrame
    | PongFrame
)


# --- client → server ------------------------------------------------------------------------
# Parsed in ``rooms.consumers`` from untrusted JSON: these say what a well-built client sends;
# the consumer still checks every field (``rooms.engine.packet_error``).
class TapsFrame(TypedDict):
    """Taps since the last packet (at most ``max_packet``), every 200 ms while tapping."""

    type: Literal["taps"]
    count: int
    timestamp: int  # the client's ms since the epoch when the packet was sent
    user_id: NotRequired[int]  # refused unless it is the signed-in player's


class PingFrame(TypedDict):
    type: Literal["ping"]


class ReactionRequestFrame(TypedDict):
    type: Literal["reaction"]
    target: int  # the player (tg id) the emoji flies to


class StartFrame(TypedDict):
    """The hero room's organizer starts the game."""

    type: Literal["start"]


class LeaveFrame(TypedDict):
    """Leave before the game starts (the fee is refunded)."""

    type: Literal["leave"]


RoomClientFrame = TapsFrame | PingFrame | ReactionRequestFrame | StartFrame | LeaveFrame


# --- encoders -------------------------------------------------------------------------------
def dumps(frame: RoomServerFrame) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def progress_frame(room_id: int, counts: dict[str, int], version: int) -> str:
    """The hot ``ProgressFrame``, encoded by hand (ids and counts are integers): several times
    faster than ``json.dumps`` of the same dict, and byte-for-byte valid JSON."""
    body = ",".join(f'"{int(user)}":{int(taps)}' for user, taps in counts.items())
    head = f'{{"type":"progress","room_id":{int(room_id)},"counts":{{{body}}}'
    return f'{head},"version":{int(version)}}}'


def state_frame(state: dict[str, Any], counts: dict[str, int]) -> StateFrame:
    """``state`` is ``rooms.snapshots.room_snapshot``'s (room and rules)."""
    return {
        "type": "state",
        "room": state["room"],
        "rules": state["rules"],
        "counts": counts,
        "server_time": int(time.time() * 1000),
    }


def ack_frame(taps: int) -> str:
    """The hot ``AckFrame``, encoded by hand."""
    return f'{{"type":"ack","taps":{int(taps)}}}'


def error_frame(code: str, message: str) -> str:
    return dumps({"type": "error", "code": code, "message": message})


def closed_frame(reason: CloseReason) -> str:
    return dumps({"type": "closed", "reason": reason})


def pong_frame() -> str:
    return dumps({"type": "pong", "server_time": int(time.time() * 1000)})


def reaction_frame(message: dict[str, Any]) -> str:
    frame: ReactionFrame = {
        "type": "reaction",
        "from": message["from"],
        "target": message["target"],
        "emoji": message["emoji"],
        "burst": message["burst"],
    }
    return dumps(frame)


def event_frames(name: str | None, public: dict[str, Any], counts: dict[str, int]) -> list[str]:
    """What a control event (countdown, started, finished, …) sends before the new state."""
    frame: RoomServerFrame
    if name == "countdown":
        frame = {
            "type": "countdown",
            "started_at": public["started_at"],
            "ends_at": public["ends_at"],
        }
    elif name == "started":
        frame = {"type": "started", "ends_at": public["ends_at"]}
    elif name == "finished":
        frame = {
            "type": "finished",
            "winner_id": public["winner_id"],
            "prize": public["prize"],
            "pool": public["pool"],
            "counts": counts,
        }
    else:
        return []
    return [dumps(frame)]
