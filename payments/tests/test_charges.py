"""Crediting Stars charges: exactly once under duplicates and concurrency; refunds; reconcile."""

from __future__ import annotations

import multiprocessing
import threading
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connections

from chancetap.core.errors import ApplicationError
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry, Payment, StarCharge, SupportRefund
from payments.services import (
    payments_reconcile,
    star_payment_apply,
    star_refund_record,
    support_refund_issue,
)


def charge_fields(payment: Payment, charge_id: str, **over) -> dict:
    fields = {
        "from_user_id": payment.user_id,
        "payload": str(payment.id),
        "currency": "XTR",
        "total_amount": payment.stars,
        "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": "",
    }
    fields.update(over)
    return fields


def long_charge_id() -> str:
    return "stxA" + uuid.uuid4().hex * 4  # real ones are 110+ characters


@pytest.mark.django_db
def test_topup_credits_once_and_marks_paid(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=40)
    charge_id = long_charge_id()
    first = star_payment_apply(**charge_fields(payment, charge_id))
    again = star_payment_apply(**charge_fields(payment, charge_id))
    assert first.applied
    assert not again.applied
    assert balance_get(user_id=user.tg_id) == 40
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.paid_at is not None


@pytest.mark.django_db
def test_second_charge_of_the_same_invoice_is_credited_too(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=10)
    star_payment_apply(**charge_fields(payment, long_charge_id()))
    star_payment_apply(**charge_fields(payment, long_charge_id()))  # forwarded invoice paid again
    assert balance_get(user_id=user.tg_id) == 20
    assert payment.charges.count() == 2


@pytest.mark.django_db
def test_cancelled_invoice_that_gets_paid_is_still_credited(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=7, status="cancelled")
    assert star_payment_apply(**charge_fields(payment, long_charge_id())).applied
    assert balance_get(user_id=user.tg_id) == 7
    payment.refresh_from_db()
    assert payment.status == "paid"


@pytest.mark.django_db
def test_unknown_payload_is_recorded_and_credited_never_dropped(make_user) -> None:
    user = make_user()
    fake = Payment(id=uuid.uuid4(), user=user, stars=9)
    result = star_payment_apply(**charge_fields(fake, long_charge_id(), payload="garbage"))
    assert result.applied
    assert balance_get(user_id=user.tg_id) == 9
    assert Payment.objects.get(pk=result.charge.payment_id).status == "paid"


@pytest.mark.django_db
def test_donation_records_tons_and_leaves_the_balance(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="donation", stars=100)
    result = star_payment_apply(**charge_fields(payment, long_charge_id()))
    assert result.charge.tons > 0
    assert result.charge.rate is not None
    assert balance_get(user_id=user.tg_id) == 0
    payment.refresh_from_db()
    assert payment.tons == result.charge.tons


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over",
    [{"currency": "USD"}, {"total_amount": 0}, {"telegram_payment_charge_id": ""}],
)
def test_invalid_charges_change_nothing(make_user, over) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=5)
    with pytest.raises(ApplicationError):
        star_payment_apply(**charge_fields(payment, long_charge_id(), **over))
    assert StarCharge.objects.count() == 0
    assert balance_get(user_id=user.tg_id) == 0


def deliver_from_threads(fields: dict, *, threads: int, rounds: int) -> list[bool]:
    """``threads`` threads released at once, each delivering the charge ``rounds`` times; what
    each delivery answered (applied or not)."""
    applied: list[bool] = []
    barrier = threading.Barrier(threads)

    def deliver() -> None:
        try:
            barrier.wait()
            for _ in range(rounds):
                applied.append(star_payment_apply(**fields).applied)
        finally:
            connections.close_all()

    started = [threading.Thread(target=deliver) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return applied


@pytest.mark.django_db(transaction=True)
def test_same_charge_fifty_times_from_threads_is_credited_once(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=33)
    applied = deliver_from_threads(charge_fields(payment, long_charge_id()), threads=10, rounds=5)
    assert len(applied) == 50
    assert applied.count(True) == 1
    assert balance_get(user_id=user.tg_id) == 33
    assert LedgerEntry.objects.filter(user=user).count() == 1
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_an_unmatched_charge_from_threads_is_credited_once_with_one_invoice(make_user) -> None:
    """No invoice row to queue on: the twins race to insert the charge; the losers roll back
    whole (no second top-up invoice marked paid) and answer as duplicates."""
    user = make_user()
    fake = Payment(id=uuid.uuid4(), user=user, stars=21)
    applied = deliver_from_threads(
        charge_fields(fake, long_charge_id(), payload="no-such-invoice"), threads=10, rounds=3
    )
    assert len(applied) == 30
    assert applied.count(True) == 1
    assert balance_get(user_id=user.tg_id) == 21
    assert Payment.objects.filter(user=user).count() == 1
    assert StarCharge.objects.filter(user_id=user.tg_id).count() == 1
    assert ledger_mismatches() == []


def _deliver_in_process(fields: dict, rounds: int, queue) -> None:  # pragma: no cover - child
    import django
    from django.db import connections as conns

    django.setup()
    from payments.services import star_payment_apply as apply

    count = 0
    for _ in range(rounds):
        count += int(apply(**fields).applied)
    conns.close_all()
    queue.put(count)


@pytest.mark.django_db(transaction=True)
def test_same_charge_from_several_processes_is_credited_once(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=11)
    fields = charge_fields(payment, long_charge_id())
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_deliver_in_process, args=(fields, 10, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sum(queue.get(timeout=5) for _ in workers) == 1
    assert balance_get(user_id=user.tg_id) == 11


@pytest.fixture
def support_agent(make_user):
    agent = make_user(is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    return agent


@pytest.mark.django_db
def test_support_refund_debits_calls_telegram_and_audits(make_user, support_agent, fake_bot_api):
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=50)
    charge_id = long_charge_id()
    star_payment_apply(**charge_fields(payment, charge_id))
    audit = support_refund_issue(charge_id=charge_id, staff=support_agent, reason="double click")
    assert audit.outcome == "refunded"
    assert audit.staff == support_agent
    call = fake_bot_api.calls("refundStarPayment")[-1]
    assert call["telegram_payment_charge_id"] == charge_id
    assert int(call["user_id"]) == user.tg_id
    assert balance_get(user_id=user.tg_id) == 0
    payment.refresh_from_db()
    assert payment.status == "refunded"
    # The refunded_payment update that follows changes nothing more.
    assert (
        star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id) is False
    )
    with pytest.raises(ApplicationError) as info:
        support_refund_issue(charge_id=charge_id, staff=support_agent, reason="again")
    assert info.value.code == "charge_already_refunded"
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_refund_refused_when_balance_no_longer_covers(make_user, support_agent, fake_bot_api):
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=50)
    charge_id = long_charge_id()
    star_payment_apply(**charge_fields(payment, charge_id))
    from django.db import transaction

    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.ENTRY_FEE, -20, "fee:x")])
    with pytest.raises(ApplicationError) as info:
        support_refund_issue(charge_id=charge_id, staff=support_agent, reason="asked")
    assert info.value.code == "refund_balance_insufficient"
    assert fake_bot_api.calls("refundStarPayment") == []
    assert balance_get(user_id=user.tg_id) == 30
    assert SupportRefund.objects.get().outcome == "refused"


@pytest.mark.django_db
def test_already_refunded_at_telegram_counts_as_done(make_user, support_agent, fake_bot_api):
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=5)
    charge_id = long_charge_id()
    star_payment_apply(**charge_fields(payment, charge_id))
    fake_bot_api.fail_next("refundStarPayment", 400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    audit = support_refund_issue(charge_id=charge_id, staff=support_agent, reason="dup")
    assert audit.outcome == "already_refunded"
    assert balance_get(user_id=user.tg_id) == 0


@pytest.mark.django_db
def test_telegram_error_rolls_the_debit_back(make_user, support_agent, fake_bot_api):
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=5)
    charge_id = long_charge_id()
    star_payment_apply(**charge_fields(payment, charge_id))
    fake_bot_api.fail_next("refundStarPayment", 400, "Bad Request: CHARGE_NOT_FOUND")
    with pytest.raises(ApplicationError) as info:
        support_refund_issue(charge_id=charge_id, staff=support_agent, reason="x")
    assert info.value.code == "refund_telegram_error"
    assert balance_get(user_id=user.tg_id) == 5
    assert StarCharge.objects.get(pk=charge_id).refunded_at is None
    assert SupportRefund.objects.get().outcome == "failed"


@pytest.mark.django_db
def test_reconcile_applies_missing_payments_once(make_user, fake_bot_api) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=15)
    missed = long_charge_id()
    fake_bot_api.star_transactions = [
        {
            "id": missed,
            "amount": 15,
            "date": 1_700_000_000,
            "source": {
                "type": "user",
                "transaction_type": "invoice_payment",
                "user": {"id": user.tg_id, "is_bot": False, "first_name": "P"},
                "invoice_payload": str(payment.id),
            },
        },
        {"id": "fragment-1", "amount": 3, "date": 1_700_000_001, "source": {"type": "fragment"}},
    ]
    report = payments_reconcile()
    assert (report.seen, report.applied, report.skipped) == (2, 1, 1)
    assert payments_reconcile().applied == 0
    assert balance_get(user_id=user.tg_id) == 15
    assert StarCharge.objects.get(pk=missed).source == "reconcile"
