"""The Stars history (``GET /api/v1/payments/ledger``) says why each entry exists: its kind, what
caused it and the note written with it, so the Mini App can name the reason in two languages."""

from __future__ import annotations

import uuid

import pytest

from payments.models import LedgerEntry, Payment
from payments.services import balance_adjust, star_payment_apply
from rooms.models import Room, RoomTier
from rooms.services import room_advance
from rooms.tests.test_rooms import join_tier

pytestmark = pytest.mark.django_db


def test_every_entry_names_its_kind_and_cause(auth_client, make_user) -> None:
    client, user = auth_client()
    payment = Payment.objects.create(user=user, purpose="topup", stars=50)
    star_payment_apply(
        from_user_id=user.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=50,
        telegram_payment_charge_id="stxA" + uuid.uuid4().hex * 4,
    )
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    assert join_tier(user, tier).status_code == 201
    room = Room.objects.get()
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "cancelled"  # alone: refunded
    staff = make_user(is_staff=True)
    balance_adjust(staff=staff, user_id=user.tg_id, stars=5, reason="goodwill", key="k-ledger-1")

    page = client.get("/api/v1/payments/ledger").json()
    rows = [
        (e["kind"], e["amount"], e["balance_after"], e["cause_type"], e["cause_id"], e["memo"])
        for e in page["items"]
    ]
    assert rows == [
        ("adjustment", 5, 55, "staff_action", "", "goodwill"),
        ("room_refund", 20, 50, "room", str(room.pk), ""),
        ("entry_fee", -20, 30, "room", str(room.pk), ""),
        ("topup", 50, 50, "star_charge", str(payment.id), ""),
    ]
    assert page["has_more"] is False
    assert {e["created_at"] is not None for e in page["items"]} == {True}


def test_the_schema_lists_every_ledger_kind() -> None:
    """The Mini App maps each kind to a sentence; the schema's enum is the list it maps."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    kinds = schema["components"]["schemas"]["LedgerEntryKindEnum"]["enum"]
    assert kinds == list(LedgerEntry.Kind.values)


def test_the_payments_tab_lists_top_ups_and_donations_with_their_charge_ids(
    auth_client, make_user
) -> None:
    client, user = auth_client()
    other = make_user()
    charges = []
    for owner, purpose, stars in ((user, "topup", 30), (user, "donation", 12), (other, "topup", 9)):
        payment = Payment.objects.create(user=owner, purpose=purpose, stars=stars)
        charge = "stxA" + uuid.uuid4().hex * 4
        star_payment_apply(
            from_user_id=owner.tg_id,
            payload=str(payment.id),
            currency="XTR",
            total_amount=stars,
            telegram_payment_charge_id=charge,
        )
        charges.append(charge)
    page = client.get("/api/v1/payments/charges").json()
    assert [(c["purpose"], c["stars"], c["charge_id"]) for c in page["items"]] == [
        ("donation", 12, charges[1]),
        ("topup", 30, charges[0]),
    ]  # newest first, only mine
    assert page["items"][0]["refunded_at"] is None
    assert (page["limit"], page["offset"], page["has_more"]) == (50, 0, False)
    first = client.get("/api/v1/payments/charges", {"limit": 1}).json()
    assert (len(first["items"]), first["has_more"]) == (1, True)
    assert client.get("/api/v1/payments/charges", {"limit": 0}).status_code == 400
