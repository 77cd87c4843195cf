"""Support's player page (issue #14): found by Telegram id, username or charge id; shows the
balance, the ledger, charges, rooms and referrals; blocks and unblocks with a reason through the
service (audited, hidden from the boards); a game admin may look but not block."""

from __future__ import annotations

import pytest

from accounts.models import StaffAction
from leaderboards.models import DonorTotal
from leaderboards.tests.test_donations import donate
from payments.tests.test_admin import paid_charge

pytestmark = pytest.mark.django_db


def test_support_finds_a_player_and_sees_his_file(signed_in, make_user) -> None:
    client = signed_in("support")
    referrer = make_user(username="boss")
    player = make_user(username="ana", referrer=referrer)
    charge_id = paid_charge(player, stars=30)
    for query in (str(player.tg_id), "@ana", "ANA", charge_id):
        found = client.get("/admin/backoffice/players/", {"q": query})
        assert found.status_code == 302, query
        assert found["Location"] == f"/admin/backoffice/players/{player.tg_id}/"
    missing = client.get("/admin/backoffice/players/", {"q": "nobody"})
    assert missing.status_code == 200
    page = client.get(f"/admin/backoffice/players/{player.tg_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "30 ⭐" in body
    assert "Top-up" in body  # the ledger lists the credit
    assert "@boss" in body
    assert page.context["file"].charges[0].pk == charge_id


def _on_the_board(player, viewer_user) -> bool:
    """As another player sees the all-time board through the API."""
    from rest_framework.test import APIClient

    from accounts.tokens import token_issue

    viewer = APIClient()
    viewer.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(tg_id=viewer_user.tg_id)}")
    items = viewer.get("/api/v1/leaderboards/donations/all-time").json()["items"]
    return any(row["tg_id"] == player.tg_id for row in items)


def test_blocking_from_the_player_page_is_audited_and_hides_him(
    signed_in, make_user, django_capture_on_commit_callbacks
) -> None:
    client = signed_in("support")
    player = make_user()
    donate(player, "3")
    someone = make_user()
    assert _on_the_board(player, someone)
    url = f"/admin/backoffice/players/{player.tg_id}/"
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    player.refresh_from_db()
    assert not player.is_blocked
    with django_capture_on_commit_callbacks(execute=True):  # the boards' cache moves on commit
        assert client.post(url, {"reason": "multi-accounting"}).status_code == 302
    player.refresh_from_db()
    assert (player.is_blocked, player.blocked_reason) == (True, "multi-accounting")
    assert DonorTotal.objects.get(user=player).hidden
    assert not _on_the_board(player, someone)  # gone from what the API serves too
    assert client.post(url, {"reason": "appeal accepted"}).status_code == 302
    player.refresh_from_db()
    assert not player.is_blocked
    log = list(StaffAction.objects.order_by("id").values_list("kind", "reason"))
    assert log == [("block", "multi-accounting"), ("unblock", "appeal accepted")]


def test_a_game_admin_may_look_but_not_block(signed_in, make_user) -> None:
    client = signed_in("game admin")
    player = make_user()
    url = f"/admin/backoffice/players/{player.tg_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"block-form" not in page.content
    assert client.post(url, {"reason": "x"}).status_code == 403
    player.refresh_from_db()
    assert not player.is_blocked
