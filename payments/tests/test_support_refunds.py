"""Issue #12 item 7: a support refund calls ``refundStarPayment`` with no transaction or lock held
(pending row → Telegram → outcome), a refund Telegram did not answer stays pending and the
reconciliation finishes it, and concurrent clicks refund once. Fake Bot API on 127.0.0.1."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from chancetap import rls
from chancetap.core.errors import ApplicationError
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry, Payment, StarCharge, StarDebt, SupportRefund
from payments.services import star_payment_apply, support_refund_issue, support_refunds_reconcile
from payments.tests.test_charges import charge_fields, long_charge_id


@pytest.fixture
def agent(make_user):
    staff = make_user(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name="support")[0])
    return staff


def _paid(make_user, stars: int = 50):
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=stars)
    charge_id = long_charge_id()
    star_payment_apply(**charge_fields(payment, charge_id))
    return user, charge_id


@pytest.mark.django_db
def test_no_answer_leaves_the_refund_pending_and_reconciliation_finishes_it(
    make_user, agent, fake_bot_api
) -> None:
    user, charge_id = _paid(make_user)
    fake_bot_api.fail_next("refundStarPayment", 502, "Bad Gateway")
    with pytest.raises(ApplicationError) as info:
        support_refund_issue(charge_id=charge_id, staff=agent, reason="asked twice")
    assert info.value.code == "refund_pending"
    refund = SupportRefund.objects.get()
    assert (refund.outcome, refund.attempts) == ("pending", 1)
    assert balance_get(user_id=user.tg_id) == 50  # nothing debited while Telegram is unsure
    assert StarCharge.objects.get(pk=charge_id).refunded_at is None
    # A second click while pending is refused, and Telegram is not asked twice.
    with pytest.raises(ApplicationError) as again:
        support_refund_issue(charge_id=charge_id, staff=agent, reason="still asked")
    assert again.value.code == "refund_in_progress"
    assert len(fake_bot_api.calls("refundStarPayment")) == 1
    # Too recent for the reconciliation: the first request may still be waiting for Telegram.
    assert support_refunds_reconcile() == 0

    assert support_refunds_reconcile(older_than_seconds=0) == 1
    refund.refresh_from_db()
    assert (refund.outcome, refund.attempts) == ("refunded", 2)
    assert refund.completed_at is not None
    assert balance_get(user_id=user.tg_id) == 0
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_a_refund_left_pending_by_a_crash_is_closed_once(make_user, agent, fake_bot_api) -> None:
    """The process died after Telegram refunded and before the outcome was written: the row is
    pending; asking again gets CHARGE_ALREADY_REFUNDED, and the debit happens exactly once."""
    user, charge_id = _paid(make_user, 30)
    SupportRefund.objects.create(
        charge_id=charge_id, staff=agent, reason="crashed", outcome=SupportRefund.Outcome.PENDING
    )
    fake_bot_api.fail_next("refundStarPayment", 400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    assert support_refunds_reconcile(older_than_seconds=0) == 1
    assert SupportRefund.objects.get().outcome == "already_refunded"
    assert balance_get(user_id=user.tg_id) == 0
    assert support_refunds_reconcile(older_than_seconds=0) == 0
    assert LedgerEntry.objects.filter(kind="support_refund").count() == 1
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_slow_telegram_holds_no_transaction_and_spending_meanwhile_becomes_a_debt(
    make_user, agent, fake_bot_api
) -> None:
    user, charge_id = _paid(make_user, 40)
    fake_bot_api.delay("refundStarPayment", 3)
    outcome: list[object] = []

    def refund() -> None:
        try:
            with rls.service():  # as the admin's request runs (RlsMiddleware)
                outcome.append(
                    support_refund_issue(charge_id=charge_id, staff=agent, reason="slow")
                )
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=refund)
    thread.start()
    fake_bot_api.wait_for_call("refundStarPayment")
    # While Telegram thinks, no connection of this database sits in an open transaction …
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        )
        assert cursor.fetchone()[0] == 0
    # … so the player is not blocked either: he spends 25 of the 40 being refunded.
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.ENTRY_FEE, -25, "fee:meanwhile")])
    thread.join(20)
    assert isinstance(outcome[0], SupportRefund), outcome
    assert outcome[0].outcome == "refunded"
    assert balance_get(user_id=user.tg_id) == 0
    assert StarDebt.objects.get(charge_id=charge_id).amount == 25
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_of_one_charge_call_telegram_once(
    make_user, agent, fake_bot_api
) -> None:
    user, charge_id = _paid(make_user, 60)
    fake_bot_api.delay("refundStarPayment", 1)
    barrier = threading.Barrier(6)
    results: list[object] = []

    def click() -> None:
        try:
            barrier.wait(10)
            with rls.service():  # as the admin's request runs (RlsMiddleware)
                results.append(
                    support_refund_issue(charge_id=charge_id, staff=agent, reason="race")
                )
        except ApplicationError as exc:
            results.append(exc.code)
        except BaseException as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    refunds = [r for r in results if isinstance(r, SupportRefund)]
    assert len(refunds) == 1, results
    others = [r for r in results if not isinstance(r, SupportRefund)]
    assert len(others) == 5, results
    assert set(others) <= {"refund_in_progress", "charge_already_refunded"}, results
    assert len(fake_bot_api.calls("refundStarPayment")) == 1
    assert balance_get(user_id=user.tg_id) == 0
    assert LedgerEntry.objects.filter(kind="support_refund").count() == 1
    assert ledger_mismatches() == []
