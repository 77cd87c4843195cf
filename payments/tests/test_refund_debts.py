"""Issue #12 item 8: a refund of Stars the player already spent leaves a debt, and later credits
settle it before they reach the balance — a seat paid with refunded Stars cannot be turned back
into Stars by leaving the room. Real Postgres, real room services and REST."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import Balance, LedgerEntry, Payment, StarDebt
from payments.services import star_payment_apply, star_refund_record
from payments.tests.test_charges import charge_fields, long_charge_id
from rooms.models import RoomTier
from rooms.tests.test_rooms import client_for, join_tier


def _top_up(user, stars: int) -> str:
    payment = Payment.objects.create(user=user, purpose="topup", stars=stars)
    charge_id = long_charge_id()
    assert star_payment_apply(**charge_fields(payment, charge_id)).applied
    return charge_id


def _credit(user, stars: int, key: str) -> list[LedgerEntry]:
    with transaction.atomic():
        return ledger_post_in_tx(
            [Posting(user.tg_id, LedgerEntry.Kind.ADJUSTMENT, stars, key)]
        ).entries


def _debt(user) -> int:
    return int(Balance.objects.get(pk=user.tg_id).debt)


@pytest.mark.django_db
def test_refund_of_spent_stars_records_a_debt_that_credits_settle_first(make_user) -> None:
    user = make_user()
    charge_id = _top_up(user, 100)
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.ENTRY_FEE, -80, "fee:spent")])

    assert star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id)
    assert balance_get(user_id=user.tg_id) == 0  # the 20 left were taken back …
    debt = StarDebt.objects.get(charge_id=charge_id)
    assert (debt.amount, debt.settled, _debt(user)) == (80, 0, 80)  # … and 80 are owed
    assert ledger_mismatches() == []

    entries = _credit(user, 50, "prize:a")  # a credit pays the debt first
    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        ("adjustment", 50, 50),
        ("debt_settlement", -50, 0),
    ]
    assert (balance_get(user_id=user.tg_id), _debt(user)) == (0, 30)
    _credit(user, 45, "prize:b")
    assert (balance_get(user_id=user.tg_id), _debt(user)) == (15, 0)
    debt.refresh_from_db()
    assert (debt.settled, debt.settled_at is not None) == (80, True)
    _credit(user, 5, "prize:c")  # once settled, credits reach the balance again
    assert balance_get(user_id=user.tg_id) == 20
    # A second refunded_payment for the same charge changes nothing.
    assert not star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id)
    assert StarDebt.objects.count() == 1
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_leaving_a_room_paid_with_refunded_stars_pays_the_debt(make_user) -> None:
    """The attack of the issue: top up, take a seat, get the Stars refunded, leave the room."""
    user = make_user()
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    charge_id = _top_up(user, 20)
    room_id = join_tier(user, tier).json()["id"]
    assert balance_get(user_id=user.tg_id) == 0
    assert star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id)
    assert _debt(user) == 20
    assert client_for(user).get("/api/v1/me").json()["debt"] == 20  # the player sees why

    response = client_for(user).post(f"/api/v1/rooms/{room_id}/leave")
    assert response.status_code == 200
    assert balance_get(user_id=user.tg_id) == 0  # the fee came back and paid the debt
    assert _debt(user) == 0
    kinds = list(
        LedgerEntry.objects.filter(user_id=user.tg_id).order_by("id").values_list("kind", "amount")
    )
    assert kinds[-2:] == [("room_refund", 20), ("debt_settlement", -20)]
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_two_debts_are_settled_oldest_first(make_user) -> None:
    user = make_user()
    first, second = _top_up(user, 10), _top_up(user, 30)
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.ENTRY_FEE, -40, "fee:all")])
    star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=second)
    star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=first)
    assert _debt(user) == 40
    _credit(user, 35, "prize:x")
    older = StarDebt.objects.get(charge_id=second)
    newer = StarDebt.objects.get(charge_id=first)
    assert (older.settled, newer.settled) == (30, 5)
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_credits_settle_the_debt_exactly_once(make_user) -> None:
    """Eight credits of 10 race against a debt of 50 (real Postgres, one connection each): 50 are
    settled, 30 reach the balance, never more or less."""
    user = make_user()
    charge_id = _top_up(user, 50)
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.ENTRY_FEE, -50, "fee:race")])
    star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def credit(n: int) -> None:
        try:
            barrier.wait(10)
            _credit(user, 10, f"race:{n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=credit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert (balance_get(user_id=user.tg_id), _debt(user)) == (30, 0)
    assert StarDebt.objects.get().settled == 50
    assert LedgerEntry.objects.filter(kind="debt_settlement").count() == 5
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_ledger_check_catches_a_debt_that_does_not_add_up(make_user) -> None:
    """The check has teeth: a debt marked settled without its entries is reported."""
    user = make_user()
    charge_id = _top_up(user, 10)
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.ENTRY_FEE, -10, "fee:t")])
    star_refund_record(from_user_id=user.tg_id, telegram_payment_charge_id=charge_id)
    StarDebt.objects.filter(charge_id=charge_id).update(settled=4)
    problems = [str(p) for p in ledger_mismatches()]
    assert any("star debt" in p for p in problems), problems
    assert any("balance debt differs" in p for p in problems), problems
