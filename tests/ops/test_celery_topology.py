"""Celery topology (docs/operations.md "Celery queues"): three queues, each with its own worker in
production, per-queue time limits, no broker ETA beyond the visibility timeout — and the proof that
matters to players: a room countdown fires on time while a long maintenance task is running."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
import yaml
from django.conf import settings
from django.utils import timezone

from chancetap.celery import app
from chancetap.runtime.scheduling import task_schedule_at
from rooms.models import Room
from rooms.tests.test_consumer import seated_room
from tests.ops.celery_hold import HOLD_TASK
from tests.server import ROOT, celery_start

QUEUES = settings.TASK_QUEUE_TIME_LIMITS
HOLD_SECONDS = 12


def our_tasks() -> dict[str, object]:
    app.loader.import_default_modules()
    return {
        name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))
    }


def compose_worker_commands() -> dict[str, list[str]]:
    """queue → the worker's command line in docker-compose.yml."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {}
    for _name, service in services.items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "chancetap", "worker"]:
            queue = command[command.index("-Q") + 1]
            assert queue not in commands, f"two workers for {queue}"
            commands[queue] = command
    return commands


def option(command: list[str], name: str) -> str:
    for item in command:
        if item.startswith(f"{name}="):
            return item.split("=", 1)[1]
    raise AssertionError(f"{name} missing in {command}")


def test_every_task_is_routed_to_a_queue_within_its_time_limit() -> None:
    tasks = our_tasks()
    assert len(tasks) >= 10
    routes = settings.CELERY_TASK_ROUTES
    for name, task in tasks.items():
        assert name in routes, f"{name} has no explicit queue"
        queue = routes[name]["queue"]
        assert queue in QUEUES, f"{name}: unknown queue {queue}"
        limit = getattr(task, "time_limit", None)
        assert limit is not None, f"{name} sets no time limit"
        assert limit <= QUEUES[queue], f"{name}: {limit} s exceeds the {queue} ceiling"
    assert set(routes) <= set(tasks), set(routes) - set(tasks)
    # Room timers are realtime; backups and reconciliation never share their queue.
    assert routes["rooms.advance"]["queue"] == "realtime"
    assert routes["core.backup_db"]["queue"] == "maintenance"
    assert routes["payments.reconcile"]["queue"] == "maintenance"
    assert routes["payments.apply_star_payment"]["queue"] == "payments"
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "maintenance"
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == list(QUEUES)


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("rooms.advance", "realtime"),
        ("payments.apply_star_payment", "payments"),
        ("core.backup_db", "maintenance"),
        ("tests.not_routed", "maintenance"),
    ],
)
def test_a_message_lands_in_its_own_queue_only(task: str, queue: str) -> None:
    """On the real Redis broker: the message is in its queue's list and in no other (queues
    bound to one exchange and key would each get a copy, and every worker would run it)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in client.scan_iter("_kombu.binding.*"):
        client.delete(key)
    with app.connection_for_write() as conn:  # every queue declared, as the workers do
        for declared in app.amqp.queues.values():
            declared(conn.default_channel).declare()
    task_id = f"topology-{uuid.uuid4().hex}"
    app.send_task(task, args=[0], task_id=task_id)
    holders = set()
    for name in QUEUES:
        for raw in client.lrange(name, 0, -1):
            message = raw if isinstance(raw, str) else raw.decode()
            if task_id in message:
                holders.add(name)
                client.lrem(name, 1, message)
    assert holders == {queue}


def test_compose_and_run_all_run_one_worker_per_queue_with_its_ceiling() -> None:
    commands = compose_worker_commands()
    assert set(commands) == set(QUEUES)
    for queue, command in commands.items():
        assert int(option(command, "--time-limit")) == QUEUES[queue], command
    run_all = (ROOT / "bin" / "run-all").read_text()
    specs = {
        queue: int(limit)
        for queue, _, limit in re.findall(r"(\w+):(\d+):(\d+)", run_all.split("for spec in")[1])
    }
    assert specs == QUEUES
    # The embedded single worker consumes every queue.
    assert "-Q realtime,payments,maintenance" in run_all


def test_no_eta_beyond_the_visibility_timeout() -> None:
    assert settings.TASK_ETA_MAX_SECONDS < settings.BROKER_VISIBILITY_TIMEOUT
    assert max(QUEUES.values()) < settings.BROKER_VISIBILITY_TIMEOUT  # acks_late tasks too
    # Only chancetap/runtime/scheduling.py gives tasks an ETA or countdown.
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts or "tests" in path.parts:
            continue
        if path == ROOT / "chancetap" / "core" / "scheduling.py":
            continue
        if re.search(r"apply_async\([^)]*\b(eta|countdown)=", path.read_text(), re.S):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


class Recorder:
    name = "rooms.advance"

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[object, ...], object]] = []

    def apply_async(self, args: tuple[object, ...], eta: object) -> None:
        self.calls.append((args, eta))


def test_far_deadlines_are_left_to_the_sweeper() -> None:
    task = Recorder()
    near = timezone.now() + timedelta(seconds=settings.TASK_ETA_MAX_SECONDS - 5)
    far = timezone.now() + timedelta(seconds=settings.TASK_ETA_MAX_SECONDS + 5)
    assert task_schedule_at(task, (1,), near) is True  # type: ignore[arg-type]
    assert task_schedule_at(task, (2,), far) is False  # type: ignore[arg-type]
    assert task.calls == [((1,), near)]


@pytest.mark.django_db
def test_a_bonus_run_schedules_no_timer_and_ends_by_its_deadline(auth_client, monkeypatch) -> None:
    from rooms import tasks
    from rooms.bonus import bonus_run_complete
    from rooms.models import BonusRun

    sent: list[object] = []
    monkeypatch.setattr(tasks.expire_bonus_run, "apply_async", lambda *a, **k: sent.append(a))
    from rooms.tests.test_bonus import bonus_open

    bonus_open()
    client, user = auth_client()
    assert client.post("/api/v1/bonus/start").status_code == 201
    assert sent == []  # a 24-hour ETA would outlive the broker's visibility timeout
    run = BonusRun.objects.get(user=user)
    BonusRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # Past the deadline the run is over for the player even before the sweeper ends it…
    assert client.get("/api/v1/bonus").json().get("run") is None
    assert bonus_run_complete(run_id=run.pk) is False  # …it pays nothing…
    run.refresh_from_db()
    assert run.status == BonusRun.Status.EXPIRED
    assert client.post("/api/v1/bonus/start").status_code == 201  # …and a new one may start


def _stop(process: subprocess.Popen[bytes]) -> None:
    # Cold shutdown: a warm one would wait for the hold task to finish.
    os.killpg(process.pid, signal.SIGQUIT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        _stop(process)


def _wait_ready(
    nodes: list[str], processes: list[subprocess.Popen[bytes]], logs: list[str]
) -> None:
    deadline = time.monotonic() + 60
    while True:
        replies = app.control.ping(destination=nodes, timeout=1) or []
        if {name for reply in replies for name in reply} >= set(nodes):
            return
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, (ROOT / "var" / f"{log}.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "workers did not come up"


def _countdown_lateness(make_user, marker: str) -> float:
    """Hold the maintenance slot, fill a room (its countdown starts), and return how late the
    game started after the countdown's end. The hold must still be running then."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    app.send_task(HOLD_TASK, args=[HOLD_SECONDS, marker])  # no route: the default queue
    deadline = time.monotonic() + 30
    while client.get(marker) != b"running":
        assert time.monotonic() < deadline, "the maintenance task did not start"
        time.sleep(0.05)
    _, room = seated_room(make_user, n=10, playing=False)
    assert room.phase == Room.Phase.COUNTDOWN
    assert room.started_at is not None
    deadline = time.monotonic() + HOLD_SECONDS + 15
    while Room.objects.filter(pk=room.pk, phase=Room.Phase.COUNTDOWN).exists():
        assert time.monotonic() < deadline, "the countdown never ended"
        time.sleep(0.02)
    lateness = (timezone.now() - room.started_at).total_seconds()
    assert Room.objects.get(pk=room.pk).phase == Room.Phase.PLAYING
    return lateness


@pytest.mark.django_db(transaction=True)
def test_countdown_fires_on_time_while_a_long_maintenance_task_runs(make_user, workers) -> None:
    """The production layout (docker-compose.yml's worker commands, no beat so no sweeper can
    stand in for the timer): the realtime worker starts the game on time although the
    maintenance worker is busy for longer than the whole countdown."""
    commands = compose_worker_commands()
    tag = uuid.uuid4().hex[:8]
    nodes, logs = [], []
    for queue in ("realtime", "maintenance"):
        command = [item.replace("%h", tag) for item in commands[queue][3:]]
        if queue == "maintenance":
            command += ["-I", "tests.ops.celery_hold"]
        logs.append(f"topology-{queue}-{tag}")
        workers.append(celery_start(logs[-1], command))
        nodes.append(f"{queue}@{tag}")
    _wait_ready(nodes, workers, logs)
    marker = f"test:hold:{tag}"
    lateness = _countdown_lateness(make_user, marker)
    assert redis.Redis.from_url(settings.REDIS_URL).get(marker) == b"running"
    assert lateness < 1.5, f"countdown fired {lateness:.2f} s late"


@pytest.mark.django_db(transaction=True)
def test_one_busy_worker_for_every_queue_would_delay_the_countdown(make_user, workers) -> None:
    """The check above has teeth: with the old topology (one worker, one slot, every task on it)
    the same countdown waits for the maintenance task."""
    tag = uuid.uuid4().hex[:8]
    log = f"topology-single-{tag}"
    command = shlex.split(
        f"worker -Q {','.join(QUEUES)} -n single@{tag} --concurrency=1 --loglevel=INFO"
        " -I tests.ops.celery_hold"
    )
    workers.append(celery_start(log, command))
    _wait_ready([f"single@{tag}"], workers, [log])
    lateness = _countdown_lateness(make_user, f"test:hold:{tag}")
    assert lateness > HOLD_SECONDS / 2, f"countdown only {lateness:.2f} s late"
