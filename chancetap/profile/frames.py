"""The frames of ``ws/me/`` (``chancetap.profile.consumers``): the hello, and every event the apps
push to the player's group (``accounts.events.user_event_send``), each declared beside its sender.
docs/ws-frames.json and the Mini App's types are generated from them (``manage.py ws_schema``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from chancetap.core.errors import ErrorFrame
from chancetap.profile.serializers import ProfileSerializer
from payments.events import PaymentEvent, TonTopupEvent
from rooms.bonus_frames import BonusCompletedEvent


# --- server → client ------------------------------------------------------------------------
class HelloFrame(TypedDict):
    """The first frame: the profile as ``/me`` renders it (the Mini App refetches ``/me``)."""

    type: Literal["hello"]
    user: Annotated[dict[str, Any], ProfileSerializer]


class MePongFrame(TypedDict):
    type: Literal["pong"]


# The events (payment, ton_topup, bonus_completed) arrive whenever they happen; a blocked account
# gets an error frame and the close.
MeEvent = PaymentEvent | TonTopupEvent | BonusCompletedEvent
MeServerFrame = HelloFrame | MePongFrame | ErrorFrame | MeEvent


# --- client → server ------------------------------------------------------------------------
class MePingFrame(TypedDict):
    type: Literal["ping"]


MeClientFrame = MePingFrame
