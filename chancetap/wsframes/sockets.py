"""Every socket and the unions of the frames it carries (see ``chancetap.wsframes``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chancetap.profile.frames import MeClientFrame, MeServerFrame
from rooms.bonus_frames import BonusClientFrame, BonusServerFrame
from rooms.frames import RoomClientFrame, RoomServerFrame


@dataclass(frozen=True)
class Socket:
    name: str  # the schema names its unions <Name>ServerFrame and <Name>ClientFrame
    path: str  # as routed (chancetap.routing), ``{room_id}`` for a path parameter
    server: Any  # the union of what the server sends
    client: Any  # the union of what a client may send


SOCKETS = (
    Socket("room", "/ws/rooms/{room_id}/", RoomServerFrame, RoomClientFrame),
    Socket("bonus", "/ws/bonus/", BonusServerFrame, BonusClientFrame),
    Socket("me", "/ws/me/", MeServerFrame, MeClientFrame),
)
