"""The compose stack as processes: what docker-compose.yml runs, started here without Docker.

Every app service's own command line and environment (anchors merged, ``${…}`` interpolated
as compose would with a test .env), through the image's entry point and after the image's
``collectstatic``, run against this machine's PostgreSQL and Redis: ``migrate`` to completion,
then ``web`` ×2, the three Celery workers and ``beat``. One game of ten players is played
through both web replicas (five players on each: the rooms live in Redis, not in a process), and
one payment goes from the API of one replica to the Telegram webhook of the other. Each worker's
metrics endpoint shows it ran the tasks of its own queue and no other's.

Not started: postgres and redis (this machine's own), the proxy (HAProxy is not installed here:
both replicas are reached directly), the bot (polling; the webhook replaces it here) and the
monitoring services (images we do not build).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from prometheus_client.parser import text_string_to_metric_families

from accounts.tokens import token_issue
from chancetap.celery import app
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry
from rooms.models import Room, RoomTier
from tests.ops.traffic import Statuses, payments_through_webhook, play_games, shorten_games
from tests.server import ROOT, child_database_url, child_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "compose-processes-hook-secret"
WORKERS = ("worker-realtime", "worker-payments", "worker-maintenance")
# The variables a deployment's .env gives compose (docker-compose.yml reads them).
DOTENV = {
    "POSTGRES_PASSWORD": "compose-test",
    "APP_DB_PASSWORD": "compose-test-app",
    "BACKUP_DB_PASSWORD": "compose-test-backup",
    "PROXY_ADDRESS": "127.0.0.1",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "",  # no Jaeger here: tracing off, as .env.example allows
}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str) -> str:
    """``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?message}`` as compose does."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if name in DOTENV and (DOTENV[name] != "" or op not in (":-", ":?")):
            return DOTENV[name]
        if op in (":?", "?"):
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg if op in (":-", "-") else ""

    return VARIABLE.sub(one, value)


def service_process(
    services: dict[str, Any], name: str, tmp: Path, overrides: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment compose would give ``name``, pointed at this machine."""
    service = services[name]
    # Through the image's entry point; `python`, `uvicorn` and `celery` are the venv's (PATH).
    argv = [str(ROOT / "ops" / "docker-entrypoint.sh")]
    for part in (interpolate(str(part)) for part in service["command"]):
        if part.startswith("--schedule="):
            part = f"--schedule={tmp / f'{name}-schedule'}"
        argv.append(part)
    environment = {k: interpolate(str(v)) for k, v in (service.get("environment") or {}).items()}
    # The compose hosts (postgres, redis) are this machine's servers; a container's /tmp is ours.
    # Here every process logs in as this machine's test role (the roles are docker's).
    assert environment.pop("DATABASE_URL").startswith("postgres://chancetap_app:")
    if "MIGRATIONS_DATABASE_URL" in environment:  # migrate: as the tables' owner
        assert environment.pop("MIGRATIONS_DATABASE_URL").startswith("postgres://chancetap:")
    if "BACKUP_DATABASE_URL" in environment:  # worker-maintenance's backups
        assert environment.pop("BACKUP_DATABASE_URL").startswith("postgres://chancetap_backup:")
    assert environment.pop("REDIS_URL") == "redis://redis:6379/0"
    if "PROMETHEUS_MULTIPROC_DIR" in environment:
        directory = tmp / f"{name}-prometheus"
        directory.mkdir(parents=True)
        environment["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    environment.update(overrides)
    environment["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    return argv, child_env(environment)


def replace_option(argv: list[str], option: str, value: str) -> list[str]:
    index = argv.index(option)
    return [*argv[: index + 1], value, *argv[index + 2 :]]


def wait_http(url: str, processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{url} did not come up"
        time.sleep(0.3)


def task_successes(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "chancetap_celery_tasks":
            for sample in family.samples:
                if sample.name.endswith("_total") and sample.labels.get("outcome") == "success":
                    task = sample.labels["task"]
                    counts[task] = counts.get(task, 0.0) + sample.value
    return counts


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_compose_services_play_a_game_and_a_payment(
    make_user, fake_bot_api, tmp_path, started
) -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    # As the image: static files collected at build time (WhiteNoise serves them, no finders),
    # no test defaults (CHANCETAP_TESTING off: every secret comes from the environment).
    var = tmp_path / "var"
    common = {
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "CHANCETAP_TESTING": "0",
        "CHANCETAP_VAR_DIR": str(var),
    }
    build = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=child_env({**common, "DJANGO_DEBUG": "1"}),
        capture_output=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr[-2000:]

    # migrate runs to completion first (forward-only: the test database is already migrated).
    argv, env = service_process(services, "migrate", tmp_path, common)
    migrate = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-2000:]

    logs: list[Path] = []

    def start(name: str, argv: list[str], env: dict[str, str]) -> None:
        logs.append(tmp_path / f"{name}.log")
        with logs[-1].open("w") as log:
            started.append(
                subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )

    webs = []
    for replica in (1, 2):
        argv, env = service_process(services, "web", tmp_path / f"r{replica}", common)
        port = free_port()
        argv = replace_option(replace_option(argv, "--port", str(port)), "--host", "127.0.0.1")
        start(f"web-{replica}", argv, env)
        webs.append(f"http://127.0.0.1:{port}")
    metrics_ports = {}
    for name in WORKERS:
        metrics_ports[name] = free_port()
        argv, env = service_process(
            services, name, tmp_path, {**common, "CELERY_METRICS_PORT": str(metrics_ports[name])}
        )
        start(name, argv, env)
    argv, env = service_process(services, "beat", tmp_path, common)
    start("beat", argv, env)
    for base in webs:  # the compose healthcheck's URL
        wait_http(f"{base}/readyz", started, logs)
    for port in metrics_ports.values():
        wait_http(f"http://127.0.0.1:{port}/metrics", started, logs)

    # One game: ten funded players, five through each replica.
    tier, _ = RoomTier.objects.get_or_create(stars=20, defaults={"position": 0})
    players = [make_user() for _ in range(10)]
    with transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(p.tg_id, LedgerEntry.Kind.ADJUSTMENT, 100, f"compose:{p.tg_id}")
                for p in players
            ]
        )
    payer = make_user()
    statuses = Statuses()
    stop = threading.Event()
    shortener = threading.Thread(target=shorten_games, args=(stop,))
    shortener.start()
    try:
        results = play_games(webs, tier.pk, [p.tg_id for p in players], statuses)
    finally:
        stop.set()
        shortener.join()
    # One payment: the invoice from replica 1's API, Telegram's update to replica 2's webhook.
    payments_through_webhook(
        webs[0], webs[1], [(payer.tg_id, token_issue(tg_id=payer.tg_id))], statuses, SECRET
    )
    # Work for the other two queues.
    app.send_task("payments.refresh_rate")
    app.send_task("payments.ledger_check")

    assert statuses.server_errors() == {}, statuses.counts
    room = Room.objects.get(seats__user=players[0])
    assert room.phase == Room.Phase.FINISHED
    assert {frame["winner_id"] for frame in results.values()} == {room.winner_id}
    assert balance_get(user_id=payer.tg_id) == 25
    assert ledger_mismatches() == []

    # Each worker ran its own queue's tasks and nothing else.
    queue_of = {
        "worker-realtime": {"rooms.advance", "rooms.sweep", "rooms.sweep_bonus_runs"},
        "worker-payments": {
            "payments.refresh_rate",
            "payments.ton_poll",
            "botapp.notifications_deliver",
        },
        "worker-maintenance": {"payments.ledger_check"},
    }
    deadline = time.monotonic() + 30
    while True:
        ran = {name: task_successes(port) for name, port in metrics_ports.items()}
        if ran["worker-payments"].get("payments.refresh_rate") and ran["worker-maintenance"]:
            break
        assert time.monotonic() < deadline, ran
        time.sleep(0.5)
    assert ran["worker-realtime"].get("rooms.advance", 0) >= 1, ran  # the countdown's end
    for name, tasks in ran.items():
        assert set(tasks) <= queue_of[name], (name, tasks)
    assert any(tmp_path.glob("beat-schedule*"))  # beat ran with compose's schedule option
    # The replicas serve the app from the collected files, as the image does.
    with urllib.request.urlopen(f"{webs[1]}/", timeout=10) as response:
        page = response.read().decode()
    asset = re.search(r'src="(/static/[^"]+\.js)"', page)
    assert asset is not None, page[:500]
    with urllib.request.urlopen(webs[0] + asset.group(1), timeout=10) as response:
        assert response.status == 200
        assert "immutable" in response.headers["Cache-Control"]
