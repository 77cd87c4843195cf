"""An in-memory Redis-compatible server for ``make run`` without ``REDIS_URL`` (development only).

Games need what only Redis gives here: atomic tap scripts, and events that cross from the Celery
worker (timers) to the web process (sockets). ``bin/run-all`` starts this server (fakeredis, pure
Python, nothing downloaded, data lost on exit) and points the web process and the worker at it, so
a demo plays whole games on a machine without Redis. Production always sets ``REDIS_URL``.

    python -m chancetap.runtime.embedded_redis --port 6390
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6390)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the embedded Redis has no authentication: bind it to loopback only")
    try:
        from fakeredis import TcpFakeServer
    except ImportError:
        print("fakeredis is not installed (requirements-dev.txt)", file=sys.stderr)
        return 2
    try:
        server = TcpFakeServer((args.host, args.port), server_type="redis")
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    server.daemon_threads = True

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"embedded Redis (fakeredis, in memory) on {args.host}:{args.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
