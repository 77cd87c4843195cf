"""Several web processes: with PROMETHEUS_MULTIPROC_DIR one scrape of any process sums them all.

Two real uvicorn processes share one directory; each gets its own reconnect reports; ``/metrics``
on either shows the total. A Celery-worker-style endpoint (``metrics_http_server_start``) in a
third process shows the same files summed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server import ROOT, ServerProcess, child_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def report(base_url: str, duration_ms: int) -> None:
    request = urllib.request.Request(
        f"{base_url}/api/v1/telemetry/ws-reconnect",
        data=json.dumps({"duration_ms": duration_ms}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204


def reconnects(text: str) -> tuple[float, float]:
    """(count, sum) of the reconnect histogram in an exposition."""
    for family in text_string_to_metric_families(text):
        if family.name == "chancetap_ws_reconnect_duration_seconds":
            values = {s.name: s.value for s in family.samples if not s.labels.get("le")}
            return (
                values["chancetap_ws_reconnect_duration_seconds_count"],
                values["chancetap_ws_reconnect_duration_seconds_sum"],
            )
    raise AssertionError("reconnect histogram missing")


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_two_web_processes_are_summed(tmp_path) -> None:
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    first = ServerProcess(env=env)
    try:
        second = ServerProcess(env=env)
        try:
            report(first.base_url, 1000)
            for duration in (2000, 7000):
                report(second.base_url, duration)
            for server in (first, second):
                count, total = reconnects(scrape(f"{server.base_url}/metrics"))
                assert (count, total) == (3, 10.0)
        finally:
            second.stop()
    finally:
        first.stop()
    assert any(p.name.startswith("histogram_") for p in tmp_path.iterdir())

    # A process without Django views (the Celery worker, the bot) serves the same sums.
    port = free_port()
    script = (
        "import django, sys, urllib.request; django.setup()\n"
        "from chancetap.observability import metrics\n"
        f"assert metrics.metrics_http_server_start({port}, addr='127.0.0.1')\n"
        f"assert not metrics.metrics_http_server_start({port}, addr='127.0.0.1')\n"
        f"body = urllib.request.urlopen('http://127.0.0.1:{port}/metrics').read().decode()\n"
        "print('--- metrics ---'); print(body)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=child_env({**env, "DJANGO_SETTINGS_MODULE": "chancetap.settings"}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert reconnects(out.stdout.split("--- metrics ---\n", 1)[1]) == (3, 10.0)


def test_without_the_directory_each_process_counts_alone() -> None:
    first = ServerProcess()
    try:
        second = ServerProcess()
        try:
            report(first.base_url, 1000)
            report(second.base_url, 2000)
            assert reconnects(scrape(f"{first.base_url}/metrics")) == (1, 1.0)
            assert reconnects(scrape(f"{second.base_url}/metrics")) == (1, 2.0)
        finally:
            second.stop()
    finally:
        first.stop()
