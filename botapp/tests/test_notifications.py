"""Bot notifications end to end: events write them in their own transactions, the delivery sends
each once through aiogram's real HTTP client to the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from accounts.initdata import TelegramUser
from accounts.models import Notification
from accounts.services import user_get_or_create_from_telegram
from botapp.notify import notification_text, notifications_deliver
from rooms.models import BonusRun, Room
from rooms.services import room_advance
from rooms.tests.test_rooms import client_for, join_tier, play

pytestmark = pytest.mark.django_db(transaction=True)


def sent(api, chat_id: int) -> list[str]:
    return [c["text"] for c in api.calls("sendMessage") if str(c.get("chat_id")) == str(chat_id)]


def finished_room(players, tier20, *, languages=("en", "ru", "en")):
    users = players(len(languages))
    for user, lang in zip(users, languages, strict=True):
        user.language_code = lang
        user.save(update_fields=["language_code"])
        assert join_tier(user, tier20).status_code == 201
    room = Room.objects.get()
    room_advance(room_id=room.pk, now=room.deadline_at)
    room.refresh_from_db()
    room_advance(room_id=room.pk, now=room.started_at)
    play(room, {users[0].tg_id: 10, users[1].tg_id: 25})
    assert room_advance(room_id=room.pk, now=room.ends_at) == "finished"
    return room, users


def test_game_results_are_sent_once_in_each_language(players, tier20, fake_bot_api) -> None:
    room, (loser, winner, idle) = finished_room(players, tier20)
    assert room_advance(room_id=room.pk, now=room.ends_at) == "unchanged"
    assert Notification.objects.filter(kind="game_result").count() == 3

    first = notifications_deliver()
    second = notifications_deliver()  # the task running again sends nothing more
    assert (first.sent, second.sent) == (3, 0)

    [won] = sent(fake_bot_api, winner.tg_id)
    assert f"Вы выиграли в комнате #{room.pk}" in won
    assert "Приз: <b>60 ⭐</b>" in won
    assert "от 3 игроков" in won
    assert "Ваши тапы: 25" in won
    [lost] = sent(fake_bot_api, loser.tg_id)
    assert f"Room #{room.pk} is over" in lost
    assert "Your taps: 10" in lost
    [zero] = sent(fake_bot_api, idle.tg_id)
    assert "Your taps: 0" in zero
    markup = fake_bot_api.calls("sendMessage")[0]["reply_markup"]
    assert markup["inline_keyboard"][0][0]["web_app"]["url"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_running_delivery_twice_at_once_sends_each_once(players, tier20, fake_bot_api) -> None:
    finished_room(players, tier20, languages=("en",) * 6)
    fake_bot_api.delay("sendMessage", 0.05)
    reports = []

    def run() -> None:
        try:
            reports.append(notifications_deliver())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.sent for r in reports) == 6
    assert len(fake_bot_api.calls("sendMessage")) == 6


def test_a_player_who_blocked_the_bot_is_marked_and_skipped(
    players,
    tier20,
    fake_bot_api,
) -> None:
    _room, (first, _second, _third) = finished_room(players, tier20)
    fake_bot_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    report = notifications_deliver()
    assert (report.sent, report.skipped) == (2, 1)
    first.refresh_from_db()
    assert first.bot_blocked_at is not None
    assert Notification.objects.get(user=first).error == "bot_blocked"

    # Later notifications to him are skipped without asking Telegram.
    calls = len(fake_bot_api.calls("sendMessage"))
    BonusRun.objects.create(
        user=first, target_taps=100, reward_stars=5, expires_at=timezone.now() - timedelta(1)
    )
    from rooms.bonus import bonus_runs_sweep

    assert bonus_runs_sweep() == 1
    assert notifications_deliver().skipped == 1
    assert len(fake_bot_api.calls("sendMessage")) == calls

    # He opens the bot again (/start): notifications resume.
    user_get_or_create_from_telegram(
        tg_user=TelegramUser(id=first.tg_id, first_name="P", allows_write_to_pm=True),
        profile_complete=False,
    )
    first.refresh_from_db()
    assert first.bot_blocked_at is None


def test_flood_wait_retries_later_and_sends_once(players, tier20, fake_bot_api) -> None:
    finished_room(players, tier20, languages=("en", "en"))
    fake_bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    report = notifications_deliver()
    assert (report.retried, report.sent) == (1, 1)
    row = Notification.objects.get(status="pending")
    assert row.attempts == 1
    assert row.due_at > timezone.now() + timedelta(seconds=2)
    assert notifications_deliver().sent == 0  # not due yet
    Notification.objects.filter(pk=row.pk).update(due_at=timezone.now())
    assert notifications_deliver().sent == 1
    assert len(fake_bot_api.calls("sendMessage")) == 3  # the refused one and two delivered


def test_telegram_down_gives_up_after_max_attempts(players, tier20, fake_bot_api) -> None:
    _, users = finished_room(players, tier20, languages=("en", "en"))
    Notification.objects.filter(user=users[1]).delete()
    for _ in range(5):
        fake_bot_api.fail_next("sendMessage", 502, "Bad Gateway")
        notifications_deliver()
        Notification.objects.filter(status="pending").update(due_at=timezone.now())
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", 5)
    assert "gave up after 5 tries" in row.error


def test_a_bad_request_fails_without_retrying(players, tier20, fake_bot_api) -> None:
    _, users = finished_room(players, tier20, languages=("en", "en"))
    fake_bot_api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    report = notifications_deliver()
    assert (report.failed, report.sent) == (1, 1)
    assert Notification.objects.get(user=users[0]).status == "failed"


def test_game_results_can_be_turned_off(players, tier20, fake_bot_api) -> None:
    _room, users = finished_room(players, tier20)
    users[1].notify_game_results = False
    users[1].save(update_fields=["notify_game_results"])
    report = notifications_deliver()
    assert (report.sent, report.skipped) == (2, 1)
    assert sent(fake_bot_api, users[1].tg_id) == []
    assert Notification.objects.get(user=users[1]).error == "opted_out"


def test_hero_timeout_tells_players_and_organizer(players, make_user, fake_bot_api) -> None:
    organizer = make_user(language_code="ru")
    (a,) = players(1)
    key = (
        client_for(organizer)
        .post("/api/v1/rooms/hero", {"fee": 30}, format="json", HTTP_IDEMPOTENCY_KEY="hero-n-1")
        .json()["key"]
    )
    client_for(a).post(
        "/api/v1/rooms/hero/join", {"key": key}, format="json", HTTP_IDEMPOTENCY_KEY="hero-n-2"
    )
    room = Room.objects.get(key=key)
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "cancelled"
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "unchanged"
    assert notifications_deliver().sent == 2
    [player] = sent(fake_bot_api, a.tg_id)
    assert f"Hero room #{room.pk} timed out" in player
    assert "30 ⭐ is back" in player
    [own] = sent(fake_bot_api, organizer.tg_id)
    assert f"Время вашей комнаты героя #{room.pk} вышло" in own


def test_hero_organizer_hears_of_his_share(players, make_user, fake_bot_api) -> None:
    organizer = make_user()
    a, b = players(2)
    created = client_for(organizer).post(
        "/api/v1/rooms/hero", {"fee": 50}, format="json", HTTP_IDEMPOTENCY_KEY="hero-s-1"
    )
    key, room_id = created.json()["key"], created.json()["id"]
    for i, user in enumerate((a, b)):
        client_for(user).post(
            "/api/v1/rooms/hero/join",
            {"key": key},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"hero-s-j{i}",
        )
    client_for(organizer).post(f"/api/v1/rooms/{room_id}/start")
    room = Room.objects.get(pk=room_id)
    assert room.started_at is not None
    room_advance(room_id=room.pk, now=room.started_at)
    play(room, {a.tg_id: 20, b.tg_id: 200})
    room_advance(room_id=room.pk, now=room.started_at + timedelta(seconds=5))
    notifications_deliver()
    [share] = sent(fake_bot_api, organizer.tg_id)
    assert f"Your hero room #{room_id} is over" in share
    assert "As its organiser you earned <b>10 ⭐</b>" in share


def test_bonus_expiry_is_told_once(make_user, fake_bot_api) -> None:
    user = make_user(language_code="ru")
    run = BonusRun.objects.create(
        user=user, target_taps=1000, reward_stars=5, expires_at=timezone.now() - timedelta(1)
    )
    from rooms.bonus import bonus_run_expire

    assert bonus_run_expire(run_id=run.pk) is True
    assert bonus_run_expire(run_id=run.pk) is False
    notifications_deliver()
    [text] = sent(fake_bot_api, user.tg_id)
    assert "закончился на 0 из 1000 тапов" in text


@pytest.mark.parametrize(
    ("kind", "params", "lang", "expected"),
    [
        ("bonus_completed", {"reward": 7, "target_taps": 21}, "ru", "21 тап! <b>7 ⭐</b>"),
        ("bonus_completed", {"reward": 7, "target_taps": 22}, "ru", "22 тапа!"),
        ("bonus_completed", {"reward": 7, "target_taps": 1}, "en", "1 tap! <b>7 ⭐</b>"),
        ("support_refund", {"stars": 40}, "en", "Support refunded <b>40 ⭐</b>"),
        ("support_refund", {"stars": 40}, "ru", "Поддержка вернула <b>40 ⭐</b>"),
        ("ton_credited", {"stars": 100, "tons": "1.5"}, "en", "1.5 TON → <b>100 ⭐</b>"),
        ("ton_credited", {"stars": 100, "tons": "1.5"}, "ru", "1.5 TON → <b>100 ⭐</b>"),
        ("referral_donation", {"friend": "<b>x", "stars": 5}, "en", "friend &lt;b&gt;x made"),
        ("referral_donation", {"friend": "Аня", "stars": 5}, "ru", "Ваш друг Аня сделал"),
        (
            "room_cancelled",
            {"room_id": 3, "fee": 20, "reason": "cancelled_by_support"},
            "en",
            "by support",
        ),
        (
            "room_cancelled",
            {"room_id": 3, "fee": 20, "reason": "not_enough_players"},
            "ru",
            "не набрала игроков",
        ),
        ("game_result", {"room_id": 3, "fee": 20, "refunded": True}, "en", "without a winner"),
    ],
)
def test_texts(kind, params, lang, expected) -> None:
    assert expected in notification_text(kind, params, lang)


def test_every_kind_has_a_text_in_both_languages() -> None:
    params = {
        "room_id": 1, "fee": 1, "pool": 2, "prize": 2, "players": 2, "taps": 1, "won": True,
        "target_taps": 3, "reward": 1, "stars": 1, "tons": "1", "friend": "F", "refunded": True,
    }  # fmt: skip
    for kind in Notification.Kind.values:
        en, ru = notification_text(kind, params, "en"), notification_text(kind, params, "ru")
        assert en, kind
        assert ru, kind
        assert en != ru, kind
        assert "{" not in en + ru, kind
