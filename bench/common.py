"""What every benchmark shares: the server as production runs it, and Redis it may empty.

Servers under test run the Dockerfile's command (uvicorn, one process, ``--proxy-headers``,
``--ws-per-message-deflate false``, ``--ws websockets-sansio`` unless ``BENCH_UVICORN_WS`` names
another implementation to compare) with production settings: ``DJANGO_DEBUG=0``, no
``CHANCETAP_TESTING`` (so WhiteNoise serves collected files only, as configured), the default
connection pool (no ``DATABASE_POOL`` or ``DATABASE_CONN_MAX_AGE`` override) and secrets of their
own. ``make bench`` names the databases and the Redis database after the checkout
(``TEST_DATABASE_NAME``, ``TEST_REDIS_DB``), so two checkouts never share them.
"""

from __future__ import annotations

import atexit
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Fixed, public bench-only secrets: the bench process signs tokens the server must accept.
SECRETS = {
    "DJANGO_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789abcdef",
    "JWT_SECRET": "bench-jwt-secret-0123456789abcdef0123456789abcdef",
    "TELEGRAM_BOT_TOKEN": "1234567890:BENCH-chancetap-bench-token-abcdefgh",
}
# Settings a bench must not pass on to the server: each would make it differ from production.
NOT_PRODUCTION = ("CHANCETAP_TESTING", "DATABASE_POOL", "DATABASE_CONN_MAX_AGE", "DJANGO_DEBUG")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

# The marker the test suite's conftest.py writes: a Redis database is emptied only by its owner.
_OWNER = os.environ.get("CHANCETAP_TEST_OWNER", "chancetap-tests")


def bench_secrets() -> None:
    """Use the bench secrets in this process too (tokens it issues must verify in the server)."""
    for name, value in SECRETS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("CHANCETAP_IGNORE_DOTENV", "1")


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a server under test: production settings on the bench's stores."""
    bench_secrets()
    env = {k: v for k, v in os.environ.items() if k not in NOT_PRODUCTION}
    env.update({"DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "REDIS_URL": REDIS_URL})
    # Bench-only: every simulated player connects from 127.0.0.1 within seconds.
    env["WS_CONNECTS_PER_IP"] = "1000000"
    env.update(extra)
    return env


def uvicorn_cmd(port: int) -> list[str]:
    """The Dockerfile's CMD, on loopback and a port of our own."""
    return [
        str(Path(sys.executable).parent / "uvicorn"),
        "chancetap.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--proxy-headers",
        "--ws-per-message-deflate",
        "false",
        "--ws-max-size",
        "16384",
        "--ws",
        os.environ.get("BENCH_UVICORN_WS") or "websockets-sansio",
        "--log-level",
        "warning",
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_held: set[str] = set()


def redis_flush(url: str = REDIS_URL) -> None:
    """Empty the bench's Redis database — only when it is empty or ours (as the tests do). The
    bench empties it again when its process ends, leaving no marker behind for the next run."""
    from tests.redis_owner import NotOursError, claim, release

    try:
        claim(url, _OWNER, flush=True, held=url in _held)
    except NotOursError as exc:
        raise SystemExit(f"{exc} (for the benches: BENCH_REDIS_URL=...)") from exc
    if url not in _held:
        _held.add(url)
        atexit.register(release, url, _OWNER)
