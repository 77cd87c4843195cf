"""Room WebSocket load: our ASGI server against a minimal Node ``ws`` server (same protocol).

Simulated players (10 per room) send a ``taps`` packet every 200 ms; the server answers with one
``progress`` per room per 100 ms. The load generator is written in Node (bench/node/load.js) so
that it is not the bottleneck; it is pinned to CPU 1 and the server under test to CPU 0. Printed
per server: connections held (idle + active) and memory per idle connection, tap packets/s in,
progress frames/s out, the server's CPU use, and p50/p95/p99 from sending a packet to seeing its
count in a ``progress`` frame — and our figures as ratios to the Node baseline.

Usage: ``python -m bench.ws_bench [--players 2000] [--idle 3000] [--seconds 10]
[--servers uvicorn,uvicorn+deflate,daphne]``; ``BENCH_PROFILE=/tmp/ws.prof`` adds a py-spy
profile of the active phase; ``BENCH_UVICORN_WS=websockets-sansio`` (or another of uvicorn's
``--ws`` implementations) runs the servers under test with it instead of production's default.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import REDIS_URL, ROOT, bench_secrets, free_port, production_env, redis_flush

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
    bench_secrets()
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
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from accounts.tokens import token_issue
    from rooms.models import Room, RoomTier, Seat

    call_command("migrate", verbosity=0)
    redis_flush()
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


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(
    active: list[tuple[str, int, list[str]]],
    idle: list[tuple[str, list[str]]],
    seconds: float,
    pid: int,
    *,
    deflate: bool = False,
) -> dict:
    """Drive the Node load generator (bench/node/load.js, pinned to CPU 1) against ``pid``.

    Each socket is ``(url, [user id,] subprotocols)``: the JWT travels as a ``bearer.<jwt>``
    subprotocol, never in the URL (``accounts.ws_auth``).
    """
    plan = {
        "active": active,
        "idle": idle,
        "seconds": seconds,
        "origin": "http://127.0.0.1:8000",
        "deflate": deflate,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    before = rss_kb(pid)
    loader = subprocess.Popen(
        ["taskset", "-c", "1", "node", "bench/node/load.js", f.name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert loader.stdout is not None
    result: dict = {}
    profiler = None
    try:
        for line in loader.stdout:
            event = json.loads(line)
            if event["phase"] == "held":
                result["kb_per_conn"] = (rss_kb(pid) - before) / max(1, event["held"])
            elif event["phase"] == "go":
                cpu0, t0 = cpu_seconds(pid), time.perf_counter()
                profiler = start_profiler(pid, seconds)
            elif event["phase"] == "done":
                result.update(event)
                result["cpu"] = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
                result["rss_mb"] = rss_kb(pid) / 1024
    finally:
        loader.wait(60)
        if profiler is not None:
            profiler.wait(60)
        os.unlink(f.name)
    return result


def start_profiler(pid: int, seconds: float) -> subprocess.Popen | None:
    """``BENCH_PROFILE=/tmp/ws.prof``: py-spy samples the server during the active phase only."""
    target = os.environ.get("BENCH_PROFILE")
    if not target or pid == 0:
        return None
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "-o",
            target,
            "-d",
            str(max(1, int(seconds) - 1)),
            "-f",
            "raw",
            "-p",
            str(pid),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start(cmd: list[str], port: int, env: dict | None = None) -> subprocess.Popen:
    """The server under test on ``port``, pinned to CPU 0; its output (warnings, errors) shows."""
    process = subprocess.Popen(["taskset", "-c", "0", *cmd], cwd=ROOT, env=env or os.environ.copy())
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{cmd[0]} on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{cmd[0]} on port {port} did not start")


def report(name: str, r: dict, baseline: dict | None) -> None:
    line = (
        f"  {name:18} held {r['held'] + r['connected']:5} ({r['failed']} failed)  "
        f"{r['kb_per_conn']:5.1f} KB/conn  in {r['packets_s']:6.0f} pkt/s  "
        f"out {r['progress_s']:6.0f} progress/s  CPU {100 * r['cpu']:3.0f} %  "
        f"p50 {r['p50']:5.0f}  p95 {r['p95']:5.0f}  p99 {r['p99']:5.0f} ms"
    )
    if baseline:
        line += (
            f"  | vs node: in x{r['packets_s'] / baseline['packets_s']:.2f}, "
            f"p95 x{r['p95'] / max(1.0, baseline['p95']):.2f}, "
            f"CPU x{r['cpu'] / max(0.01, baseline['cpu']):.2f}"
        )
    print(line, flush=True)


# The Dockerfile's CMD (as bench.common.uvicorn_cmd; BENCH_UVICORN_WS replaces its --ws
# implementation to compare them); main() appends the port.
UVICORN = [
    "uvicorn",
    "chancetap.asgi:application",
    "--host",
    "127.0.0.1",
    "--proxy-headers",
    "--log-level",
    "warning",
    "--ws-per-message-deflate",
    "false",
    "--ws-max-size",
    "16384",
    "--ws",
    os.environ.get("BENCH_UVICORN_WS") or "websockets-sansio",
    "--port",
]
SERVERS = {
    "uvicorn": UVICORN,
    "uvicorn+deflate": [a for a in UVICORN if a not in ("--ws-per-message-deflate", "false")],
    "daphne": ["daphne", "-v", "0", "-b", "127.0.0.1", "chancetap.asgi:application", "-p"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--idle", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--servers", default="uvicorn", help=f"comma list of {sorted(SERVERS)}")
    args = parser.parse_args()
    servers = [s for s in args.servers.split(",") if s]
    unknown = set(servers) - set(SERVERS)
    if unknown:
        parser.error(f"unknown servers {sorted(unknown)}")
    rooms = setup_rooms((args.players + args.idle + 9) // 10)
    active, idle = rooms[: args.players // 10], rooms[args.players // 10 :]
    print(
        f"rooms websocket bench: {args.players} active players (a packet each per 200 ms), "
        f"{args.idle} idle connections, {args.seconds:.0f} s; server pinned to CPU 0, "
        f"Node load generator to CPU 1; latency = tap packet sent -> its count seen in progress",
        flush=True,
    )
    from accounts.ws_auth import ws_subprotocols

    node_port = free_port()
    node = start(["node", "bench/node/server.js", str(node_port)], node_port)
    try:
        # The baseline gets the same handshake (subprotocols) and names the player in the URL.
        nurl = f"ws://127.0.0.1:{node_port}" + "/ws/rooms/{}/?player={}"
        baseline = run_load(
            [
                (nurl.format(r, uid), uid, ws_subprotocols(tok))
                for r, ps in active
                for uid, tok in ps
            ],
            [(nurl.format(r, uid), ws_subprotocols(tok)) for r, ps in idle for uid, tok in ps],
            args.seconds,
            node.pid,
        )
    finally:
        node.terminate()
    report("node-ws (baseline)", baseline, None)
    # Production settings (bench.common): DEBUG off, the connection pool, one process (the
    # Dockerfile's; pinned to one CPU and measured by its pid, so no --workers here).
    env = production_env()
    for name in servers:
        redis_flush()  # every server starts from the same counts
        port = free_port()
        cmd = SERVERS[name]
        ours = start([str(Path(sys.executable).parent / cmd[0]), *cmd[1:], str(port)], port, env)
        try:
            url = f"ws://127.0.0.1:{port}" + "/ws/rooms/{}/"
            result = run_load(
                [(url.format(r), uid, ws_subprotocols(tok)) for r, ps in active for uid, tok in ps],
                [(url.format(r), ws_subprotocols(tok)) for r, ps in idle for _, tok in ps],
                args.seconds,
                ours.pid,
                # the loader offers compression only to the server configured to accept it
                deflate=name.endswith("+deflate"),
            )
        finally:
            ours.terminate()
            ours.wait(30)
        report(name, result, baseline)


if __name__ == "__main__":
    main()
