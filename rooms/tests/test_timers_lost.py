"""Issue #12: a game whose timers the broker could not take (Redis gone right after the start
committed) still starts and ends — the sweeper moves it — and the start itself answered 200."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from chancetap.runtime.redis_client import redis_down, redis_mark_up
from rooms import tasks
from rooms.models import Room
from rooms.services import rooms_sweep
from rooms.tests.test_one_seat import create_hero
from rooms.tests.test_rooms import client_for, fund

pytestmark = pytest.mark.django_db


def test_a_started_game_without_timers_is_moved_by_the_sweeper(
    make_user, monkeypatch, django_capture_on_commit_callbacks, settings
) -> None:
    settings.CELERY_BROKER_URL = settings.REDIS_URL  # as deployed: the broker is our Redis
    organizer, *players = (make_user() for _ in range(3))
    key = create_hero(organizer, 10)
    for n, player in enumerate(players):
        fund(player, 100)
        response = client_for(player).post(
            "/api/v1/rooms/hero/join",
            {"key": key},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"lost-{n}aa",
        )
        assert response.status_code == 201, response.content
    room = Room.objects.get(key=key)

    published: list[object] = []

    def broker_down(*args: object, **kwargs: object) -> None:
        published.append(args)
        raise BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.advance_room, "apply_async", broker_down)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(organizer).post(f"/api/v1/rooms/{room.pk}/start")
        assert response.status_code == 200, response.content
        assert response.json()["phase"] == "countdown"
        # Two timers (start, end): the first failure marked Redis down, the second was not tried.
        assert len(published) == 1
        assert redis_down()
    finally:
        redis_mark_up()

    Room.objects.filter(pk=room.pk).update(started_at=timezone.now() - timedelta(seconds=1))
    assert rooms_sweep() == 1
    assert Room.objects.get(pk=room.pk).phase == "playing"
