"""Payment-confirmation throughput on PostgreSQL: ``star_payment_apply`` end to end.

Usage: ``python -m bench.payments_bench [--payments N] [--threads T]`` (``make bench`` runs it).
Uses its own database (``<name>_bench``), migrated fresh, so it never touches real data, and runs
in this process with production settings (``bench.common``: ``DEBUG`` off, the connection pool,
the bench's Redis database for the cache and the channel layer).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import uuid

from bench.common import NOT_PRODUCTION, REDIS_URL, bench_secrets, redis_flush


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancetap.settings")
    for name in NOT_PRODUCTION:
        os.environ.pop(name, None)
    bench_secrets()
    os.environ["REDIS_URL"] = REDIS_URL
    redis_flush()
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chancetap_bench"
    )
    import django
    import psycopg

    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    setup_django()

    from django.db import connections

    from accounts.models import User
    from payments.ledger import ledger_mismatches
    from payments.models import Payment
    from payments.services import star_payment_apply

    users = User.objects.bulk_create(
        [User(tg_id=5_000_000 + i, first_name=f"B{i}") for i in range(200)]
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(user=users[i % len(users)], purpose="topup", stars=10 + i % 50)
            for i in range(args.payments)
        ]
    )

    def apply(payment: Payment, charge: str) -> float:
        start = time.perf_counter()
        star_payment_apply(
            from_user_id=payment.user_id,
            payload=str(payment.id),
            currency="XTR",
            total_amount=payment.stars,
            telegram_payment_charge_id=charge,
        )
        return time.perf_counter() - start

    half = args.payments // 2
    charges = ["stxBENCH" + uuid.uuid4().hex * 3 for _ in payments]

    # 0) the SQL round trips of one confirmation (BEGIN and COMMIT included), and of a duplicate
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        apply(payments[0], charges[0])
    with CaptureQueriesContext(connection) as again:
        apply(payments[0], charges[0])

    # 1) sequential, one connection; the CPU time this process spends per confirmation is the
    # steadier figure on a shared machine (the database's CPU is not in it)
    start, cpu_start = time.perf_counter(), time.process_time()
    sequential = [apply(p, c) for p, c in zip(payments[1:half], charges[1:half], strict=True)]
    seq_rate = len(sequential) / (time.perf_counter() - start)
    seq_cpu_ms = (time.process_time() - cpu_start) / len(sequential) * 1000

    # 2) concurrent: T threads, each its own connection
    work = list(zip(payments[half:], charges[half:], strict=True))
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(chunk: list[tuple[Payment, str]]) -> None:
        mine = [apply(p, c) for p, c in chunk]
        with lock:
            latencies.extend(mine)
        connections.close_all()

    chunks = [work[i :: args.threads] for i in range(args.threads)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conc_rate = len(work) / (time.perf_counter() - start)

    # 3) duplicate deliveries of already-applied charges (the idempotent fast path)
    start = time.perf_counter()
    for payment, charge in zip(payments[:500], charges[:500], strict=True):
        apply(payment, charge)
    dup_rate = 500 / (time.perf_counter() - start)

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000

    print("payments: confirmation throughput on PostgreSQL")
    print(
        f"  SQL round trips      {len(first.captured_queries)} per confirmation, "
        f"{len(again.captured_queries)} per duplicate delivery"
    )
    print(
        f"  sequential          {seq_rate:8.0f} confirmations/s  "
        f"p50 {pct(sequential, 50):.2f} ms  p95 {pct(sequential, 95):.2f} ms  "
        f"(bench process CPU {seq_cpu_ms:.2f} ms each)"
    )
    print(
        f"  {args.threads} threads           {conc_rate:8.0f} confirmations/s  "
        f"p50 {pct(latencies, 50):.2f} ms  p95 {pct(latencies, 95):.2f} ms"
    )
    print(f"  duplicate deliveries {dup_rate:7.0f} /s (no-op replays)")
    problems = ledger_mismatches()
    print(f"  ledger check: {'clean' if not problems else f'{len(problems)} MISMATCHES'}")
    redis_flush()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
