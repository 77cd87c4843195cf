"""Bot test fixtures: the fake Bot API (overrides the project-wide one for botapp's tests) and
``manage.py runbot`` as a real process polling it."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from botapp.tests.fake_bot_api import FakeBotApi
from rooms.tests.test_rooms import players, tier20  # noqa: F401 - fixtures the notification tests share
from tests.server import ROOT, child_env

# What the bot process is told to open; distinct from the default so a test proves it is used.
BOT_WEBAPP_URL = "https://play.chancetap.test/app/"


@pytest.fixture
def fake_bot_api(settings) -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API on 127.0.0.1; ``settings.TELEGRAM_API_BASE`` points at it."""
    server = FakeBotApi().start()
    settings.TELEGRAM_API_BASE = server.base_url
    try:
        yield server
    finally:
        server.stop()


class BotProcess:
    """``manage.py runbot`` in a child process, on the test database and the fake Bot API."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runbot", *args],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def wait_polling(self, api: FakeBotApi, timeout: float = 30) -> None:
        try:
            api.wait_for_call("getUpdates", timeout)
        except AssertionError:
            raise AssertionError(
                f"the bot did not start polling (exit code {self.process.poll()}):\n"
                f"{self.log()[-3000:]}"
            ) from None

    def wait_exit(self, timeout: float = 30) -> int:
        return self.process.wait(timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(f"runbot ignored {sig!r}:\n{self.log()[-3000:]}") from None
        finally:
            self._log.close()


@pytest.fixture
def start_bot(fake_bot_api, tmp_path) -> Iterator[Callable[..., BotProcess]]:
    """``start_bot(*args, env={...})``: start runbot (default ``--allow-dev-token``).

    The child has no configured token (``TELEGRAM_BOT_TOKEN_SET`` is false there), so it runs
    only thanks to ``--allow-dev-token`` with the test token the fake accepts.
    """
    started: list[BotProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> BotProcess:
        child = child_env(
            {
                "TELEGRAM_API_BASE": fake_bot_api.base_url,
                "TELEGRAM_BOT_TOKEN": "",
                "WEBAPP_URL": BOT_WEBAPP_URL,
                **(env or {}),
            }
        )
        bot = BotProcess(
            list(args or ["--allow-dev-token"]), child, tmp_path / f"runbot-{len(started)}.log"
        )
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait(5)
        if not bot._log.closed:
            bot._log.close()


@pytest.fixture
def bot_process(start_bot, fake_bot_api) -> Iterator[BotProcess]:
    """runbot polling the fake; stopped with SIGTERM (which must end it with exit code 0)."""
    bot = start_bot()
    bot.wait_polling(fake_bot_api)
    yield bot
    code = bot.stop()
    assert code == 0, bot.log()[-3000:]
