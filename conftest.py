"""Shared pytest fixtures: real PostgreSQL and Redis, an API client, signed initData."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.initdata import make_init_data
from accounts.models import User
from accounts.tokens import token_issue

_ids = itertools.count(700_000_001)


# The Redis database a test run empties before every test must be one it owns (tests/redis_owner.py:
# a marker names the owner — the checkout, set by `make test` — with a heartbeat; a database
# holding another app's data is never flushed; make test picks a number per checkout and
# TEST_REDIS_DB overrides it). A run empties its database when it ends, leaving nothing behind.
_OWNER = os.environ.get("CHANCETAP_TEST_OWNER", "chancetap-tests")
_redis_held = False  # claimed by this run: keys without a marker are our tests' own writes


def _redis_owned(*, flush: bool = False) -> None:
    global _redis_held
    from tests.redis_owner import NotOursError, claim

    try:
        claim(settings.REDIS_URL, _OWNER, flush=flush, held=_redis_held)
    except NotOursError as exc:
        pytest.exit(str(exc), returncode=3)
    _redis_held = True


@pytest.fixture(scope="session", autouse=True)
def _redis_is_ours() -> Iterator[None]:
    if not settings.REDIS_URL:
        yield
        return
    from tests.redis_owner import release

    _redis_owned()
    yield
    release(settings.REDIS_URL, _OWNER)


@pytest.fixture(autouse=True)
def _outside_services_closed() -> None:
    """Each test starts with every outside service's circuit breaker closed (they are per
    process: a test that made a fake fail must not leave the next one without calls)."""
    from chancetap.outbound.http import breakers_reset

    breakers_reset()


@pytest.fixture(autouse=True)
def _clear_cache(_redis_is_ours: None) -> None:
    if settings.REDIS_URL:
        _redis_owned(flush=True)  # FLUSHDB of the test run's own database (checked first)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _ws_frames_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text frame a test receives from a socket must be one that docs/ws-frames.json
    declares for that socket (tests/ws_frames.py): the wire contract, checked on real frames."""
    from channels.testing import WebsocketCommunicator

    from tests.ws_frames import check_server_frame

    receive_from = WebsocketCommunicator.receive_from

    async def checked(self: WebsocketCommunicator, timeout: float = 1) -> Any:  # noqa: ASYNC109
        data = await receive_from(self, timeout)
        if isinstance(data, str):
            check_server_frame(self.scope["path"], data)
        return data

    monkeypatch.setattr(WebsocketCommunicator, "receive_from", checked)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def next_tg_id() -> Callable[[], int]:
    return lambda: next(_ids)


@pytest.fixture
def signed_init_data() -> Callable[..., str]:
    """``signed_init_data(user={...}, auth_date=..., start_param=...)`` signed with our token."""

    def sign(
        *,
        user: dict[str, Any] | None = None,
        tg_id: int | None = None,
        auth_date: int | None = None,
        start_param: str = "",
        bot_token: str | None = None,
        **extra: str,
    ) -> str:
        if user is None:
            user = {
                "id": tg_id or next(_ids),
                "first_name": "Test",
                "last_name": "Player",
                "username": "test_player",
                "language_code": "en",
            }
        return make_init_data(
            bot_token=bot_token or settings.TELEGRAM_BOT_TOKEN,
            user=user,
            auth_date=auth_date if auth_date is not None else int(time.time()),
            start_param=start_param,
            extra=extra or None,
        )

    return sign


@pytest.fixture
def make_user() -> Callable[..., User]:
    def create(**fields: Any) -> User:
        fields.setdefault("tg_id", next(_ids))
        fields.setdefault("first_name", "Player")
        fields.setdefault("username", f"player{fields['tg_id']}")
        return User.objects.create_user(**fields)

    return create


@pytest.fixture
def auth_client(make_user: Callable[..., User]) -> Callable[..., tuple[APIClient, User]]:
    """``client, user = auth_client()``: an API client carrying a fresh JWT."""

    def build(user: User | None = None, **fields: Any) -> tuple[APIClient, User]:
        user = user or make_user(**fields)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=user.tg_id)}")
        return client, user

    return build


@pytest.fixture
def fake_bot_api(settings):
    """A fake Telegram Bot API on 127.0.0.1; aiogram in this process talks to it."""
    from tests.fake_bot_api import FakeBotApi

    server = FakeBotApi().start()
    settings.TELEGRAM_API_BASE = server.base_url
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def signed_in(client, make_user):
    """``signed_in("support" | "game admin" | "superuser")`` → the Django test client logged in
    to the admin as a staff member of that role (the groups the migrations ship)."""
    from django.contrib.auth.models import Group

    def login(role: str):
        if role == "superuser":
            staff = make_user(is_staff=True, is_superuser=True)
        else:
            staff = make_user(is_staff=True)
            staff.groups.add(Group.objects.get(name=role))
        client.force_login(staff)
        return client

    return login


# Data migrations whose rows tests read: (module, function). Their functions are idempotent.
_DATA_MIGRATIONS = (
    ("rooms.migrations.0002_default_tiers", "create_tiers"),
    ("payments.migrations.0007_default_donation_presets", "create"),
)


@pytest.fixture
def migration_data(db: None) -> None:
    """What the data migrations ship (default tiers, donation presets), as on a fresh deploy.

    A transactional test empties every table when it ends, and with parallel workers such a test
    may have run on this worker first: the migrations' own functions put their rows back (they
    create only what is missing), so the test still checks what a deploy ships.
    """
    import importlib

    from django.apps import apps

    for module, function in _DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
