"""The frames of ``ws/bonus/`` (``rooms.bonus_consumer``), and the ``ws/me/`` event that says a
bonus run was completed. Declared here; docs/ws-frames.json and the Mini App's types are
generated from them (``manage.py ws_schema``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from chancetap.core.errors import ErrorFrame
from rooms.serializers import BonusRunSerializer

BonusRunBody = Annotated[dict[str, Any], BonusRunSerializer]


# --- server → client ------------------------------------------------------------------------
class BonusStateFrame(TypedDict):
    """The first frame: the player's running bonus run, or null when there is none."""

    type: Literal["state"]
    run: BonusRunBody | None


class BonusProgressFrame(TypedDict):
    """Answers an accepted packet: the run's taps so far."""

    type: Literal["progress"]
    taps: int
    target_taps: int


class BonusCompletedFrame(TypedDict):
    """The target was reached and the reward credited (the run is over)."""

    type: Literal["completed"]


BonusServerFrame = BonusStateFrame | BonusProgressFrame | BonusCompletedFrame | ErrorFrame


# --- client → server ------------------------------------------------------------------------
class BonusTapsFrame(TypedDict):
    """Taps since the last packet, as in the rooms (``rooms.frames.TapsFrame``)."""

    type: Literal["taps"]
    count: int
    timestamp: int


BonusClientFrame = BonusTapsFrame


# --- ws/me/ ---------------------------------------------------------------------------------
class BonusCompletedEvent(TypedDict):
    """``ws/me/`` event: a bonus run's reward was credited."""

    type: Literal["bonus_completed"]
    reward: int
    balance: int
