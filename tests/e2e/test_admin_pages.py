"""The back office in a browser (issue #14): a superuser, a support agent and a game admin sign in
through the login form and walk every admin page; each page answers as the role's permissions say
(support cannot add tiers, a game admin cannot see charges or refund); the statistics and the
player page render; support adjusts a balance and a game admin adds a tier through the forms.
Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page

from accounts.models import User
from payments.ledger import balance_get
from payments.models import Balance
from rooms.models import RoomTier
from tests.browser import screenshot
from tests.server import ServerProcess

PASSWORD = "Back-office-pass-1"


@pytest.fixture
def server(transactional_db) -> Iterator[ServerProcess]:
    """A server per test here: the admin writes its log with content type ids, which the test
    database's flush between tests renumbers (and a long-lived server has cached)."""
    process = ServerProcess()
    try:
        yield process
    finally:
        process.stop()


def _staff(make_user, role: str) -> User:
    if role == "superuser":
        return make_user(is_staff=True, is_superuser=True, password=PASSWORD)
    user = make_user(is_staff=True, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


def _sign_in(browser: Browser, server: ServerProcess, user: User) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.base_url}/admin/login/")
    page.fill("input[name=username]", str(user.tg_id))
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{server.base_url}/admin/")
    return page


def _expected(user: User, model: Any) -> int:
    meta = model._meta
    may_view = user.has_perm(f"{meta.app_label}.view_{meta.model_name}") or user.has_perm(
        f"{meta.app_label}.change_{meta.model_name}"
    )
    return 200 if may_view else 403


@pytest.mark.parametrize("role", ["superuser", "support", "game admin"])
def test_each_role_walks_every_admin_page(server, browser, make_user, role: str) -> None:
    staff = _staff(make_user, role)
    player = make_user(username="walked")
    Balance.objects.create(user=player, stars=5)
    page = _sign_in(browser, server, staff)
    slug = role.replace(" ", "-")
    screenshot(page, f"admin-index-{slug}")
    assert page.get_by_test_id("backoffice-links").is_visible()
    staff = User.objects.get(pk=staff.pk)  # fresh permission cache
    for model in admin.site._registry:
        meta = model._meta
        url = f"{server.base_url}/admin/{meta.app_label}/{meta.model_name}/"
        response = page.goto(url)
        assert response is not None
        assert response.status == _expected(staff, model), (role, url)
        may_add = staff.has_perm(f"{meta.app_label}.add_{meta.model_name}")
        if response.status == 200 and not may_add:  # seen, so its add page must refuse
            add = page.goto(url + "add/")
            assert add is not None
            assert add.status == 403, (role, url)
    statistics = page.goto(f"{server.base_url}/admin/backoffice/statistics/")
    assert statistics is not None
    assert statistics.status == 200
    assert page.get_by_test_id("statistics-totals").is_visible()
    screenshot(page, f"admin-statistics-{slug}")
    player_page = page.goto(f"{server.base_url}/admin/backoffice/players/{player.tg_id}/")
    assert player_page is not None
    assert player_page.status == 200
    assert page.get_by_test_id("player-balance").inner_text().startswith("5")
    assert page.get_by_test_id("block-form").count() == (0 if role == "game admin" else 1)
    screenshot(page, f"admin-player-{slug}")
    page.close()


def test_support_adjusts_a_balance_through_the_form(server, browser, make_user) -> None:
    agent = _staff(make_user, "support")
    player = make_user(username="compensated")
    Balance.objects.create(user=player, stars=0)
    page = _sign_in(browser, server, agent)
    page.goto(f"{server.base_url}/admin/payments/balance/?q={player.tg_id}")
    page.check(f"input[name=_selected_action][value='{player.tg_id}']")
    page.select_option("select[name=action]", "adjust")
    page.click("button[name=index]")
    page.fill("input[name=stars]", "15")
    page.fill("textarea[name=reason]", "outage on Tuesday")
    screenshot(page, "admin-adjust-balance")
    page.click("input[name=apply]")
    page.wait_for_load_state()
    assert "Adjusted by +15" in page.content()
    assert balance_get(user_id=player.tg_id) == 15
    page.goto(f"{server.base_url}/admin/accounts/staffaction/")
    assert "outage on Tuesday" in page.content()
    screenshot(page, "admin-audit-log")
    page.close()


def test_a_game_admin_adds_a_tier_and_sees_nonsense_refused(server, browser, make_user) -> None:
    admin_user = _staff(make_user, "game admin")
    page = _sign_in(browser, server, admin_user)
    page.goto(f"{server.base_url}/admin/rooms/roomtier/add/")
    page.fill("input[name=stars]", "7")
    page.click("input[name=_save]")
    page.wait_for_selector(".errorlist")  # the refused form's page, fully loaded
    assert "a multiple of 10" in page.content()
    screenshot(page, "admin-tier-refused")
    page.fill("input[name=stars]", "1000")
    page.click("input[name=_save]")
    page.wait_for_url(f"{server.base_url}/admin/rooms/roomtier/")
    screenshot(page, "admin-tier-added")
    assert RoomTier.objects.filter(stars=1000).exists()
    page.close()


def _action(page: Page, server: ServerProcess, changelist: str, pk: object, action: str) -> None:
    """Select one row of a changelist and run an action up to its confirmation form."""
    page.goto(f"{server.base_url}{changelist}")
    page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_support_uses_every_tool_from_the_browser(
    browser, make_user, fake_bot_api, transactional_db
) -> None:
    """Refund a charge, cancel a room, settle a held TON transfer, block from the player page —
    each through its form, each in the audit log."""
    from django.utils import timezone

    from accounts.models import StaffAction
    from payments.models import StarCharge, TonTopup, TonTransfer
    from payments.tests.test_admin import paid_charge
    from rooms.models import Room

    process = ServerProcess()  # after fake_bot_api: the server talks to the fake Bot API
    try:
        agent = _staff(make_user, "support")
        payer, stuck, sender = make_user(), make_user(), make_user(username="sender")
        charge_id = paid_charge(payer, stars=30)
        tier = RoomTier.objects.get_or_create(stars=20)[0]
        room = Room.objects.create(kind="standard", tier=tier, fee=20, deadline_at=timezone.now())
        topup = TonTopup.objects.create(
            user=sender,
            stars=10,
            amount_nano=50_000_000,
            comment="CT-BROWSER01",
            expires_at=timezone.now(),
        )
        transfer = TonTransfer.objects.create(
            tx_hash="browser-tx",
            lt=1,
            received_at=timezone.now(),
            receiver="EQus",
            comment=topup.comment,
            value_nano=20_000_000,
            topup=topup,
            user=sender,
            outcome=TonTransfer.Outcome.UNDERPAID,
        )
        page = _sign_in(browser, process, agent)

        _action(page, process, "/admin/payments/starcharge/", charge_id, "refund")
        page.fill("textarea[name=reason]", "charged twice")
        page.click("input[name=apply]")
        page.wait_for_load_state()
        assert StarCharge.objects.get(pk=charge_id).refunded_at is not None
        assert fake_bot_api.calls("refundStarPayment")

        _action(page, process, "/admin/rooms/room/", room.pk, "cancel_rooms")
        page.fill("textarea[name=reason]", "stuck after the outage")
        page.click("input[name=apply]")
        page.wait_for_load_state()
        assert Room.objects.get(pk=room.pk).phase == "cancelled"

        _action(page, process, "/admin/payments/tontransfer/", transfer.pk, "credit_transfers")
        page.fill("textarea[name=reason]", "paid the rest by card")
        screenshot(page, "admin-ton-credit")
        page.click("input[name=apply]")
        page.wait_for_load_state()
        assert balance_get(user_id=sender.tg_id) == 4  # 0.02 TON at 0.005 TON a Star

        page.goto(f"{process.base_url}/admin/backoffice/players/{stuck.tg_id}/")
        page.fill("textarea[name=reason]", "chargeback abuse")
        page.click("[data-testid=block-form] input[type=submit]")
        page.wait_for_load_state()
        assert "Blocked: chargeback abuse" in page.get_by_test_id("player-status").inner_text()
        screenshot(page, "admin-player-blocked")

        log = set(StaffAction.objects.values_list("kind", "outcome"))
        assert {("room_cancel", "done"), ("ton_transfer_credit", "done"), ("block", "done")} <= log
        page.close()
    finally:
        process.stop()
