"""The embedded Redis of ``make run`` without REDIS_URL runs our tap scripts and the pub/sub the
channel layer needs."""

from __future__ import annotations

import subprocess
import sys
import time

import redis

from rooms.taps import FLUSH_SCRIPT, prefix
from tests.server import free_port


def test_embedded_redis_runs_the_tap_scripts_and_refuses_public_binds() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "chancetap.runtime.embedded_redis", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, decode_responses=True)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        # known version, target, ttl, n, cheat window ms, limit, ends ms, then n packets.
        args = [0, 0, 60, 2, 2000, 50, 0, 7, 5, 1000, 10_000, 0, 8, 3, 1000, 10_010, 0]
        version, results, counts = client.eval(FLUSH_SCRIPT, 1, prefix(1), *args)
        assert results == [5, 0, 3, 0]
        assert version == 1
        assert dict(zip(counts[::2], counts[1::2], strict=True)) == {"7": "5", "8": "3"}
        assert client.bzpopmin("nothing", timeout=0.1) is None
    finally:
        process.terminate()
        process.wait(10)
    refused = subprocess.run(
        [sys.executable, "-m", "chancetap.runtime.embedded_redis", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 2
    assert "loopback" in refused.stderr
