"""The ledger under concurrency on real PostgreSQL: no Star lost or doubled, never below zero."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction

from payments.ledger import (
    InsufficientBalanceError,
    Posting,
    balance_get,
    balance_mismatches,
    ledger_mismatches,
    ledger_post_in_tx,
)
from payments.models import Balance, LedgerEntry

K = LedgerEntry.Kind


def post(*postings: Posting):
    with transaction.atomic():
        return ledger_post_in_tx(list(postings))


def run_threads(n: int, target: Callable[[int], None]) -> None:
    barrier = threading.Barrier(n)

    def wrapped(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.django_db
def test_credit_debit_and_balance(make_user) -> None:
    user = make_user()
    post(Posting(user.tg_id, K.TOPUP, 100, "t:1"))
    post(Posting(user.tg_id, K.ENTRY_FEE, -30, "fee:1"))
    assert balance_get(user_id=user.tg_id) == 70
    entries = list(LedgerEntry.objects.filter(user=user).order_by("id"))
    assert [(e.amount, e.balance_after) for e in entries] == [(100, 100), (-30, 70)]
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_replayed_business_key_changes_nothing(make_user) -> None:
    user = make_user()
    first = post(Posting(user.tg_id, K.TOPUP, 50, "charge:abc"))
    again = post(Posting(user.tg_id, K.TOPUP, 50, "charge:abc"))
    assert first.applied
    assert not again.applied
    assert again.entries[0].pk == first.entries[0].pk
    assert balance_get(user_id=user.tg_id) == 50


@pytest.mark.django_db
def test_debit_below_zero_is_refused_and_rolls_back(make_user) -> None:
    user = make_user()
    post(Posting(user.tg_id, K.TOPUP, 10, "t:1"))
    with pytest.raises(InsufficientBalanceError) as info:
        post(Posting(user.tg_id, K.ENTRY_FEE, -11, "fee:1"))
    assert info.value.details == {"needed": 11, "available": 10, "shortfall": 1}
    assert info.value.status == 402
    assert balance_get(user_id=user.tg_id) == 10
    assert not LedgerEntry.objects.filter(business_key="fee:1").exists()


@pytest.mark.django_db
def test_multi_posting_is_all_or_nothing(make_user) -> None:
    a, b = make_user(), make_user()
    post(Posting(a.tg_id, K.TOPUP, 5, "t:a"))
    with pytest.raises(InsufficientBalanceError):
        post(
            Posting(b.tg_id, K.PRIZE, 100, "prize:1"),
            Posting(a.tg_id, K.ENTRY_FEE, -6, "fee:a"),
        )
    assert balance_get(user_id=b.tg_id) == 0
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_negative_balance_and_zero_amounts(make_user) -> None:
    user = make_user()
    post(Posting(user.tg_id, K.TOPUP, 1, "t:1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(user=user).update(stars=-1)
    with pytest.raises(ValueError, match="at least one Star"):
        post(Posting(user.tg_id, K.ADJUSTMENT, 0, "zero"))


@pytest.mark.django_db
def test_ledger_check_reports_a_tampered_balance(make_user, capsys) -> None:
    user = make_user()
    post(Posting(user.tg_id, K.TOPUP, 20, "t:1"))
    call_command("ledger_check")
    Balance.objects.filter(user=user).update(stars=25)
    problems = balance_mismatches()
    assert [(p.user_id, p.cached, p.entries_sum) for p in problems] == [(user.tg_id, 25, 20)]
    assert ledger_mismatches() == problems
    with pytest.raises(Exception, match="1 mismatch"):
        call_command("ledger_check")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_debits_against_a_balance_for_three(make_user) -> None:
    user = make_user()
    post(Posting(user.tg_id, K.TOPUP, 60, "t:1"))
    outcomes: list[str] = []

    def debit(i: int) -> None:
        try:
            post(Posting(user.tg_id, K.ENTRY_FEE, -20, f"fee:{i}"))
            outcomes.append("ok")
        except InsufficientBalanceError:
            outcomes.append("short")

    run_threads(20, debit)
    assert outcomes.count("ok") == 3
    assert outcomes.count("short") == 17
    assert balance_get(user_id=user.tg_id) == 0
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_same_business_key_from_many_threads_applies_once(make_user) -> None:
    user = make_user()
    applied: list[bool] = []

    def credit(_: int) -> None:
        applied.append(post(Posting(user.tg_id, K.TOPUP, 7, "charge:same")).applied)

    run_threads(12, credit)
    assert applied.count(True) == 1
    assert balance_get(user_id=user.tg_id) == 7
    assert LedgerEntry.objects.filter(business_key="charge:same").count() == 1


@pytest.mark.django_db(transaction=True)
def test_transfers_in_both_directions_do_not_deadlock(make_user) -> None:
    a, b = make_user(), make_user()
    post(Posting(a.tg_id, K.TOPUP, 1000, "t:a"), Posting(b.tg_id, K.TOPUP, 1000, "t:b"))

    def transfer(i: int) -> None:
        src, dst = (a, b) if i % 2 else (b, a)
        post(
            Posting(src.tg_id, K.ADJUSTMENT, -1, f"x:{i}:out"),
            Posting(dst.tg_id, K.ADJUSTMENT, 1, f"x:{i}:in"),
        )

    run_threads(16, transfer)
    assert balance_get(user_id=a.tg_id) + balance_get(user_id=b.tg_id) == 2000
    assert LedgerEntry.objects.count() == 2 + 32
    assert ledger_mismatches() == []
