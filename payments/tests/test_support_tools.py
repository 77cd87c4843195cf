"""Support tools (issue #14): balance adjustments and settling held TON transfers — each a service
with a reason and an audit row, a ledger entry with a unique key, refused cases audited too, and
two agents acting at once producing one effect. Real Postgres; the TON API faked on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.db import connections, transaction

from accounts.models import StaffAction
from chancetap import rls
from chancetap.core.errors import ApplicationError
from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry, TonTransfer
from payments.services import balance_adjust
from payments.tests.test_ton_topups import nano, order, poll, toncenter  # noqa: F401 - fixture
from payments.ton_topups import ton_transfer_resolve


@pytest.fixture
def agents(make_user):
    def build(n: int = 1):
        made = [make_user(is_staff=True) for _ in range(n)]
        for agent in made:
            agent.groups.add(Group.objects.get_or_create(name="support")[0])
        return made

    return build


def _fund(user, stars: int) -> None:
    with transaction.atomic():
        ledger_post_in_tx([Posting(user.tg_id, LedgerEntry.Kind.TOPUP, stars, f"seed:{user.pk}")])


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at the same moment, each on its own connection, as two admin requests do."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(10)
            with rls.service():  # as the admin's requests run (RlsMiddleware)
                results[index] = calls[index]()
        except ApplicationError as exc:
            results[index] = exc.code
        except BaseException as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db
def test_a_credit_and_a_debit_are_audited_ledger_entries(make_user, agents) -> None:
    (agent,) = agents()
    player = make_user()
    entry = balance_adjust(
        staff=agent, user_id=player.tg_id, stars=30, reason="outage compensation", key="k1"
    )
    assert (entry.kind, entry.amount, entry.business_key) == ("adjustment", 30, "adjust:k1")
    assert entry.created_by == agent
    # The same form submitted twice applies once.
    balance_adjust(
        staff=agent, user_id=player.tg_id, stars=30, reason="outage compensation", key="k1"
    )
    balance_adjust(staff=agent, user_id=player.tg_id, stars=-10, reason="duplicate", key="k2")
    assert balance_get(user_id=player.tg_id) == 20
    with pytest.raises(ApplicationError) as below:
        balance_adjust(staff=agent, user_id=player.tg_id, stars=-21, reason="too much", key="k3")
    assert below.value.code == "adjustment_below_zero"
    assert balance_get(user_id=player.tg_id) == 20
    log = list(StaffAction.objects.order_by("id").values_list("kind", "stars", "outcome"))
    assert log == [
        ("balance_adjustment", 30, "done"),
        ("balance_adjustment", -10, "done"),
        ("balance_adjustment", -21, "refused"),
    ]
    with pytest.raises(ApplicationError) as no_reason:
        balance_adjust(staff=agent, user_id=player.tg_id, stars=5, reason="  ", key="k4")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(ApplicationError) as typo:
        balance_adjust(staff=agent, user_id=player.tg_id, stars=10**7, reason="typo", key="k5")
    assert typo.value.code == "adjustment_invalid"
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_two_agents_debiting_one_balance_at_once_take_it_once(make_user, agents) -> None:
    first, second = agents(2)
    player = make_user()
    _fund(player, 100)
    results = _race(
        [
            lambda: balance_adjust(
                staff=first, user_id=player.tg_id, stars=-80, reason="fraud", key="a"
            ),
            lambda: balance_adjust(
                staff=second, user_id=player.tg_id, stars=-80, reason="fraud", key="b"
            ),
        ]
    )
    assert sorted(r if isinstance(r, str) else "done" for r in results) == [
        "adjustment_below_zero",
        "done",
    ], results
    assert balance_get(user_id=player.tg_id) == 20
    assert sorted(StaffAction.objects.values_list("outcome", flat=True)) == ["done", "refused"]
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_support_settles_held_transfers(auth_client, toncenter, agents, make_user) -> None:  # noqa: F811
    (agent,) = agents()
    client, player = auth_client()
    underpaid = order(client, stars=10)
    toncenter.add_transfer(underpaid["comment"], nano(4) + 3)
    toncenter.add_transfer("CT-NOSUCHORDER", nano(2))
    assert poll() == 0
    held = TonTransfer.objects.get(topup_id=underpaid["id"])
    stray = TonTransfer.objects.get(comment="CT-NOSUCHORDER")

    settled = ton_transfer_resolve(
        staff=agent, transfer_id=held.pk, credit=True, reason="player asked"
    )
    assert (settled.outcome, settled.resolved_stars, settled.resolved_by) == (
        "support_credited",
        4,
        agent,
    )
    assert balance_get(user_id=player.tg_id) == 4
    with pytest.raises(ApplicationError) as again:
        ton_transfer_resolve(staff=agent, transfer_id=held.pk, credit=True, reason="twice")
    assert again.value.code == "ton_transfer_settled"
    # The rest of the order arrives later: the settled part is not counted a second time.
    toncenter.add_transfer(underpaid["comment"], nano(6))
    assert poll() == 0
    assert balance_get(user_id=player.tg_id) == 4

    with pytest.raises(ApplicationError) as who:
        ton_transfer_resolve(staff=agent, transfer_id=stray.pk, credit=True, reason="found")
    assert who.value.code == "ton_transfer_player_required"
    refund = ton_transfer_resolve(
        staff=agent, transfer_id=stray.pk, credit=False, reason="sent by mistake"
    )
    assert (refund.outcome, refund.resolved_stars) == ("support_refund", None)
    kinds = list(StaffAction.objects.order_by("id").values_list("kind", "outcome"))
    assert kinds == [
        ("ton_transfer_credit", "done"),
        ("ton_transfer_credit", "refused"),
        ("ton_transfer_credit", "refused"),
        ("ton_transfer_refund", "done"),
    ]
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_two_agents_settling_one_transfer_credit_it_once(auth_client, toncenter, agents) -> None:  # noqa: F811
    first, second = agents(2)
    client, player = auth_client()
    topup = order(client, stars=10)
    toncenter.add_transfer(topup["comment"], nano(5))
    assert poll() == 0
    transfer = TonTransfer.objects.get(topup_id=topup["id"])
    results = _race(
        [
            lambda: ton_transfer_resolve(
                staff=first, transfer_id=transfer.pk, credit=True, reason="r"
            ),
            lambda: ton_transfer_resolve(
                staff=second, transfer_id=transfer.pk, credit=True, reason="r"
            ),
        ]
    )
    assert sorted(r if isinstance(r, str) else "done" for r in results) == [
        "done",
        "ton_transfer_settled",
    ], results
    assert balance_get(user_id=player.tg_id) == 5
    assert LedgerEntry.objects.filter(cause_type="ton_transfer").count() == 1
    assert ledger_mismatches() == []
