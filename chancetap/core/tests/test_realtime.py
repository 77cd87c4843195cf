"""Realtime events from synchronous code (chancetap/core/realtime.py) on the real Redis layer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chancetap.core.realtime import group_send_now


def test_a_burst_of_sends_from_many_threads_is_delivered_not_refused() -> None:
    """More sends at once than redis-py's pool has connections: they queue, none fails with
    MaxConnectionsError (events were lost that way under `make bench`'s 8-thread payments)."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("test.burst", channel)
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = list(
                pool.map(
                    lambda n: group_send_now("test.burst", {"type": "burst", "n": n}), range(800)
                )
            )
        done, pending = wait([f for f in futures if f is not None], timeout=60)
        assert not pending
        assert [f.exception() for f in done if f.exception() is not None] == []
        assert async_to_sync(layer.receive)(channel)["type"] == "burst"
    finally:
        async_to_sync(layer.group_discard)("test.burst", channel)
