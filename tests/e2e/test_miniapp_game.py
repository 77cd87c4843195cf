"""A full game in the Mini App against simulated players, a reload mid-game, and a hero room.

Real processes: uvicorn (web), a Celery worker with beat (room timers, sweeper), and
``manage.py simulate_players`` (REST joins, real WebSocket clients tapping). The only shortcut is
the game's length: once the countdown starts the test moves ``ends_at`` closer, and the worker's
sweeper finishes the game then.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.tokens import token_issue
from payments.ledger import balance_get, ledger_mismatches
from rooms.models import Room
from tests.browser import init_data_for, open_miniapp, screenshot, telegram_events
from tests.server import ROOT, child_env

pytestmark = pytest.mark.e2e

SIM_FIRST_ID = 900_000_000
GAME_SECONDS = 12


def wait_for(predicate, wait: float = 30, step: float = 0.1):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not reached in time")


def shorten_game(room_id: int) -> Room:
    """As soon as the countdown starts, let the game last GAME_SECONDS instead of 60."""
    room = wait_for(
        lambda: Room.objects.filter(pk=room_id, phase__in=["countdown", "playing"]).first(),
        wait=60,
    )
    assert room.started_at is not None
    Room.objects.filter(pk=room_id).update(
        ends_at=room.started_at + timedelta(seconds=GAME_SECONDS)
    )
    room.refresh_from_db()
    return room


def start_simulated_players(server, fund, count: int, tier: int) -> subprocess.Popen[bytes]:
    for i in range(count):
        user, _ = User.objects.get_or_create(
            tg_id=SIM_FIRST_ID + i,
            defaults={"first_name": f"Bot {i + 1}", "username": f"sim_{i + 1}"},
        )
        fund(user.tg_id, tier * 2)
    log = (ROOT / "var" / f"e2e-sim-{server.port}.log").open("w")
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "simulate_players",
            "--rooms",
            "1",
            "--players-per-room",
            str(count),
            "--tier",
            str(tier),
            "--url",
            server.base_url,
            "--taps-per-second",
            "1",
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


TAPPER = """([perSecond, limit]) => new Promise((resolve) => {
  let taps = 0;
  const timer = setInterval(() => {
    const button = document.querySelector('[data-testid="tap-button"]');
    if (!button || button.disabled || taps >= limit) {
      clearInterval(timer);
      resolve(taps);
      return;
    }
    button.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true, cancelable: true }));
    taps += 1;
  }, 1000 / perSecond);
})"""


def tap_until_results(page: Page, *, per_second: float = 20, limit: int = 1000) -> int:
    """Tap like a fast human (below the anti-cheat's 25 taps/s) until the game ends (the TAP
    button goes away with the results) or ``limit`` taps."""
    expect(page.get_by_test_id("tap-button")).to_be_enabled(timeout=15_000)
    return int(page.evaluate(TAPPER, [per_second, limit]))


@pytest.mark.parametrize(("lang", "theme"), [("en", "light"), ("ru", "dark")])
def test_full_game_against_simulated_players(
    server, celery_worker, browser, tiers, fund, make_user, lang: str, theme: str
) -> None:
    alice = make_user(first_name={"en": "Alice", "ru": "Алиса"}[lang], username="alice")
    fund(alice.tg_id, 100)
    page = open_miniapp(browser, server.base_url, init_data_for(alice, lang), theme=theme)
    expect(page.get_by_test_id("balance-value")).to_have_text("100")
    expect(page.get_by_test_id("tier-20")).to_be_visible()
    screenshot(page, f"home-{lang}-{theme}")

    page.get_by_test_id("tier-20").click()
    page.get_by_test_id("waiting").wait_for(timeout=15_000)
    expect(page.get_by_test_id("waiting-count")).to_contain_text("1")
    room_id = Room.objects.get(seats__user=alice, phase="gathering").pk
    assert balance_get(user_id=alice.tg_id) == 80
    screenshot(page, f"waiting-{lang}-{theme}")

    sims = start_simulated_players(server, fund, 9, 20)
    try:
        shorten_game(room_id)
        page.get_by_test_id("game").wait_for(timeout=20_000)
        # Closing confirmation is on and the Back button is hidden during the paid game.
        closing = telegram_events(page, "web_app_setup_closing_behavior")
        assert closing
        assert closing[-1][1] == {"need_confirmation": True}
        assert telegram_events(page, "web_app_setup_back_button")[-1][1] == {"is_visible": False}
        expect(page.get_by_test_id("progress-bars").locator("li")).to_have_count(10)
        tapped = tap_until_results(page, limit=15)
        expect(page.get_by_test_id("my-taps")).to_have_text("15")
        screenshot(page, f"game-{lang}-{theme}")
        tapped += tap_until_results(page)
        page.get_by_test_id("results").wait_for(timeout=30_000)
        assert sims.wait(timeout=30) == 0
    finally:
        if sims.poll() is None:
            sims.kill()

    room = Room.objects.get(pk=room_id)
    assert room.phase == "finished"
    assert room.winner_id == alice.tg_id, f"alice tapped {tapped} times"
    expect(page.get_by_test_id("winner-name")).to_have_text(alice.first_name)
    expect(page.get_by_test_id("prize")).to_contain_text("200")
    assert balance_get(user_id=alice.tg_id) == 80 + 200
    expect(page.get_by_test_id("results-balance")).to_contain_text("280")
    screenshot(page, f"results-{lang}-{theme}")
    assert telegram_events(page, "web_app_setup_closing_behavior")[-1][1] == {
        "need_confirmation": False
    }
    assert ledger_mismatches() == []

    # "Play again" seats her in a new room of the same tier; leaving before the start refunds.
    page.get_by_test_id("play-again").click()
    page.get_by_test_id("waiting").wait_for(timeout=15_000)
    expect(page.get_by_test_id("waiting-count")).to_contain_text("1")
    assert balance_get(user_id=alice.tg_id) == 260
    again = Room.objects.get(seats__user=alice, phase="gathering")
    assert again.pk != room_id
    page.get_by_test_id("leave-room").click()
    page.get_by_test_id("home").wait_for()
    expect(page.get_by_test_id("balance-value")).to_have_text("280")
    assert balance_get(user_id=alice.tg_id) == 280
    page.context.close()


@pytest.mark.parametrize(("lang", "theme"), [("ru", "light"), ("en", "dark")])
def test_reload_in_the_middle_of_a_game_restores_it(
    server, celery_worker, browser, tiers, fund, make_user, lang: str, theme: str
) -> None:
    bob = make_user(first_name="Bob", username="bob")
    fund(bob.tg_id, 50)
    page = open_miniapp(browser, server.base_url, init_data_for(bob, lang), theme=theme)
    page.get_by_test_id("tier-20").click()
    page.get_by_test_id("waiting").wait_for(timeout=15_000)
    room_id = Room.objects.get(seats__user=bob, phase="gathering").pk
    screenshot(page, f"waiting-{lang}-{theme}")
    sims = start_simulated_players(server, fund, 9, 20)
    try:
        room = shorten_game(room_id)
        assert room.started_at is not None
        Room.objects.filter(pk=room_id).update(
            ends_at=room.started_at + timedelta(seconds=GAME_SECONDS + 8)
        )
        page.get_by_test_id("game").wait_for(timeout=20_000)
        button = page.get_by_test_id("tap-button")
        expect(button).to_be_enabled(timeout=10_000)
        for _ in range(30):
            button.click()
            time.sleep(0.08)
        expect(page.get_by_test_id("my-taps")).to_have_text("30", timeout=5_000)
        screenshot(page, f"game-{lang}-{theme}")

        page.reload()
        # Same room, same phase, the server's count of our taps — no lobby in between.
        page.get_by_test_id("game").wait_for(timeout=15_000)
        assert f"#/room/{room_id}" in page.url
        expect(page.get_by_test_id("my-taps")).to_have_text("30", timeout=5_000)
        expect(page.get_by_test_id(f"count-{bob.tg_id}")).to_have_text("30")
        tap_until_results(page)
        page.get_by_test_id("results").wait_for(timeout=40_000)
        assert sims.wait(timeout=30) == 0
    finally:
        if sims.poll() is None:
            sims.kill()
    room = Room.objects.get(pk=room_id)
    assert room.phase == "finished"
    assert room.winner_id is not None
    winner = User.objects.get(tg_id=room.winner_id)
    # The screen shows the server's winner, whoever it is.
    expect(page.get_by_test_id("winner-name")).to_have_text(winner.first_name)
    seat = room.seats.get(user=bob)
    assert seat.taps >= 30
    screenshot(page, f"results-{lang}-{theme}")
    page.context.close()


def test_hero_room_created_joined_by_key_and_started(
    server, celery_worker, browser, fund, make_user, api_client
) -> None:
    organizer = make_user(first_name="Olga", username="olga")
    player = make_user(first_name="Petr", username="petr")
    third = make_user(first_name="Ivan", username="ivan")
    fund(player.tg_id, 100)
    fund(third.tg_id, 100)

    host = open_miniapp(browser, server.base_url, init_data_for(organizer, "ru"), theme="dark")
    host.get_by_test_id("nav-create").click()
    host.get_by_test_id("create").wait_for()
    screenshot(host, "create-ru-dark")
    host.get_by_test_id("hero-fee").fill("30")
    host.get_by_test_id("hero-create").click()
    host.get_by_test_id("organizer").wait_for(timeout=15_000)
    key = host.get_by_test_id("hero-key").inner_text().strip()
    room = Room.objects.get(key=key)
    assert room.organizer_id == organizer.tg_id
    assert room.fee == 30
    expect(host.get_by_test_id("hero-start")).to_be_disabled()
    expect(host.get_by_test_id("hero-timer")).to_contain_text("4:")

    guest = open_miniapp(browser, server.base_url, init_data_for(player, "en"), theme="light")
    guest.get_by_test_id("nav-create").click()
    guest.get_by_test_id("hero-key-input").fill(key.lower())
    guest.get_by_test_id("hero-join").click()
    guest.get_by_test_id("waiting").wait_for(timeout=15_000)
    assert balance_get(user_id=player.tg_id) == 70
    # The organizer sees the join live.
    expect(host.get_by_test_id("organizer-players")).to_contain_text("Petr", timeout=10_000)
    # Reactions: tapping your own avatar bursts emojis for everyone in the room.
    guest.get_by_test_id(f"seat-{player.tg_id}").click()
    expect(guest.locator(".flying__emoji").first).to_be_visible(timeout=5_000)
    expect(host.locator(".flying__emoji").first).to_be_visible(timeout=5_000)
    screenshot(guest, "waiting-hero-en-light")

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=third.tg_id)}")
    joined = api_client.post(
        "/api/v1/rooms/hero/join", {"key": key}, format="json", HTTP_IDEMPOTENCY_KEY="e2e-third-1"
    )
    assert joined.status_code == 201, joined.content
    expect(host.get_by_test_id("organizer-players")).to_contain_text("Ivan", timeout=10_000)
    expect(host.get_by_test_id("hero-start")).to_be_enabled()
    screenshot(host, "organizer-ru-dark")

    host.get_by_test_id("hero-start").click()
    guest.get_by_test_id("game").wait_for(timeout=15_000)
    host.get_by_test_id("game").wait_for(timeout=15_000)
    assert host.get_by_test_id("tap-button").count() == 0  # the organizer watches
    room.refresh_from_db()
    assert room.phase in ("countdown", "playing")
    assert room.started_at is not None
    Room.objects.filter(pk=room.pk).update(
        ends_at=room.started_at + timedelta(seconds=GAME_SECONDS)
    )
    tap_until_results(guest)
    guest.get_by_test_id("results").wait_for(timeout=30_000)
    host.get_by_test_id("results").wait_for(timeout=30_000)
    room.refresh_from_db()
    assert room.winner_id == player.tg_id
    expect(guest.get_by_test_id("winner-name")).to_have_text("Petr")
    expect(host.get_by_test_id("winner-name")).to_have_text("Petr")
    # 90 % of the 60-Star pool to the winner, 10 % to the organizer.
    assert balance_get(user_id=player.tg_id) == 70 + 54
    assert balance_get(user_id=organizer.tg_id) == 6
    screenshot(host, "results-hero-ru-dark")
    host.context.close()
    guest.context.close()
