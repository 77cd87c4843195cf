"""Donations feed the aggregates in the crediting transaction; leaderboards read them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboards.models import DonorTotal, DonorWeekTotal, ReferrerTotal, ReferrerWeekTotal
from leaderboards.services import (
    donation_record_in_tx,
    donation_refund_in_tx,
    leaderboards_rebuild,
)
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry, Payment, RateSettings
from payments.services import star_payment_apply

pytestmark = pytest.mark.django_db
BOARD = "/api/v1/leaderboards/donations/"


def donate(user, tons: str, at: datetime | None = None, charge: str | None = None) -> str:
    charge = charge or uuid.uuid4().hex
    with transaction.atomic():
        donation_record_in_tx(
            charge_id=charge,
            user_id=user.tg_id,
            stars=int(Decimal(tons)) or 1,
            tons=Decimal(tons),
            rate=Decimal(1),
            at=at,
        )
    return charge


def test_paid_donation_updates_every_aggregate(make_user) -> None:
    RateSettings.objects.update_or_create(pk=1, defaults={"manual_rate": Decimal("0.5")})
    referrer = make_user()
    donor = make_user(referrer=referrer)
    payment = Payment.objects.create(user=donor, purpose="donation", stars=100)
    star_payment_apply(
        from_user_id=donor.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=100,
        telegram_payment_charge_id="stxDON" + uuid.uuid4().hex,
    )
    assert DonorTotal.objects.get(user=donor).tons == Decimal(50)
    assert DonorWeekTotal.objects.get(user=donor).tons == Decimal(50)
    assert ReferrerTotal.objects.get(referrer=referrer).tons == Decimal(50)
    assert ReferrerWeekTotal.objects.get(referrer=referrer).tons == Decimal(50)


def test_refund_takes_the_donation_back_out(make_user, fake_bot_api) -> None:
    from django.contrib.auth.models import Group

    from payments.services import support_refund_issue

    referrer = make_user()
    donor = make_user(referrer=referrer)
    staff = make_user(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name="support")[0])
    payment = Payment.objects.create(user=donor, purpose="donation", stars=10)
    charge = "stxREF" + uuid.uuid4().hex
    star_payment_apply(
        from_user_id=donor.tg_id,
        payload=str(payment.id),
        currency="XTR",
        total_amount=10,
        telegram_payment_charge_id=charge,
    )
    assert DonorTotal.objects.get(user=donor).tons == Decimal(10)
    support_refund_issue(charge_id=charge, staff=staff, reason="asked")
    assert DonorTotal.objects.get(user=donor).tons == Decimal(0)
    assert ReferrerTotal.objects.get(referrer=referrer).tons == Decimal(0)
    assert leaderboards_rebuild(fix=False).differences == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(
        st.tuples(
            st.integers(0, 4),  # donor index
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2),
            st.integers(0, 60 * 24 * 20),  # minutes after the start: spans several weeks
            st.booleans(),  # refund it afterwards
        ),
        min_size=1,
        max_size=25,
    )
)
def test_aggregates_equal_a_recomputation(make_user, ops) -> None:
    referrer = make_user()
    donors = [make_user(referrer=referrer if i % 2 else None) for i in range(5)]
    start = datetime(2026, 12, 20, tzinfo=UTC)
    charges = []
    for index, tons, minutes, refund in ops:
        charge = donate(donors[index], str(tons), at=start + timedelta(minutes=minutes))
        if refund:
            charges.append(charge)
    for charge in charges:
        with transaction.atomic():
            assert donation_refund_in_tx(charge_id=charge)
            assert not donation_refund_in_tx(charge_id=charge)
    assert leaderboards_rebuild(fix=False).differences == []


def test_rebuild_reports_and_fixes_drift(make_user) -> None:
    donor = make_user()
    donate(donor, "5")
    DonorTotal.objects.filter(user=donor).update(tons=Decimal(7))
    report = leaderboards_rebuild(fix=True)
    assert len(report.differences) == 1
    assert "stored 7" in report.differences[0]
    assert DonorTotal.objects.get(user=donor).tons == Decimal(5)
    assert leaderboards_rebuild(fix=False).differences == []


def test_all_time_board_ranks_ties_pages_and_me(auth_client, make_user) -> None:
    base = datetime(2026, 5, 1, tzinfo=UTC)
    a, b, c, d = (make_user(first_name=n) for n in "ABCD")
    blocked = make_user(is_blocked=True)
    donate(a, "10", at=base)
    donate(b, "30", at=base)
    donate(c, "10", at=base - timedelta(hours=1))  # reached 10 earlier than A: ranks ahead
    donate(blocked, "1000", at=base)
    client, me = auth_client()
    donate(me, "1", at=base)

    page = client.get(BOARD + "all-time?limit=2").json()
    assert [(r["rank"], r["tg_id"]) for r in page["items"]] == [(1, b.tg_id), (2, c.tg_id)]
    assert page["has_more"] is True
    assert page["items"][0]["tons"] == "30"
    rest = client.get(BOARD + "all-time?limit=2&offset=2").json()
    assert [(r["rank"], r["tg_id"]) for r in rest["items"]] == [(3, a.tg_id), (4, me.tg_id)]
    assert rest["has_more"] is False
    assert page["me"] == {"rank": 4, "tons": "1"}
    assert all(r["tg_id"] != blocked.tg_id for r in page["items"] + rest["items"])
    assert d.tg_id not in [r["tg_id"] for r in page["items"] + rest["items"]]
    outsider, _ = auth_client()
    assert outsider.get(BOARD + "all-time").json()["me"] == {"rank": None, "tons": "0"}


def test_week_board_and_selectable_week(auth_client, make_user) -> None:
    donor = make_user()
    donate(donor, "3", at=datetime(2026, 1, 14, 12, tzinfo=UTC))  # 2026-W03
    client, _ = auth_client()
    old = client.get(BOARD + "week?week_key=2026-W03").json()
    assert old["week_key"] == "2026-W03"
    assert [r["tg_id"] for r in old["items"]] == [donor.tg_id]
    assert client.get(BOARD + "week?week_key=2026-W04").json()["items"] == []


def test_referrals_board(auth_client, make_user) -> None:
    referrer = make_user(first_name="Ref")
    donate(make_user(referrer=referrer), "4")
    donate(make_user(referrer=referrer), "6")
    donate(make_user(), "100")  # no referrer: counts for nobody
    client, _ = auth_client()
    items = client.get(BOARD + "referrals").json()["items"]
    assert [(r["tg_id"], r["tons"]) for r in items] == [(referrer.tg_id, "10")]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("week?week_key=2026-W99", "week_key_invalid"),
        ("week?week_key=bad", "week_key_invalid"),
        ("week?week_key=2026-W033", "validation_error"),
        ("all-time?offset=-1", "validation_error"),
        ("all-time?limit=100000", "validation_error"),
        ("all-time?limit=0", "validation_error"),
        ("all-time?limit=abc", "validation_error"),
    ],
)
def test_bad_queries_are_400(auth_client, query, code) -> None:
    client, _ = auth_client()
    response = client.get(BOARD + query)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


def test_unknown_board_is_404(auth_client) -> None:
    client, _ = auth_client()
    assert client.get(BOARD + "monthly").json()["code"] == "leaderboard_not_found"
    assert client.get("/api/v1/leaderboards/games/yearly").status_code == 404


def test_cached_page_is_invalidated_by_a_donation(
    auth_client, make_user, django_capture_on_commit_callbacks
) -> None:
    client, _ = auth_client()
    donor = make_user()
    assert client.get(BOARD + "all-time").json()["items"] == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        donate(donor, "2")
    assert client.get(BOARD + "all-time").json()["items"] == [], "cached until the commit"
    for callback in callbacks:
        callback()
    assert [r["tg_id"] for r in client.get(BOARD + "all-time").json()["items"]] == [donor.tg_id]


def test_game_leaderboards_from_prizes(auth_client, make_user) -> None:
    winner, runner = make_user(), make_user()
    client, me = auth_client()
    with transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(winner.tg_id, LedgerEntry.Kind.PRIZE, 180, "prize:r1"),
                Posting(me.tg_id, LedgerEntry.Kind.PRIZE, 20, "prize:r3"),
            ]
        )
    # An old prize: the ledger is append-only (no back-dating an entry), so it is written as one.
    LedgerEntry.objects.create(
        user=runner,
        kind=LedgerEntry.Kind.PRIZE,
        amount=90,
        balance_after=90,
        business_key="prize:r2",
        created_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    today = client.get("/api/v1/leaderboards/games/today").json()
    assert [r["tg_id"] for r in today["items"]] == [winner.tg_id, me.tg_id]
    assert today["me"] == {"stars_won": 20, "wins": 1}
    all_time = client.get("/api/v1/leaderboards/games/all-time").json()
    assert [(r["rank"], r["stars_won"]) for r in all_time["items"]] == [(1, 180), (2, 90), (3, 20)]


def test_presets_preview_tons_and_weekly_rank(auth_client, make_user) -> None:
    from payments.models import DonationPreset

    RateSettings.objects.update_or_create(pk=1, defaults={"manual_rate": Decimal("0.1")})
    DonationPreset.objects.all().delete()  # the migration's defaults are replaced
    DonationPreset.objects.create(place=1, title_en="1st place", title_ru="1-е место", stars=1000)
    DonationPreset.objects.create(place=3, title_en="3rd place", title_ru="3-е место", stars=10)
    donate(make_user(), "50")
    client, _ = auth_client(language_code="ru")
    body = client.get("/api/v1/payments/presets").json()
    assert [(p["title"], p["tons"], p["weekly_rank_after"]) for p in body["presets"]] == [
        ("1-е место", "100", 1),
        ("3-е место", "1", 2),
    ]
    assert body["custom"] == {"min_stars": 1, "max_stars": 100000}


def test_every_packages_rank_comes_from_one_scan(make_user, django_assert_num_queries) -> None:
    """The caller's weekly total, then one statement for all packages' ranks (ties rank behind)."""
    from leaderboards.selectors import weekly_ranks_with
    from leaderboards.weeks import week_key_for

    for amount in ("50", "20", "20", "5"):
        donate(make_user(), amount)
    me = make_user()
    donate(me, "3")
    week = week_key_for(datetime.now(UTC))
    extras = [Decimal(0), Decimal(2), Decimal(18), Decimal(100)]
    with django_assert_num_queries(2):
        ranks = weekly_ranks_with(user_id=me.tg_id, extras=extras, week_key=week)
    assert ranks == [5, 5, 2, 1]  # 3, 5 (tied with a 5: behind it), 21, 103
    assert weekly_ranks_with(user_id=me.tg_id, extras=[], week_key=week) == []


def test_a_custom_amount_previews_its_weekly_rank(auth_client, make_user) -> None:
    RateSettings.objects.update_or_create(pk=1, defaults={"manual_rate": Decimal("0.1")})
    donate(make_user(), "50")
    donate(make_user(), "20")
    client, _ = auth_client()
    preview = "/api/v1/payments/presets/preview"
    body = client.get(preview, {"stars": 250}).json()
    assert (body["stars"], body["tons"], body["weekly_rank_after"]) == (250, "25", 2)
    assert client.get(preview, {"stars": 600}).json()["weekly_rank_after"] == 1
    assert client.get(preview, {"stars": 1}).json()["weekly_rank_after"] == 3
    for bad in ({"stars": 0}, {"stars": "x"}, {}, {"stars": 100001}):
        response = client.get(preview, bad)
        assert response.status_code == 400, bad
    too_many = client.get(preview, {"stars": 100001}).json()
    assert (too_many["code"], too_many["details"]) == (
        "amount_out_of_range",
        {"min": 1, "max": 100000},
    )


def test_me_has_stats_referral_and_no_bonus_run(auth_client, make_user) -> None:
    client, me = auth_client()
    donate(me, "7")
    donate(make_user(referrer=me), "3")
    body = client.get("/api/v1/me").json()
    assert body["stats"]["tons_all_time"] == "7"
    assert body["stats"]["tons_week"] == "7"
    assert body["referral"]["code"] == f"ref_{me.tg_id}"
    assert body["referral"]["link"].endswith(f"?startapp=ref_{me.tg_id}")
    assert body["referral"]["referrals_count"] == 0  # created directly, not through a login
    assert body["referral"]["referrals_tons"] == "3"
    assert body["bonus_run"] is None


def test_blocking_hides_from_boards_and_unblocking_restores(auth_client, make_user) -> None:
    from accounts.services import user_set_blocked

    donor = make_user()
    donate(donor, "9")
    client, _ = auth_client()
    assert [r["tg_id"] for r in client.get(BOARD + "all-time").json()["items"]] == [donor.tg_id]
    user_set_blocked(user=donor, blocked=True, reason="fraud")
    assert DonorTotal.objects.get(user=donor).hidden is True
    assert DonorWeekTotal.objects.get(user=donor).hidden is True
    user_set_blocked(user=donor, blocked=False)
    assert DonorTotal.objects.get(user=donor).hidden is False
