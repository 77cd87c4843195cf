"""The frames of ``ws/rooms/<id>/``, encoded in one place (SPEC §8, docs/architecture.md).

Pure functions from room data to the text sent on the socket: the hot ones (``progress``,
``ack``) by hand, the rest with ``json.dumps``.
"""

from __future__ import annotations

import json
import time
from typing import Any


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def progress_frame(room_id: int, counts: dict[str, int], version: int) -> str:
    """The hot frame, encoded by hand (ids and counts are integers): several times faster than
    ``json.dumps`` of the same dict, and byte-for-byte valid JSON."""
    body = ",".join(f'"{int(user)}":{int(taps)}' for user, taps in counts.items())
    head = f'{{"type":"progress","room_id":{int(room_id)},"counts":{{{body}}}'
    return f'{head},"version":{int(version)}}}'


def state_frame(state: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    return {"type": "state", **state, "counts": counts, "server_time": int(time.time() * 1000)}


def ack_frame(taps: int) -> str:
    return f'{{"type":"ack","taps":{int(taps)}}}'


def error_frame(code: str, message: str) -> str:
    return dumps({"type": "error", "code": code, "message": message})


def closed_frame(reason: str) -> str:
    return dumps({"type": "closed", "reason": reason})


def reaction_frame(message: dict[str, Any]) -> str:
    return dumps(
        {
            "type": "reaction",
            "from": message["from"],
            "target": message["target"],
            "emoji": message["emoji"],
            "burst": message["burst"],
        }
    )


def event_frames(name: str | None, public: dict[str, Any], counts: dict[str, int]) -> list[str]:
    """What a control event (countdown, started, finished, …) sends before the new state."""
    if name == "countdown":
        return [
            dumps(
                {
                    "type": "countdown",
                    "started_at": public["started_at"],
                    "ends_at": public["ends_at"],
                }
            )
        ]
    if name == "started":
        return [dumps({"type": "started", "ends_at": public["ends_at"]})]
    if name == "finished":
        return [
            dumps(
                {
                    "type": "finished",
                    "winner_id": public["winner_id"],
                    "prize": public["prize"],
                    "pool": public["pool"],
                    "counts": counts,
                }
            )
        ]
    return []
