"""The ledger is append-only in PostgreSQL, and ``ledger_check`` proves conservation: per room
that is over and per Stars charge, no Star created or lost."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from chancetap.rls.tests.rls_app_role import app_role
from payments.ledger import ConservationMismatch, Posting, ledger_mismatches, ledger_post_in_tx
from payments.models import Balance, LedgerEntry, Payment, StarCharge
from payments.services import star_payment_apply
from rooms.models import Room, RoomTier
from rooms.services import room_advance, room_join_tier
from rooms.taps import taps_record

K = LedgerEntry.Kind


def seed(user, stars: int) -> LedgerEntry:
    with transaction.atomic():
        result = ledger_post_in_tx([Posting(user.tg_id, K.TOPUP, stars, f"seed:{user.tg_id}")])
    return result.entries[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entries SET amount = amount + 1000 WHERE id = %s",
        "DELETE FROM ledger_entries WHERE id = %s",
    ],
)
def test_the_app_role_cannot_update_or_delete_an_entry(make_user, sql) -> None:
    entry = seed(make_user(), 50)
    with (
        app_role(),
        pytest.raises(DatabaseError, match="permission denied for table ledger_entries"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 50


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entries SET memo = 'edited' WHERE id = %s",
        "DELETE FROM ledger_entries WHERE id = %s",
    ],
)
def test_not_even_the_owner_edits_the_ledger(make_user, sql) -> None:
    """The trigger binds every role, the tables' owner (who migrates) included."""
    entry = seed(make_user(), 50)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'ledger_entries'")
        (owner,) = cursor.fetchone()
    with (
        app_role(owner),  # also under the rls_app_role plugin, which runs tests as chancetap_app
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).memo == ""


def finished_room(make_user) -> Room:
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    players = [make_user() for _ in range(3)]
    for user in players:
        seed(user, 100)
        room_join_tier(user=user, tier_id=tier.pk)
    room = Room.objects.get()
    assert room_advance(room_id=room.pk, now=room.deadline_at) == "countdown"
    room.refresh_from_db()
    assert room_advance(room_id=room.pk, now=room.started_at) == "playing"
    taps_record(room.pk, players[0].tg_id, 5, 10_001, limit=10**9, target=0)
    assert room_advance(room_id=room.pk, now=room.ends_at) == "finished"
    room.refresh_from_db()
    return room


@pytest.mark.django_db(transaction=True)
def test_a_clean_history_reports_nothing(make_user, capsys) -> None:
    finished_room(make_user)
    payment = Payment.objects.create(user=make_user(), purpose="topup", stars=40)
    star_payment_apply(
        from_user_id=payment.user_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=40,
        telegram_payment_charge_id="stx" + uuid.uuid4().hex * 4,  # hashed into its key
    )
    assert ledger_mismatches() == []
    call_command("ledger_check")
    assert "conserve Stars" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_an_extra_prize_inserted_by_sql_is_reported(make_user) -> None:
    room = finished_room(make_user)
    assert ledger_mismatches() == []
    with transaction.atomic(), connection.cursor() as cursor:
        # The forger keeps the cached balance in step, so only conservation can see it.
        cursor.execute(
            "UPDATE balances SET stars = stars + 500 WHERE user_id = %s RETURNING stars",
            [room.winner_id],
        )
        (after,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_entries (user_id, kind, amount, balance_after, business_key,"
            " cause_type, cause_id, memo, created_at) VALUES (%s, 'prize', 500, %s, %s, 'room',"
            " %s, '', now())",
            [room.winner_id, after, f"prize:room:{room.pk}:again", str(room.pk)],
        )
    problems = ledger_mismatches()
    assert problems == [
        ConservationMismatch(
            subject=f"room {room.pk} (finished)",
            expected=60,
            actual=560,
            detail="fees != prize + organizer + house + refunds (560 + 0 + 0 + 0)",
        )
    ]
    with pytest.raises(Exception, match="1 mismatch"):
        call_command("ledger_check")


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_room_that_kept_a_fee_is_reported(make_user) -> None:
    tier = RoomTier.objects.get_or_create(stars=20)[0]
    user = make_user()
    seed(user, 100)
    room_join_tier(user=user, tier_id=tier.pk)
    room = Room.objects.get()
    with transaction.atomic():  # the refund goes missing: a cancelled room without it
        Room.objects.filter(pk=room.pk).update(phase="cancelled")
    [problem] = ledger_mismatches()
    assert isinstance(problem, ConservationMismatch)
    assert problem.subject == f"room {room.pk} (cancelled)"
    assert (problem.expected, problem.actual) == (20, 0)


@pytest.mark.django_db(transaction=True)
def test_a_refund_that_took_nothing_back_is_reported(make_user) -> None:
    user = make_user()
    payment = Payment.objects.create(user=user, purpose="topup", stars=40)
    star_payment_apply(
        from_user_id=user.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=40,
        telegram_payment_charge_id="stx-refund-1",
    )
    StarCharge.objects.filter(pk="stx-refund-1").update(refunded_at=payment.created_at)
    [problem] = ledger_mismatches()
    assert isinstance(problem, ConservationMismatch)
    assert problem.subject == "star charge stx-refund-1"
    assert (problem.expected, problem.actual) == (0, 40)
    assert Balance.objects.get(user=user).stars == 40
