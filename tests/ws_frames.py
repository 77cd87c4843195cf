"""Every frame a test receives is checked against docs/ws-frames.json (the root conftest's
``_ws_frames_match_their_schema`` wraps ``WebsocketCommunicator.receive_from``)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "ws-frames.json"


@functools.cache
def schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one ``$defs`` entry: a socket's union or one frame."""
    return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": schema()["$defs"]})


def socket_of(path: str) -> str:
    """The socket (``room``, ``bonus``, ``me``) serving ``path``."""
    for name, socket in schema()["x-sockets"].items():
        pattern = re.escape(socket["path"]).replace(re.escape("{room_id}"), r"\d+")
        if re.fullmatch(pattern, path):
            return str(name)
    raise AssertionError(f"{path} is no socket of docs/ws-frames.json")


def server_union(path: str) -> str:
    return str(schema()["x-sockets"][socket_of(path)]["server"]["$ref"].rpartition("/")[2])


def frame_problems(name: str, frame: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(frame)'}: {error.message}"
        for error in validator(name).iter_errors(frame)
    ]


def check_server_frame(path: str, text: str) -> None:
    """Fail unless ``text`` is one of the frames declared for what ``path``'s server sends."""
    frame = json.loads(text)
    union = server_union(path)
    # Name the frame the type points at, so the message says which field is wrong.
    for ref in schema()["$defs"][union]["oneOf"]:
        name = ref["$ref"].rpartition("/")[2]
        declared = schema()["$defs"][name]["properties"]["type"]["const"]
        if isinstance(frame, dict) and frame.get("type") == declared:
            problems = frame_problems(name, frame)
            if not problems:
                return
            raise AssertionError(f"{path} sent {text!r}, which is no {name}: {problems}")
    raise AssertionError(f"{path} sent {text!r}, whose type is not declared in {union}")
