"""Every list that pages (chancetap/api/pagination.py): one default and maximum, bad values a 400
that names the parameter, one envelope, and no COUNT behind a page."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from chancetap.api.pagination import LimitOffsetPagination
from payments.ledger import Posting, ledger_post_in_tx
from payments.models import LedgerEntry

pytestmark = pytest.mark.django_db

PAGED = [
    "/api/v1/payments/ledger",
    "/api/v1/rooms/history",
    "/api/v1/referrals",
    "/api/v1/leaderboards/donations/all-time",
    "/api/v1/leaderboards/donations/week",
]


def page_of(path: str, body: dict) -> dict:
    return body["referrals"] if path == "/api/v1/referrals" else body


def fund(user_id: int, n: int) -> None:
    with transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(user_id, LedgerEntry.Kind.ADJUSTMENT, 1, f"page-{user_id}-{i}")
                for i in range(n)
            ]
        )


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=101", "limit"),
        ("limit=2.5", "limit"),
        ("offset=-1", "offset"),
        ("offset=1000001", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("offset=x", "offset"),
    ],
)
def test_a_bad_limit_or_offset_is_a_400_naming_it(auth_client, path, query, param) -> None:
    client, _ = auth_client()
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["details"]) == [param]


@pytest.mark.parametrize("path", PAGED)
def test_every_list_answers_the_same_envelope(auth_client, path) -> None:
    client, _ = auth_client()
    page = page_of(path, client.get(path).json())
    assert {k: page[k] for k in ("limit", "offset", "has_more")} == {
        "limit": 50,
        "offset": 0,
        "has_more": False,
    }
    assert page["items"] == []
    assert page_of(path, client.get(f"{path}?limit=&offset=").json())["limit"] == 50  # = absent
    page = page_of(path, client.get(f"{path}?limit=100&offset=1000000").json())
    assert (page["limit"], page["offset"], page["items"]) == (100, 1_000_000, [])


def test_the_ledger_pages_newest_first_without_gaps(auth_client) -> None:
    client, user = auth_client()
    fund(user.tg_id, 7)
    newest_first = list(
        LedgerEntry.objects.filter(user_id=user.tg_id)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    seen, more = [], []
    for offset in (0, 3, 6):
        page = client.get(f"/api/v1/payments/ledger?limit=3&offset={offset}").json()
        seen += [e["id"] for e in page["items"]]
        more.append(page["has_more"])
    assert seen == newest_first
    assert more == [True, True, False]


def test_a_page_is_one_query_for_one_row_more_and_never_a_count(make_user) -> None:
    user = make_user()
    fund(user.tg_id, 5)
    request = Request(APIRequestFactory().get("/", {"limit": "2", "offset": "1"}))
    paginator = LimitOffsetPagination()
    with CaptureQueriesContext(connection) as queries:
        rows = paginator.paginate_queryset(
            LedgerEntry.objects.filter(user_id=user.tg_id).order_by("id"), request
        )
    [query] = queries.captured_queries
    assert "COUNT(" not in query["sql"].upper()
    assert "LIMIT 3 OFFSET 1" in query["sql"]
    assert len(rows) == 2
    assert paginator.page(["x"]) == {"items": ["x"], "limit": 2, "offset": 1, "has_more": True}
    request = Request(APIRequestFactory().get("/", {"limit": "2", "offset": "3"}))
    assert len(paginator.paginate_queryset(LedgerEntry.objects.all(), request)) == 2
    assert paginator.has_more is False
