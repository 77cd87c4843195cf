"""The back office (issue #14): the user page works and blocks through the service, the shipped
roles and their permissions, settings forms that refuse nonsense in both languages, blocked players
staying hidden through every path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from leaderboards.models import DonorTotal
from leaderboards.tests.test_donations import donate
from payments.models import DonationPreset, PaymentSettings
from rooms.models import Room, RoomTier, Seat

pytestmark = pytest.mark.django_db


def test_the_user_change_page_opens_and_add_user_lands_on_it(signed_in, make_user) -> None:
    client = signed_in("superuser")
    player = make_user()
    page = client.get(f"/admin/accounts/user/{player.tg_id}/change/")
    assert page.status_code == 200
    assert b"Blocking" in page.content
    added = client.post(
        "/admin/accounts/user/add/",
        {"tg_id": "987654321", "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"},
        follow=True,
    )
    assert added.status_code == 200
    assert User.objects.filter(tg_id=987654321).exists()
    assert added.redirect_chain[-1][0].endswith("/admin/accounts/user/987654321/change/")


def _change_form(client, user: User, **over: object) -> dict[str, object]:
    form = client.get(f"/admin/accounts/user/{user.tg_id}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data["groups"] = [g.pk for g in user.groups.all()]
    data["user_permissions"] = []
    data.update(over)
    return {k: v for k, v in data.items() if v is not False}


def test_blocking_in_the_form_goes_through_the_service(
    signed_in, make_user, django_capture_on_commit_callbacks
) -> None:
    client = signed_in("support")
    donor = make_user(username="donor")
    donate(donor, "5")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/accounts/user/{donor.tg_id}/change/",
            _change_form(client, donor, is_blocked="on", blocked_reason="chargeback fraud"),
        )
    assert response.status_code == 302, response.content[:2000]
    donor.refresh_from_db()
    assert (donor.is_blocked, donor.blocked_reason) == (True, "chargeback fraud")
    assert DonorTotal.objects.get(user=donor).hidden  # hidden from the boards, like the action
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/accounts/user/{donor.tg_id}/change/",
            _change_form(client, donor, is_blocked=False),
        )
    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.is_blocked, donor.blocked_reason) == (False, "")
    assert not DonorTotal.objects.get(user=donor).hidden


def test_rebuilding_the_boards_keeps_blocked_players_hidden(signed_in, make_user) -> None:
    client = signed_in("support")
    donor = make_user()
    donate(donor, "9")
    client.post("/admin/accounts/user/", {"action": "block_users", "_selected_action": [donor.pk]})
    assert DonorTotal.objects.get(user=donor).hidden
    DonorTotal.objects.filter(user=donor).update(hidden=False)  # e.g. an old rebuild's damage
    with pytest.raises(SystemExit):
        call_command("rebuild_leaderboards", "--check")
    call_command("rebuild_leaderboards")
    assert DonorTotal.objects.get(user=donor).hidden
    assert DonorTotal.objects.get(user=donor).tons == Decimal(9)


def test_roles_ship_with_their_permissions(signed_in, make_user) -> None:
    support, game_admin = Group.objects.get(name="support"), Group.objects.get(name="game admin")
    assert support.permissions.filter(codename="refund_starcharge").exists()
    assert support.permissions.filter(codename="block_user").exists()
    assert not support.permissions.filter(codename="change_roomtier").exists()
    assert game_admin.permissions.filter(codename="change_roomtier").exists()
    assert not game_admin.permissions.filter(codename="refund_starcharge").exists()
    # Support may not add tiers; a game admin may not see the refund action or block players.
    client = signed_in("support")
    assert client.get("/admin/rooms/roomtier/add/").status_code == 403
    client = signed_in("game admin")
    assert client.get("/admin/rooms/roomtier/add/").status_code == 200
    charges = client.get("/admin/payments/starcharge/")
    assert charges.status_code == 403  # not even the list
    users = client.get("/admin/accounts/user/")
    assert b"block_users" not in users.content


def test_fresh_deploys_ship_the_donation_presets(migration_data) -> None:
    assert list(DonationPreset.objects.order_by("place").values_list("place", "stars")) == [
        (1, 500),
        (2, 250),
        (3, 100),
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The largest payment cannot be below the smallest."),
        ("ru", "Максимальный платёж не может быть меньше минимального."),
    ],
)
def test_settings_forms_refuse_nonsense_in_the_staff_language(signed_in, language, message) -> None:
    client = signed_in("game admin")
    PaymentSettings.objects.get_or_create(pk=1)
    response = client.post(
        "/admin/payments/paymentsettings/1/change/",
        {"min_stars": "500", "max_stars": "10", "invoices_per_minute": "10"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PaymentSettings.objects.get(pk=1).min_stars != 500


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/admin/rooms/roomtier/add/", {"stars": "7", "position": "0"}, "a multiple of 10"),
        (
            "/admin/rooms/bonussettings/1/change/",
            {
                "target_taps": "0",
                "duration_hours": "0",
                "reward_stars": "0",
                "cooldown_hours": "24",
                "min_paid_games": "1",
            },
            "at least one tap",
        ),
        (
            "/admin/rooms/roomsettings/1/change/",
            {"house_share_bp": "0", "hero_min_fee": "50", "hero_max_fee": "10"},
            "highest hero fee",
        ),
        (
            "/admin/payments/ratesettings/1/change/",
            {
                "source": "http",
                "manual_rate": "1",
                "http_url": "",
                "http_json_path": "",
                "http_usd_per_star": "",
                "cache_ttl_seconds": "600",
                "rounding": "floor",
                "decimals": "0",
            },
            "needs its URL",
        ),
    ],
)
def test_every_settings_form_validates(signed_in, url, data, message) -> None:
    from payments.models import RateSettings
    from rooms.models import BonusSettings, RoomSettings

    for model in (RateSettings, BonusSettings, RoomSettings):
        model.objects.get_or_create(pk=1)
    client = signed_in("game admin")
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    assert message in response.content.decode()
    assert not RoomTier.objects.filter(stars=7).exists()


@pytest.mark.parametrize(
    "path",
    [
        "payments/paymentsettings",
        "payments/ratesettings",
        "rooms/roomsettings",
        "rooms/bonussettings",
    ],
)
def test_a_settings_singleton_opens_its_one_row_and_cannot_be_added_or_deleted(
    signed_in, path
) -> None:
    from django.apps import apps

    model = apps.get_model(*path.split("/"))
    client = signed_in("superuser")
    assert not model.objects.exists()
    page = client.get(f"/admin/{path}/")  # the admin link: the one row's form, made on first use
    assert page.status_code == 200
    assert page.context["original"].pk == 1
    assert list(model.objects.values_list("pk", flat=True)) == [1]
    assert client.get(f"/admin/{path}/add/").status_code == 403
    assert client.post(f"/admin/{path}/1/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.count() == 1
    assert model.get_solo().pk == 1


def test_a_settings_change_is_read_by_the_next_request(signed_in, make_user) -> None:
    from payments.services import payment_settings_get

    client = signed_in("game admin")
    saved = client.post(
        "/admin/payments/paymentsettings/",
        {"min_stars": "3", "max_stars": "900", "invoices_per_minute": "4"},
    )
    assert saved.status_code == 302, saved.content
    row = payment_settings_get()
    assert (row.pk, row.min_stars, row.max_stars, row.invoices_per_minute) == (1, 3, 900, 4)


def test_rooms_are_found_by_participant(signed_in, make_user) -> None:
    player = make_user(username="sitter")
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    rooms = [
        Room.objects.create(kind="standard", tier=tier, fee=20, deadline_at=timezone.now())
        for _ in range(3)
    ]
    for number, room in enumerate(rooms):
        Seat.objects.create(room=room, user=player, number=number)
    client = signed_in("support")
    for query in (str(player.tg_id), "sitter"):
        page = client.get("/admin/rooms/room/", {"q": query})
        assert page.status_code == 200
        assert page.context["cl"].result_count == 3, query


def test_support_adjusts_a_balance_and_cancels_a_room_from_the_admin(signed_in, make_user) -> None:
    from accounts.models import StaffAction
    from payments.ledger import balance_get

    client = signed_in("support")
    player = make_user()
    from payments.models import Balance

    Balance.objects.create(user=player, stars=0)
    page = client.post(
        "/admin/payments/balance/", {"action": "adjust", "_selected_action": [player.tg_id]}
    )
    assert page.status_code == 200
    key = page.context["form"]["key"].value()
    data = {
        "action": "adjust",
        "_selected_action": [player.tg_id],
        "apply": "1",
        "stars": "25",
        "reason": "outage",
        "key": key,
    }
    client.post("/admin/payments/balance/", data, follow=True)
    client.post("/admin/payments/balance/", data, follow=True)  # the same form again: once
    assert balance_get(user_id=player.tg_id) == 25
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    room = Room.objects.create(kind="standard", tier=tier, fee=20, deadline_at=timezone.now())
    done = client.post(
        "/admin/rooms/room/",
        {"action": "cancel_rooms", "_selected_action": [room.pk], "apply": "1", "reason": "stuck"},
        follow=True,
    )
    assert done.status_code == 200
    room.refresh_from_db()
    assert room.phase == "cancelled"
    kinds = set(StaffAction.objects.values_list("kind", flat=True))
    assert kinds == {"balance_adjustment", "room_cancel"}
    log = client.get("/admin/accounts/staffaction/")
    assert log.status_code == 200
    assert b"outage" in log.content


def test_a_game_admin_has_no_support_tools(signed_in) -> None:
    client = signed_in("game admin")
    assert client.get("/admin/payments/balance/").status_code == 403
    assert client.get("/admin/accounts/staffaction/").status_code == 403
    rooms = client.get("/admin/rooms/room/")
    assert rooms.status_code == 200
    assert b"cancel_rooms" not in rooms.content
