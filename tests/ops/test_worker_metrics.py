"""A real Celery worker (prefork, two children) with PROMETHEUS_MULTIPROC_DIR serves the task
metrics of its children on CELERY_METRICS_PORT."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from chancetap.celery import app
from tests.server import ROOT, child_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)
TASK = "core.expire_idempotency_records"


def task_runs(text: str) -> float:
    for family in text_string_to_metric_families(text):
        if family.name == "chancetap_celery_tasks":
            return sum(
                s.value
                for s in family.samples
                if s.name.endswith("_total")
                and s.labels.get("task") == TASK
                and s.labels.get("outcome") == "success"
            )
    return 0.0


def scrape(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return response.read().decode()
    except OSError:
        return None


def test_worker_serves_its_children_task_metrics(tmp_path) -> None:
    port = free_port()
    queue = f"ops-test-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "chancetap",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=WARNING",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=child_env(
            {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "CELERY_METRICS_PORT": str(port)}
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while (text := scrape(port)) is None:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "worker metrics endpoint did not come up"
            time.sleep(0.5)
        before = task_runs(text)
        results = [app.send_task(TASK, queue=queue) for _ in range(4)]
        for result in results:
            assert result.id
        deadline = time.monotonic() + 60
        while task_runs(scrape(port) or "") < before + 4:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
        text = scrape(port) or ""
        assert "chancetap_celery_task_duration_seconds_bucket" in text
        # the samples came from the pool's children, summed from their files
        assert len(list(tmp_path.glob("counter_*.db"))) >= 2
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
