"""Every error code the server can send a player, rendered in Russian on a real screen (issue #15):
a table over the catalogue (docs/error-codes.json, generated from the server's source).

Each code travels the path every REST refusal takes: the answer's body → ``api.ts``'s ApiError →
``errorText`` → the screen's error note. The server cannot be made to send all of them on demand
(most need a particular state: a TON proof from a wallet, a payment provider's refusal), so the
hero-create answer is replaced in the browser (Playwright's ``route``) by a 409 with each code,
its details and an English message the screen must not show. ``user_blocked``, which leaves for a
screen of its own, is sent by the real server: a blocked player's login and a block while playing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Route, expect

from accounts.services import user_set_blocked
from tests.browser import init_data_for, launch_hash, open_miniapp, screenshot, telegram_page

pytestmark = pytest.mark.e2e

CATALOGUE = json.loads((settings.BASE_DIR / "docs" / "error-codes.json").read_text())["player"]
WEB = Path(settings.BASE_DIR) / "frontend" / "web" / "src" / "i18n"
RU = json.loads((WEB / "ru.json").read_text())
ENGLISH = "An English message the player must not see"


def sample_details(code: str) -> dict[str, Any]:
    """A distinct value per detail the code carries, so a wrong placeholder shows."""
    return {name: 11 + index for index, name in enumerate(CATALOGUE[code]["details"])}


def russian(code: str, details: dict[str, Any]) -> str:
    """The catalogue's Russian text with the details put in (as i18next does)."""
    text = RU["errors"][code]
    return re.sub(r"\{\{\s*(\w+)[^}]*\}\}", lambda m: str(details[m.group(1)]), text)


def test_every_catalogued_code_reads_in_russian(server, browser, make_user) -> None:
    codes = sorted(code for code in CATALOGUE if code != "user_blocked")
    assert len(codes) > 80  # the whole catalogue, not a sample
    player = make_user(first_name="Глеб", username="gleb")
    page = open_miniapp(browser, server.base_url, init_data_for(player, "ru"))
    page.get_by_test_id("nav-create").click()
    page.get_by_test_id("create").wait_for()

    current: dict[str, str] = {}

    def refuse(route: Route) -> None:
        code = current["code"]
        body = {"code": code, "message": ENGLISH, "details": sample_details(code)}
        route.fulfill(status=409, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/rooms/hero", refuse)
    note = page.get_by_test_id("create-error")
    shown: dict[str, str] = {}
    for code in codes:
        current["code"] = code
        with page.expect_response("**/api/v1/rooms/hero"):
            page.get_by_test_id("hero-create").click()
        expect(note).to_have_text(russian(code, sample_details(code)))
        shown[code] = note.inner_text()
        if code == "insufficient_balance":
            screenshot(page, "error-code-ru-insufficient_balance")
    untranslated = [code for code, text in shown.items() if ENGLISH in text or code in text]
    assert untranslated == []
    assert all(re.search("[а-яА-Я]", text) for text in shown.values())


def test_a_blocked_player_sees_the_blocked_screen_in_russian(server, browser, make_user) -> None:
    blocked = make_user(first_name="Глеб", is_blocked=True)
    page = telegram_page(browser)
    page.goto(f"{server.base_url}/{launch_hash(init_data_for(blocked, 'ru'))}")
    screen = page.get_by_test_id("login-error")
    screen.wait_for(timeout=15_000)
    expect(screen).to_have_attribute("data-code", "user_blocked")
    expect(screen).to_contain_text(RU["login"]["blockedTitle"])
    expect(screen).not_to_contain_text("user_blocked")
    expect(screen.get_by_role("button")).to_have_count(0)  # nothing to retry
    screenshot(page, "blocked-login-ru")


def test_blocked_while_in_the_lobby_leaves_for_the_blocked_screen(
    server, browser, make_user
) -> None:
    player = make_user(first_name="Глеб")
    page = open_miniapp(browser, server.base_url, init_data_for(player, "ru"))
    user_set_blocked(user=player, blocked=True, reason="e2e")  # closes his ws/me socket (4403)
    screen = page.get_by_test_id("login-error")
    screen.wait_for(timeout=15_000)
    expect(screen).to_have_attribute("data-code", "user_blocked")
    expect(screen).to_contain_text(RU["login"]["blockedTitle"])
