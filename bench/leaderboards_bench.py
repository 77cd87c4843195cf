"""Leaderboard latency at 100 000 users and 1 000 000 donations, through the real HTTP stack.

Seeds PostgreSQL (``<name>_lbbench``) in SQL, starts the production server on it (``bench.common``:
uvicorn as the Dockerfile runs it, ``DEBUG`` off, the connection pool) with Redis as the cache, and
prints p50/p95/p99 for each endpoint: first page, a deep page and ``me`` for a low-ranked
user, cold (cache flushed before every request) and warm.
Usage: ``python -m bench.leaderboards_bench [--users N] [--donations M]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench.common import (
    REDIS_URL,
    ROOT,
    bench_secrets,
    free_port,
    production_env,
    redis_flush,
    uvicorn_cmd,
)


def seed(url: str, users: int, donations: int) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "CHANCETAP_TESTING": "1", "REDIS_URL": REDIS_URL}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, tg_id, username, first_name,
                last_name, photo_url, language_code, phone, is_premium, is_blocked,
                blocked_reason, is_staff, created_at, updated_at, referrer_id,
                notify_game_results)
            SELECT '!', false, 1000000 + g, 'u' || g, 'Player ' || g, '', '', 'en', '', false,
                   g %% 997 = 0, '', false, now() - interval '200 days', now(),
                   CASE WHEN g %% 10 = 0 AND g > 100 THEN 1000000 + (g %% 100) + 1 END,
                   true
            FROM generate_series(1, %s) AS g
            """,
            [users],
        )
        conn.execute(
            """
            INSERT INTO donations (charge_id, user_id, referrer_id, stars, tons, rate, week_key,
                                   created_at, refunded_at)
            SELECT 'bench' || g, u.tg_id, u.referrer_id, s.stars, s.stars * 0.5, 0.5,
                   to_char(s.at AT TIME ZONE 'Europe/Berlin', 'IYYY-"W"IW'), s.at, NULL
            FROM generate_series(1, %s) AS g
            CROSS JOIN LATERAL (
                SELECT 1 + floor(random() * 1000)::int AS stars,
                       now() - (random() * interval '140 days') AS at,
                       1000000 + 1 + floor(power(random(), 2) * %s)::bigint + g * 0 AS uid
            ) AS s
            JOIN accounts_user u ON u.tg_id = s.uid
            """,
            [donations, users - 1],
        )
        conn.execute(
            "INSERT INTO donor_totals (user_id, tons, achieved_at, hidden) "
            "SELECT d.user_id, sum(d.tons), max(d.created_at), bool_or(u.is_blocked) "
            "FROM donations d JOIN accounts_user u ON u.tg_id = d.user_id GROUP BY d.user_id"
        )
        conn.execute(
            "INSERT INTO donor_week_totals (user_id, week_key, tons, achieved_at, hidden) "
            "SELECT d.user_id, d.week_key, sum(d.tons), max(d.created_at), bool_or(u.is_blocked) "
            "FROM donations d JOIN accounts_user u ON u.tg_id = d.user_id "
            "GROUP BY d.user_id, d.week_key"
        )
        conn.execute(
            "INSERT INTO referrer_totals (referrer_id, tons, achieved_at, hidden, referrals_count) "
            "SELECT d.referrer_id, sum(d.tons), max(d.created_at), false, "
            "(SELECT count(*) FROM accounts_user r WHERE r.referrer_id = d.referrer_id) "
            "FROM donations d WHERE d.referrer_id IS NOT NULL GROUP BY d.referrer_id"
        )
        conn.execute(
            "INSERT INTO referrer_week_totals (referrer_id, week_key, tons, achieved_at) "
            "SELECT referrer_id, week_key, sum(tons), max(created_at) FROM donations "
            "WHERE referrer_id IS NOT NULL GROUP BY referrer_id, week_key"
        )
        conn.execute("ANALYZE")
        count = conn.execute("SELECT count(*) FROM donations").fetchone()
    print(
        f"seeded {users} users and {count[0] if count else 0} donations "
        f"in {time.perf_counter() - started:.1f} s"
    )


# Production's per-user throttle (THROTTLE_USER, 600/min) applies: the requests rotate over the
# tokens of this many low-ranked users instead of one user sending more than it allows.
USERS = 10


def low_ranked_users(url: str, n: int) -> list[int]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT user_id FROM donor_totals WHERE NOT hidden "
            "ORDER BY tons ASC, achieved_at DESC LIMIT %s",
            [n],
        ).fetchall()
    assert len(rows) == n
    return [int(row[0]) for row in rows]


def measure(port: int, tokens: list[str], path: str, n: int, cold: bool) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []

    def get(token: str) -> int:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        return response.status

    for token in tokens:  # warm the connection and the cache (``me`` is cached per user)
        get(token)
    for i in range(n):
        if cold:
            redis_flush()
        start = time.perf_counter()
        status = get(tokens[i % len(tokens)])
        timings.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
    conn.close()
    return timings


# The API's throughput (issue #16 goal 6: >= 1 500 req/s per process for cached reads).
THROUGHPUT_PATHS = (
    "/api/v1/me",
    "/api/v1/rooms/tiers",
    "/api/v1/leaderboards/donations/all-time?limit=50",
)
THROUGHPUT_USERS = 200  # each within THROTTLE_USER (600/min) over the three runs
THROUGHPUT_GOAL = 1500


def throughput(server: subprocess.Popen[bytes], port: int, tokens: list[str]) -> None:
    """Requests/s of the one web process at concurrency 32, the server pinned to CPU 0 and the
    Node load generator (bench/node/http-load.js) to CPU 1."""
    subprocess.run(
        ["taskset", "-a", "-p", "-c", "0", str(server.pid)], check=True, stdout=subprocess.DEVNULL
    )
    print(
        "api: requests/s of one web process (uvicorn on CPU 0, Node load generator on CPU 1), "
        f"concurrency 32, 5 s each after 1 s of warm-up, {len(tokens)} players in turn"
    )
    print(f"  {'endpoint':50} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  statuses")
    for path in THROUGHPUT_PATHS:
        plan = {
            "port": port,
            "path": path,
            "tokens": tokens,
            "concurrency": 32,
            "seconds": 5,
            "warmup": 1,
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(plan, f)
            f.flush()
            done = subprocess.run(
                ["taskset", "-c", "1", "node", "bench/node/http-load.js", f.name],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        goal = "" if path == "/api/v1/me" else f"  (goal >= {THROUGHPUT_GOAL})"
        print(
            f"  {path:50} {r['rps']:7} {r['p50']:6.1f} {r['p95']:6.1f} {r['p99']:6.1f}  "
            f"{r['statuses']}{goal}"
        )
        if set(r["statuses"]) != {"200"}:
            raise SystemExit(f"api throughput: {path} answered {r['statuses']}")


def wait_ready(server: subprocess.Popen[bytes], port: int) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"leaderboards: the server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("leaderboards: the server did not answer /healthz in 30 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--donations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="Keep the seeded database.")
    args = parser.parse_args()
    url = os.environ.get(
        "BENCH_LB_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chancetap_lbbench"
    )
    if not args.reuse:
        seed(url, args.users, args.donations)
    user_ids = low_ranked_users(url, USERS)
    redis_flush()
    bench_secrets()
    os.environ.update({"CHANCETAP_TESTING": "1", "DATABASE_URL": url, "REDIS_URL": REDIS_URL})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancetap.settings")
    import django

    django.setup()
    from accounts.tokens import token_issue

    tokens = [token_issue(tg_id=user_id) for user_id in user_ids]
    many_tokens = [
        token_issue(tg_id=user_id) for user_id in low_ranked_users(url, THROUGHPUT_USERS)
    ]
    port = free_port()
    server = subprocess.Popen(uvicorn_cmd(port), cwd=ROOT, env=production_env())
    try:
        wait_ready(server, port)
        print(
            "leaderboards: latency through the production server (uvicorn, DEBUG off, pool) in "
            f"ms, me = the {USERS} lowest-ranked users in turn"
        )
        print(f"  {'endpoint':58} {'cache':5} {'p50':>7} {'p95':>7} {'p99':>7}")
        cases = [
            "/api/v1/leaderboards/donations/all-time?limit=50",
            "/api/v1/leaderboards/donations/all-time?limit=50&offset=50000",
            "/api/v1/leaderboards/donations/week?limit=50",
            "/api/v1/leaderboards/donations/week?limit=50&offset=20000",
            "/api/v1/leaderboards/donations/referrals?limit=50",
            "/api/v1/leaderboards/games/week",
            "/api/v1/payments/presets",
        ]
        for path in cases:
            for cold in (True, False):
                n = args.requests // 4 if cold else args.requests
                t = measure(port, tokens, path, n, cold)
                q = statistics.quantiles(t, n=100)
                label = "cold" if cold else "warm"
                print(f"  {path:58} {label:5} {q[49]:7.1f} {q[94]:7.1f} {q[98]:7.1f}")
        back_office_statistics()
        throughput(server, port, many_tokens)
    finally:
        server.terminate()
        server.wait(10)
        redis_flush()


def back_office_statistics() -> None:
    """The admin's statistics page over the 1 M donations: 30 and 140 days (every day seeded)."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from chancetap.backoffice.statistics import statistics_daily
    from chancetap.rls import service

    today = timezone.now().date()
    print("back office statistics (all figures, one request's queries), ms")
    with service():
        for days in (30, 140):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                statistics_daily(start=today - timedelta(days=days - 1), end=today)
                runs.append((time.perf_counter() - started) * 1000)
            print(f"  {days:3} days: best {min(runs):7.1f}  worst {max(runs):7.1f}")
    connection.close()


if __name__ == "__main__":
    main()
