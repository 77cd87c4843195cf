"""A real ASGI server process for end-to-end tests (uvicorn or daphne, on the test database)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_database_url(*, role: str | None = None, application_name: str | None = None) -> str:
    """The URL of the database pytest-django created, for processes started by a test; with
    ``role``, every connection runs as that role (``SET ROLE`` at connect: e.g. the app's
    runtime role, which row-level security binds); ``application_name`` names the connections
    in ``pg_stat_activity``."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    url = f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
    params = [f"options=-c%20role%3D{role}"] if role else []
    params += [f"application_name={application_name}"] if application_name else []
    return url + ("?" + "&".join(params) if params else "")


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "CHANCETAP_TESTING": "1",
            "CHANCETAP_IGNORE_DOTENV": "1",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": child_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "TELEGRAM_BOT_TOKEN": settings.TELEGRAM_BOT_TOKEN,
            "JWT_SECRET": settings.JWT_SECRET,
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "TELEGRAM_API_BASE": settings.TELEGRAM_API_BASE,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


class PortTakenError(RuntimeError):
    """The server could not bind its port: somebody took it between the pick and the bind."""


class ServerProcess:
    def __init__(
        self,
        *,
        server: str = "uvicorn",
        env: Mapping[str, str] | None = None,
        log_level: str = "warning",
        workers: int = 1,
    ) -> None:
        # A free port may be taken by another program before the server binds it (another test
        # run on this machine): then start again on another one.
        for attempt in range(3):
            try:
                self._start(server, env, log_level, workers)
                return
            except PortTakenError:
                if attempt == 2:
                    raise

    def _start(
        self, server: str, env: Mapping[str, str] | None, log_level: str, workers: int
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        bin_dir = Path(sys.executable).parent
        if server == "uvicorn":
            cmd = [
                str(bin_dir / "uvicorn"),
                "chancetap.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                log_level,
                # A test's browser may still hold sockets open: do not wait on them at the end.
                "--timeout-graceful-shutdown",
                "2",
                # As the Dockerfile runs it.
                "--ws-per-message-deflate",
                "false",
                "--ws-max-size",
                "16384",
                "--ws",
                "websockets-sansio",
            ]
            if workers > 1:
                cmd += ["--workers", str(workers)]
        else:
            cmd = [
                str(bin_dir / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "chancetap.asgi:application",
            ]
        self.log_path = ROOT / "var" / f"test-server-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=child_env(env), stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                text = self.log_path.read_text()
                if "address already in use" in text:
                    raise PortTakenError(text[-500:])
                raise RuntimeError(f"server exited: {text[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not become ready in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def celery_start(
    log_name: str, args: list[str], env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``celery -A chancetap <args>`` on the test database, in its own session so a test can kill
    it like an operator would; output in var/<log_name>.log."""
    log = (ROOT / "var" / f"{log_name}.log").open("w")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "chancetap", *args],
            cwd=ROOT,
            env=child_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()  # the child keeps its own descriptor


def celery_worker_start(
    log_name: str, schedule: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A real Celery worker with beat (room timers, the sweeper) consuming every queue, as
    ``make run`` runs it."""
    return celery_start(
        log_name,
        [
            "worker",
            "-B",
            "-Q",
            ",".join(settings.TASK_QUEUE_TIME_LIMITS),
            "--pool=solo",
            "--loglevel=INFO",
            f"--schedule={schedule}",
        ],
        env,
    )
