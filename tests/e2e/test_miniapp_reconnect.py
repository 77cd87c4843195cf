"""The connection drops while the player waits in a room: the app reconnects in the background,
shows the server's full state (a player who joined meanwhile), and reports the reconnect time."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.initdata import make_init_data
from accounts.tokens import token_issue
from rooms.models import Room
from tests.browser import open_miniapp, screenshot
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e


def test_room_socket_reconnects_with_the_full_state(
    server, browser, tiers, fund, make_user, api_client
) -> None:
    kim = make_user(first_name="Kim")
    lee = make_user(first_name="Lee")
    fund(kim.tg_id, 100)
    fund(lee.tg_id, 100)
    proxy = TcpProxy("127.0.0.1", server.port)
    try:
        init_data = make_init_data(
            bot_token=settings.TELEGRAM_BOT_TOKEN,
            user={"id": kim.tg_id, "first_name": "Kim", "language_code": "en"},
        )
        page = open_miniapp(browser, f"http://127.0.0.1:{proxy.port}", init_data)
        reports: list[int] = []
        page.on(
            "request",
            lambda request: (
                reports.append(json.loads(request.post_data or "{}")["duration_ms"])
                if request.url.endswith("/api/v1/telemetry/ws-reconnect")
                else None
            ),
        )
        page.get_by_test_id("tier-50").click()
        page.get_by_test_id("waiting").wait_for(timeout=15_000)
        expect(page.get_by_test_id("waiting-count")).to_contain_text("1 of 10")

        proxy.cut()
        expect(page.get_by_test_id("reconnecting")).to_be_visible(timeout=5_000)
        screenshot(page, "reconnecting-en-light")
        # Meanwhile someone joins: the app learns it from the state sent after the reconnect.
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=lee.tg_id)}")
        joined = api_client.post(
            f"/api/v1/rooms/tiers/{tiers[50]}/join", HTTP_IDEMPOTENCY_KEY="e2e-lee-join-1"
        )
        assert joined.status_code == 201, joined.content
        assert Room.objects.get(pk=joined.json()["id"]).seated == 2
        time.sleep(1.5)
        proxy.restore()

        expect(page.get_by_test_id("reconnecting")).to_have_count(0, timeout=10_000)
        expect(page.get_by_test_id("waiting-count")).to_contain_text("2 of 10")
        deadline = time.monotonic() + 10
        while not reports and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert reports, "the reconnect time was not reported"
        assert all(1_000 <= ms <= 15_000 for ms in reports), reports
        page.context.close()
    finally:
        proxy.stop()
