"""Room WebSocket load: our ASGI server against a minimal Node ``ws`` server (same protocol).

Simulated players (10 per room) send a ``taps`` packet every 200 ms; the server answers with one
``progress`` per room per 100 ms. Printed per server: connections held and memory per connection,
tap packets/s in, progress frames/s out, and p50/p95/p99 from sending a packet to seeing its
count in a ``progress`` frame. The server is pinned to CPU 0 and the load generator to CPU 1.

Usage: ``python -m bench.ws_bench [--players 500] [--idle 2000] [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
DB_URL = os.environ.get(
    "BENCH_WS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chancetap_wsbench"
)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def setup_rooms(rooms: int) -> list[tuple[int, list[tuple[int, str]]]]:
    """Rooms in play with 10 seated players each; returns (room id, [(user id, token)])."""
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(DB_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DATABASE_URL": DB_URL,
            "REDIS_URL": REDIS_URL,
            "CHANCETAP_TESTING": "1",
            "DJANGO_SETTINGS_MODULE": "chancetap.settings",
        }
    )
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from accounts.tokens import token_issue
    from rooms.models import Room, RoomTier, Seat

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(REDIS_URL).flushdb()
    tier = RoomTier.objects.get(stars=20)
    now = timezone.now()
    users = User.objects.bulk_create(
        [User(tg_id=3_000_000 + i, first_name=f"P{i}") for i in range(rooms * 10)]
    )
    out = []
    for r in range(rooms):
        room = Room.objects.create(
            kind="standard",
            tier=tier,
            fee=20,
            phase="playing",
            seated=10,
            deadline_at=now,
            countdown_at=now,
            started_at=now - timedelta(seconds=1),
            ends_at=now + timedelta(hours=1),
        )
        members = users[r * 10 : r * 10 + 10]
        Seat.objects.bulk_create([Seat(room=room, user=u, number=i) for i, u in enumerate(members)])
        out.append((room.pk, [(u.tg_id, token_issue(tg_id=u.tg_id)) for u in members]))
    return out


async def player(url: str, uid: int, seconds: float, stats: dict, go: asyncio.Event) -> None:
    import websockets
    from websockets.typing import Origin

    async with websockets.connect(
        url, origin=Origin("http://127.0.0.1:8000"), max_queue=None
    ) as ws:
        stats["connected"] += 1
        await go.wait()
        sent: list[tuple[int, float]] = []  # (cumulative count, sent at)
        total = 0

        async def reader() -> None:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "progress":
                    stats["progress"] += 1
                    seen = frame["counts"].get(str(uid), 0)
                    now = time.perf_counter()
                    while sent and sent[0][0] <= seen:
                        stats["latency"].append(now - sent.pop(0)[1])

        task = asyncio.create_task(reader())
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            total += 5
            sent.append((total, time.perf_counter()))
            await ws.send(
                json.dumps({"type": "taps", "count": 5, "timestamp": int(time.time() * 1000)})
            )
            stats["packets"] += 1
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)
        task.cancel()


async def hold(url: str, stats: dict, release: asyncio.Event) -> None:
    import websockets
    from websockets.typing import Origin

    async with websockets.connect(url, origin=Origin("http://127.0.0.1:8000")):
        stats["held"] += 1
        await release.wait()


async def run_load(
    base: str, urls: list[tuple[str, int]], idle_urls: list[str], seconds: float, pid: int
) -> dict:
    stats: dict = {"connected": 0, "packets": 0, "progress": 0, "latency": [], "held": 0}
    release = asyncio.Event()
    before = rss_kb(pid)
    holders = []
    for i in range(0, len(idle_urls), 200):
        holders += [asyncio.create_task(hold(u, stats, release)) for u in idle_urls[i : i + 200]]
        await asyncio.sleep(0.3)
    await asyncio.sleep(2)
    held_rss = rss_kb(pid)
    go = asyncio.Event()
    players = [asyncio.create_task(player(u, uid, seconds, stats, go)) for u, uid in urls]
    while stats["connected"] < len(urls):
        await asyncio.sleep(0.1)
    started = time.perf_counter()
    go.set()
    await asyncio.gather(*players, return_exceptions=True)
    elapsed = time.perf_counter() - started
    release.set()
    outcomes = await asyncio.gather(*holders, return_exceptions=True)
    errors = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    if errors:
        print(f"  ({len(errors)} idle connections failed, e.g. {errors[0][:160]})")
    return {
        "held": stats["held"],
        "kb_per_conn": (held_rss - before) / max(1, stats["held"]),
        "packets_s": stats["packets"] / elapsed,
        "progress_s": stats["progress"] / elapsed,
        "latency": stats["latency"],
    }


def start(cmd: list[str], env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen(
        ["taskset", "-c", "0", *cmd],
        cwd=ROOT,
        env=env or os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = next(a for a in cmd if a.isdigit() and len(a) == 4)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def report(name: str, result: dict, baseline: dict | None) -> None:
    q = statistics.quantiles(result["latency"], n=100) if len(result["latency"]) > 10 else [0] * 99
    p50, p95, p99 = (q[49] * 1000, q[94] * 1000, q[98] * 1000)
    line = (
        f"  {name:8} held {result['held']:5}  {result['kb_per_conn']:6.1f} KB/conn  "
        f"in {result['packets_s']:7.0f} pkt/s  out {result['progress_s']:7.0f} progress/s  "
        f"p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms"
    )
    if baseline:
        bq = statistics.quantiles(baseline["latency"], n=100)
        line += (
            f"  | vs node: in x{result['packets_s'] / baseline['packets_s']:.2f}, "
            f"p95 x{p95 / (bq[94] * 1000):.2f}"
        )
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=500)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    rooms = setup_rooms((args.players + args.idle) // 10)
    active, idle = rooms[: args.players // 10], rooms[args.players // 10 :]
    print(
        f"rooms websocket bench: {args.players} active players, {args.idle} idle connections, "
        f"{args.seconds:.0f} s, server on CPU 0, load on CPU 1 (ms from tap to progress)"
    )

    node = start(["node", "bench/node/server.js", "8790"])
    try:
        nurl = "ws://127.0.0.1:8790/ws/rooms/{}/?player={}"
        node_result = asyncio.run(
            run_load(
                "",
                [(nurl.format(r, uid), uid) for r, ps in active for uid, _ in ps],
                [nurl.format(r, uid) for r, ps in idle for uid, _ in ps],
                args.seconds,
                node.pid,
            )
        )
    finally:
        node.terminate()
    env = {**os.environ, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "DATABASE_CONN_MAX_AGE": "60"}
    ours = start(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "chancetap.asgi:application",
            "--port",
            "8791",
            "--log-level",
            "warning",
            "--ws-max-queue",
            "1024",
        ],
        env,
    )
    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        profiler = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "-o",
                os.environ["BENCH_PROFILE"],
                "-d",
                str(int(args.seconds) + 8),
                "-f",
                "raw",
                "-p",
                str(ours.pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        url = "ws://127.0.0.1:8791/ws/rooms/{}/?token={}"
        our_result = asyncio.run(
            run_load(
                "",
                [(url.format(r, tok), uid) for r, ps in active for uid, tok in ps],
                [url.format(r, tok) for r, ps in idle for _, tok in ps],
                args.seconds,
                ours.pid,
            )
        )
    finally:
        if profiler is not None:
            profiler.wait(60)
        ours.terminate()
    report("node-ws", node_result, None)
    report("uvicorn", our_result, node_result)


if __name__ == "__main__":
    main()
