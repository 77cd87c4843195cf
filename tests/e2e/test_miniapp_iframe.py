"""Telegram Web shows the Mini App in an iframe of another origin: the app's CSP frame-ancestors
lets the listed origins frame it (the dev login and screen changes work inside the frame) and
Chromium refuses every other origin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, WebSocket, expect

from tests.browser import screenshot
from tests.server import ServerProcess

pytestmark = pytest.mark.e2e


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ParentPage:
    """A page on ``http://localhost:<port>`` (another origin than the app's 127.0.0.1) holding
    the app in an iframe, as web.telegram.org does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        handler = partial(QuietHandler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://localhost:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def frame(self, app_url: str) -> str:
        """Put the app in the parent's iframe; the parent page's URL."""
        (self.root / "index.html").write_text(
            "<!doctype html><title>Telegram Web (fake)</title>"
            f'<iframe id="miniapp" src="{app_url}" width="390" height="700"></iframe>',
            encoding="utf-8",
        )
        return f"{self.origin}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def framing(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[tuple[ServerProcess, ParentPage]]:
    """A debug server (dev login on) that lets one parent origin frame it."""
    parent = ParentPage(tmp_path_factory.mktemp("allowed"))
    try:
        with django_db_blocker.unblock():
            server = ServerProcess(
                server="uvicorn",
                env={
                    "DJANGO_DEBUG": "1",
                    "DEV_LOGIN_ENABLED": "1",
                    "CSP_FRAME_ANCESTORS": f"'self' {parent.origin}",
                },
            )
    except BaseException:
        parent.stop()
        raise
    try:
        yield server, parent
    finally:
        server.stop()
        parent.stop()


def record(page: Page) -> tuple[list[str], list[WebSocket]]:
    messages: list[str] = []
    sockets: list[WebSocket] = []

    def on_console(message: ConsoleMessage) -> None:
        messages.append(message.text)

    def on_websocket(socket: WebSocket) -> None:
        sockets.append(socket)

    page.on("console", on_console)
    page.on("websocket", on_websocket)
    return messages, sockets


def test_listed_origin_frames_the_app(transactional_db, browser: Browser, framing) -> None:
    server, parent = framing
    page = browser.new_page(viewport={"width": 420, "height": 760})
    messages, sockets = record(page)
    page.goto(parent.frame(f"{server.base_url}/"))
    app = page.frame_locator("#miniapp")
    app.get_by_test_id("dev-login").click(timeout=15_000)
    app.get_by_test_id("home").wait_for(timeout=15_000)
    assert "Demo" in app.get_by_test_id("user-name").inner_text()
    # The parent's origin is listed (CSP_FRAME_ANCESTORS): the app takes Telegram events from it.
    assert app.locator("html").get_attribute("data-scheme") == "light"
    page.evaluate(
        """document.getElementById("miniapp").contentWindow.postMessage(JSON.stringify({
          eventType: "theme_changed", eventData: {theme_params: {bg_color: "#212121"}}
        }), "*")"""
    )
    expect(app.locator("html")).to_have_attribute("data-scheme", "dark")

    app.get_by_test_id("nav-leaderboard").click()
    app.get_by_test_id("leaderboards").wait_for(timeout=15_000)
    app.get_by_test_id("games-me").wait_for()
    screenshot(page, "iframe-leaderboard")

    # The live socket (same host, ws:) is allowed by connect-src 'self'.
    page.wait_for_timeout(500)
    assert any(socket.url.startswith(f"ws://127.0.0.1:{server.port}/") for socket in sockets)
    assert all(not socket.is_closed() for socket in sockets if "/ws/" in socket.url)
    violations = [m for m in messages if "Content Security Policy" in m]
    assert not violations, violations
    page.context.close()


def test_other_origin_cannot_frame_the_app(
    transactional_db, browser: Browser, framing, tmp_path: Path
) -> None:
    server, _ = framing
    stranger = ParentPage(tmp_path / "stranger")  # another port: an origin not in the list
    try:
        page = browser.new_page(viewport={"width": 420, "height": 760})
        messages, _ = record(page)
        page.goto(stranger.frame(f"{server.base_url}/"))
        page.wait_for_timeout(3_000)  # the allowed case renders in well under a second
        (frame,) = page.main_frame.child_frames
        assert not frame.url.startswith(server.base_url), frame.url  # Chromium's error page
        assert page.frame_locator("#miniapp").locator("[data-testid]").count() == 0
        assert any("frame-ancestors" in m for m in messages), messages
        screenshot(page, "iframe-refused")
        page.context.close()
    finally:
        stranger.stop()
