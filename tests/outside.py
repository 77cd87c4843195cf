"""A fake outside HTTP service on 127.0.0.1 that misbehaves on demand (issue #17): what the TON
API or a rate source does on a bad day, for ``chancetap.outbound`` and its callers.

``FlakyService.script`` lists the modes of the next requests (then ``default`` for the rest):

- ``ok``: 200 with ``body`` (JSON text);
- ``slow``: answers only after ``delay`` seconds (headers included);
- ``drip``: sends headers at once, then the body a byte every ``delay`` seconds;
- ``5xx``: 503; ``404``: 404; ``429``: 429 with ``Retry-After: retry_after``;
- ``garbage``: 200 with an HTML error page; ``huge``: 200 with ``huge_bytes`` of JSON;
- ``reset``: closes the connection without answering.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FlakyService:
    def __init__(self, body: Any = None) -> None:
        self.body = json.dumps({"ok": True} if body is None else body)
        self.default = "ok"
        self.script: list[str] = []
        self.delay = 2.0
        self.retry_after = "0"
        self.huge_bytes = 2 * 1024 * 1024
        self.requests: list[tuple[float, str, str]] = []  # (time, mode, path)
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                mode = service._next(self.path)
                if mode == "reset":
                    # RST instead of FIN: the client sees the connection torn down.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    return
                if mode == "slow":
                    time.sleep(service.delay)
                status, payload = {
                    "5xx": (503, b'{"error": "upstream down"}'),
                    "404": (404, b'{"error": "no such method"}'),
                    "429": (429, b'{"ok": false, "error": "rate limit"}'),
                    "garbage": (200, b"<html><body>502 Bad Gateway</body></html>"),
                    "huge": (200, b'{"pad": "' + b"x" * service.huge_bytes + b'"}'),
                }.get(mode, (200, service.body.encode()))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if mode == "429":
                    self.send_header("Retry-After", service.retry_after)
                self.end_headers()
                try:
                    if mode == "drip":
                        for index in range(len(payload)):
                            self.wfile.write(payload[index : index + 1])
                            self.wfile.flush()
                            time.sleep(service.delay)
                    else:
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/price"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _next(self, path: str) -> str:
        with self._lock:
            mode = self.script.pop(0) if self.script else self.default
            self.requests.append((time.monotonic(), mode, path))
            return mode

    @property
    def calls(self) -> int:
        return len(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
