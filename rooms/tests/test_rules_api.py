"""GET /api/v1/rules: the figures the Rules & terms and bonus screens show are the operator's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rooms.models import BonusSettings, RoomSettings
from rooms.tests.test_rooms import client_for

pytestmark = pytest.mark.django_db


def test_rules_follow_the_settings_the_operator_changes(make_user) -> None:
    client = client_for(make_user())
    default = client.get("/api/v1/rules")
    assert default.status_code == 200
    assert default.json()["standard"]["house_share_bp"] == 0
    assert default.json()["hero"] == {
        "max_players": 10,
        "target_taps": 200,
        "game_seconds": 60,
        "timeout_seconds": 300,
        "organizer_share_bp": 1000,
        "winner_share_bp": 9000,
        "min_fee": 1,
        "max_fee": 10_000,
    }

    room = RoomSettings.get_solo()
    room.house_share_bp, room.hero_min_fee, room.hero_max_fee = 250, 5, 500
    room.save()
    bonus = BonusSettings.get_solo()
    bonus.target_taps, bonus.duration_hours, bonus.reward_stars = 5_000, 12, 75
    bonus.cooldown_hours, bonus.min_paid_games = 48, 0
    bonus.save()

    body = client.get("/api/v1/rules").json()
    assert body["standard"]["house_share_bp"] == 250
    assert (body["hero"]["min_fee"], body["hero"]["max_fee"]) == (5, 500)
    assert body["bonus"] == {
        "target_taps": 5_000,
        "duration_hours": 12,
        "reward_stars": 75,
        "cooldown_hours": 48,
        "min_paid_games": 0,
    }
    assert (body["cheat_limit"], body["cheat_window_ms"]) == (50, 2000)
    assert body["standard"]["max_players"] == 10


def test_rules_need_a_player() -> None:
    response = APIClient().get("/api/v1/rules")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
