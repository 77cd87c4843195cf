"""The Django admin: the audited support refund action, blocking users, singletons."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from chancetap.core.idempotency import idempotency_records_expire
from chancetap.core.models import IdempotencyRecord
from payments.ledger import balance_get
from payments.models import Payment, StarCharge, SupportRefund
from payments.services import star_payment_apply

pytestmark = pytest.mark.django_db


def paid_charge(user, stars=30, purpose="topup") -> str:
    payment = Payment.objects.create(user=user, purpose=purpose, stars=stars)
    charge_id = "stxADMIN" + uuid.uuid4().hex * 3
    star_payment_apply(
        from_user_id=user.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=stars,
        telegram_payment_charge_id=charge_id,
    )
    return charge_id


@pytest.fixture
def staff_client(client, make_user):
    def login(*, support: bool):
        staff = make_user(is_staff=True, password="staff-pass-123")
        if support:  # the group the migrations ship (accounts 0003), with its permissions
            staff.groups.add(Group.objects.get(name="support"))
        else:  # may see charges, not refund them
            staff.user_permissions.add(Permission.objects.get(codename="view_starcharge"))
        client.force_login(staff)
        return client, staff

    return login


URL = "/admin/payments/starcharge/"


def test_support_refund_through_the_admin(staff_client, make_user, fake_bot_api) -> None:
    client, staff = staff_client(support=True)
    player = make_user()
    charge_id = paid_charge(player)
    confirm = client.post(URL, {"action": "refund", "_selected_action": [charge_id]})
    assert confirm.status_code == 200
    assert b"Refund Stars payments" in confirm.content
    done = client.post(
        URL,
        {"action": "refund", "_selected_action": [charge_id], "apply": "1", "reason": "mistake"},
        follow=True,
    )
    assert done.status_code == 200
    audit = SupportRefund.objects.get()
    assert (audit.staff, audit.reason, audit.outcome) == (staff, "mistake", "refunded")
    assert balance_get(user_id=player.tg_id) == 0
    assert StarCharge.objects.get(pk=charge_id).refunded_at is not None


def test_refund_needs_a_reason(staff_client, make_user, fake_bot_api) -> None:
    client, _ = staff_client(support=True)
    charge_id = paid_charge(make_user())
    response = client.post(
        URL, {"action": "refund", "_selected_action": [charge_id], "apply": "1", "reason": ""}
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not SupportRefund.objects.exists()
    assert fake_bot_api.calls("refundStarPayment") == []


def test_only_staff_with_the_refund_permission_may_refund(
    staff_client, make_user, fake_bot_api
) -> None:
    client, _ = staff_client(support=False)
    player = make_user()
    charge_id = paid_charge(player)
    client.post(
        URL,
        {"action": "refund", "_selected_action": [charge_id], "apply": "1", "reason": "x"},
        follow=True,
    )
    assert not SupportRefund.objects.exists()
    assert balance_get(user_id=player.tg_id) == 30
    assert fake_bot_api.calls("refundStarPayment") == []


def test_idempotency_records_expire(make_user) -> None:
    user = make_user()
    old = IdempotencyRecord.objects.create(
        user=user,
        scope="s",
        key="k-old-0001",
        request_hash="h",
        response_status=201,
        response_body={},
        created_at=timezone.now() - timedelta(days=2),
    )
    fresh = IdempotencyRecord.objects.create(
        user=user,
        scope="s",
        key="k-new-0001",
        request_hash="h",
        response_status=201,
        response_body={},
    )
    assert idempotency_records_expire() == 1
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
    assert IdempotencyRecord.objects.filter(pk=fresh.pk).exists()
