"""The WebSocket wire contract: every socket and the frames it carries, for ``manage.py ws_schema``.

Each frame is a ``TypedDict`` declared once, beside the code that sends or reads it
(``rooms.frames``, ``rooms.bonus_frames``, ``chancetap.profile.frames`` with the events of
``payments.events``; the error frame in ``chancetap.core.errors``). ``chancetap.wsframes.schema``
turns them into one JSON Schema document (docs/ws-frames.json), from which the Mini App's types
are generated (frontend/web/src/ws-frames.ts). The sockets are listed in
``chancetap.wsframes.sockets``. This package sits above the apps, like ``chancetap.routing``: no
app imports it.
"""
