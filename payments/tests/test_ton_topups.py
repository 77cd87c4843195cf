"""TON top-ups confirmed through a fake toncenter-compatible API on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone

from payments.ledger import Posting, balance_get, ledger_mismatches, ledger_post_in_tx
from payments.models import LedgerEntry, TonPollCursor, TonTopup, TonTransfer
from payments.tasks import ton_poll_task
from payments.ton_topups import TON_API, ton_topups_poll

pytestmark = pytest.mark.django_db
RECEIVER = "UQCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq5jh"


class FakeToncenter:
    """toncenter v2 ``getTransactions`` for one address: newest first, ``limit`` per page,
    ``lt`` + ``hash`` start at that transaction (inclusive) going to older ones, ``to_lt`` stops
    before a logical time (exclusive). ``requests`` logs every query."""

    def __init__(self) -> None:
        self.transactions: list[dict] = []  # newest first
        self.requests: list[dict] = []
        self.answers: list[list[dict]] = []  # what each request got ([] for a failure)
        self.fail = False
        # Fail the request with this number (1-based) and the retries after it: one call fails.
        self.fail_request: int | None = None
        self.next_lt = 47_000_000_000_000
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                api.requests.append(
                    {"path": parts.path, **query, "key": self.headers.get("X-API-Key")}
                )
                number = len(api.requests)
                failing = api.fail or (
                    api.fail_request is not None
                    and api.fail_request <= number < api.fail_request + TON_API.attempts
                )
                page = [] if failing else api.page(query)
                api.answers.append(page)
                if failing:
                    body, status = b'{"ok": false, "error": "rate limit"}', 429
                else:
                    body, status = json.dumps({"ok": True, "result": page}).encode(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, query: dict[str, str]) -> list[dict]:
        assert query["address"] == RECEIVER
        limit = int(query["limit"])
        assert 1 <= limit <= 100
        txs = list(self.transactions)
        if "lt" in query or "hash" in query:
            ids = [(t["transaction_id"]["lt"], t["transaction_id"]["hash"]) for t in txs]
            txs = txs[ids.index((query["lt"], query["hash"])) :]  # ValueError: no such tx
        if "to_lt" in query:
            txs = [t for t in txs if int(t["transaction_id"]["lt"]) > int(query["to_lt"])]
        return txs[:limit]

    def add(self, in_msg: dict | None, utime: int | None = None) -> str:
        self.next_lt += 1_000 + secrets.randbelow(1_000)
        tx_hash = base64.b64encode(secrets.token_bytes(32)).decode()  # "+", "/" and "="
        self.transactions.insert(
            0,
            {
                "@type": "raw.transaction",
                "utime": utime or int(time.time()),
                "transaction_id": {
                    "@type": "internal.transactionId",
                    "lt": str(self.next_lt),
                    "hash": tx_hash,
                },
                "in_msg": in_msg
                or {"source": "", "destination": RECEIVER, "value": "0", "message": ""},
                "out_msgs": [],
            },
        )
        return tx_hash

    def add_transfer(
        self, comment: str, value_nano: int, sender: str = "EQsender", utime: int | None = None
    ) -> str:
        in_msg = {
            "source": sender,
            "destination": RECEIVER,
            "value": str(value_nano),
            "message": comment,
        }
        return self.add(in_msg, utime)

    def add_dust(self, count: int) -> None:
        """Spam: 1-nanoton transfers with ads or no comment, and our own outgoing transactions."""
        for n in range(count):
            if n % 10 == 9:
                self.add(None)
            else:
                self.add_transfer("" if n % 2 else f"Claim your prize at spam.example/{n}", 1)

    def lt_of(self, tx_hash: str) -> int:
        [tx] = [t for t in self.transactions if t["transaction_id"]["hash"] == tx_hash]
        return int(tx["transaction_id"]["lt"])


@pytest.fixture
def toncenter(settings):
    api = FakeToncenter()
    settings.TON_API_BASE = api.base
    settings.TON_RECEIVER_ADDRESS = RECEIVER
    settings.TON_API_KEY = "ton-key"
    settings.TON_NANO_PER_STAR = 5_000_000
    yield api
    api.server.shutdown()


def order(client, stars=40, key=None):
    response = client.post(
        "/api/v1/payments/ton/topups",
        {"stars": stars},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or f"ton-order-{secrets.token_hex(6)}",
    )
    assert response.status_code == 201, response.content
    return response.json()


def nano(stars: int) -> int:
    return stars * 5_000_000


def poll() -> int:
    """The beat task, as the worker runs it (service claims, API errors logged)."""
    return ton_poll_task.apply().get()


def credits_of(user) -> list[tuple[int, str]]:
    return list(
        LedgerEntry.objects.filter(user=user).order_by("id").values_list("amount", "business_key")
    )


def transfers_of(topup: dict) -> list[tuple[str, int, int]]:
    return list(
        TonTransfer.objects.filter(topup_id=topup["id"])
        .order_by("lt")
        .values_list("outcome", "value_nano", "excess_nano")
    )


def test_transfer_with_the_comment_is_credited_once(
    auth_client, toncenter, django_capture_on_commit_callbacks
) -> None:
    client, user = auth_client()
    topup = order(client, key="ton-order-0001")
    assert topup["amount_nano"] == str(40 * 5_000_000)
    assert topup["address"] == RECEIVER
    assert topup["comment"].startswith("CT-")
    assert topup["payload"]  # a base64 comment cell for TON Connect
    assert (
        client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check").json()["status"]
        == "created"
    )

    toncenter.add_transfer("unrelated", 10**9)
    tx_hash = toncenter.add_transfer(topup["comment"], 40 * 5_000_000)
    cache.clear()  # the per-user check throttle (5 s) has passed
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check")
    assert checked.json()["status"] == "paid"
    assert balance_get(user_id=user.tg_id) == 40
    assert poll() == 0  # seen again: nothing more
    assert balance_get(user_id=user.tg_id) == 40
    assert credits_of(user) == [(40, f"ton:topup:{topup['id']}")]
    assert TonTopup.objects.get(pk=topup["id"]).tx_hash == tx_hash
    assert transfers_of(topup) == [("credited", nano(40), 0)]
    assert TonTransfer.objects.count() == 1  # "unrelated" is not ours: not stored
    assert toncenter.requests[-1]["address"] == RECEIVER
    assert toncenter.requests[-1]["key"] == "ton-key"
    assert ledger_mismatches() == []


def test_paying_transfer_behind_120_newer_dust_transfers_is_credited(
    auth_client, toncenter
) -> None:
    client, user = auth_client()
    topup = order(client, stars=7)
    toncenter.add_dust(30)
    assert poll() == 0  # the cursor now stands at the newest transaction
    cursor = TonPollCursor.objects.get(pk=RECEIVER)
    assert cursor.lt == int(toncenter.transactions[0]["transaction_id"]["lt"])
    seen = len(toncenter.requests)

    paying = toncenter.add_transfer(topup["comment"], nano(7))
    toncenter.add_dust(120)
    assert poll() == 1

    assert balance_get(user_id=user.tg_id) == 7
    assert transfers_of(topup) == [("credited", nano(7), 0)]
    assert TonTransfer.objects.count() == 1  # the dust is not stored
    pages, answers = toncenter.requests[seen:], toncenter.answers[seen:]
    assert len(pages) == 3  # 50 + 50 + 22 transactions back to the cursor
    assert "lt" not in pages[0]  # from the newest
    for (_, before), (page, _) in pairwise(zip(pages, answers, strict=True)):
        # each page starts at the last transaction of the one before (inclusive, skipped)
        assert page["to_lt"] == str(cursor.lt)
        assert (page["lt"], page["hash"]) == (
            before[-1]["transaction_id"]["lt"],
            before[-1]["transaction_id"]["hash"],
        )
    cursor.refresh_from_db()
    assert cursor.lt == int(toncenter.transactions[0]["transaction_id"]["lt"])
    assert cursor.resume_lt is None
    assert toncenter.lt_of(paying) < cursor.lt
    assert ledger_mismatches() == []


def test_underpaid_by_one_nanoton_is_held_with_its_amount(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client, stars=10)
    toncenter.add_transfer(topup["comment"], nano(10) - 1, sender="EQpayer")
    assert poll() == 0
    assert balance_get(user_id=user.tg_id) == 0
    record = TonTransfer.objects.get(topup_id=topup["id"])
    assert (record.outcome, record.value_nano, record.user_id, record.sender) == (
        "underpaid",
        nano(10) - 1,
        user.tg_id,
        "EQpayer",
    )
    row = TonTopup.objects.get(pk=topup["id"])
    assert (row.status, row.received_nano) == ("created", nano(10) - 1)
    assert poll() == 0  # read again: still one record, still not credited
    assert TonTransfer.objects.count() == 1
    assert credits_of(user) == []
    assert ledger_mismatches() == []


def test_a_second_transfer_completes_an_underpaid_order_and_credits_once(
    auth_client, toncenter, django_capture_on_commit_callbacks
) -> None:
    client, user = auth_client()
    topup = order(client, stars=10)
    toncenter.add_transfer(topup["comment"], nano(4))
    assert poll() == 0
    toncenter.add_transfer(topup["comment"].lower(), nano(6))  # typed by hand, in lower case
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert poll() == 1
    assert callbacks  # the player's sockets hear about it after the commit
    assert transfers_of(topup) == [("accumulated", nano(4), 0), ("credited", nano(6), 0)]
    row = TonTopup.objects.get(pk=topup["id"])
    assert (row.status, row.received_nano) == ("paid", nano(10))
    assert credits_of(user) == [(10, f"ton:topup:{topup['id']}")]
    assert poll() == 0
    assert balance_get(user_id=user.tg_id) == 10
    assert ledger_mismatches() == []


def test_overpaid_is_credited_with_the_excess_recorded(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client, stars=5)
    toncenter.add_transfer(topup["comment"], nano(2))
    toncenter.add_transfer(topup["comment"], nano(4) + 17)
    assert poll() == 1
    assert transfers_of(topup) == [
        ("accumulated", nano(2), 0),
        ("overpaid", nano(4) + 17, nano(1) + 17),
    ]
    assert credits_of(user) == [(5, f"ton:topup:{topup['id']}")]
    assert TonTopup.objects.get(pk=topup["id"]).received_nano == nano(6) + 17
    assert ledger_mismatches() == []


def test_a_second_payment_of_a_paid_order_is_held_as_duplicate(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client, stars=3)
    toncenter.add_transfer(topup["comment"], nano(3))
    toncenter.add_transfer(topup["comment"], nano(3))
    assert poll() == 1
    toncenter.add_transfer(topup["comment"], nano(3))
    assert poll() == 0
    assert transfers_of(topup) == [
        ("credited", nano(3), 0),
        ("duplicate", nano(3), 0),
        ("duplicate", nano(3), 0),
    ]
    assert balance_get(user_id=user.tg_id) == 3
    assert credits_of(user) == [(3, f"ton:topup:{topup['id']}")]
    assert ledger_mismatches() == []


def test_an_order_comment_of_no_order_is_recorded_unmatched(auth_client, toncenter) -> None:
    toncenter.add_transfer("CT-NOSUCHORDER", 123)
    toncenter.add_transfer("not ours", 10**9)
    assert poll() == 0
    [record] = TonTransfer.objects.all()
    assert (record.outcome, record.comment, record.value_nano) == (
        "unmatched",
        "CT-NOSUCHORDER",
        123,
    )
    assert (record.topup_id, record.user_id) == (None, None)


def test_late_transfer_for_an_expired_order_is_still_credited(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client, stars=3)
    TonTopup.objects.filter(pk=topup["id"]).update(expires_at=timezone.now())
    poll()
    assert TonTopup.objects.get(pk=topup["id"]).status == "expired"
    toncenter.add_transfer(topup["comment"], 3 * 5_000_000)
    assert poll() == 1
    assert balance_get(user_id=user.tg_id) == 3
    # An order that expired more than 30 days ago: the money is held for support.
    old = order(client, stars=2)
    TonTopup.objects.filter(pk=old["id"]).update(
        created_at=timezone.now() - timedelta(days=31), status="expired"
    )
    toncenter.add_transfer(old["comment"], nano(2))
    assert poll() == 0
    assert transfers_of(old) == [("late", nano(2), 0)]
    assert balance_get(user_id=user.tg_id) == 3
    assert ledger_mismatches() == []


def test_the_cursor_survives_a_restart(auth_client, toncenter) -> None:
    client, user = auth_client()
    first, second = order(client, stars=2), order(client, stars=3)
    toncenter.add_dust(70)
    toncenter.add_transfer(first["comment"], nano(2))
    assert poll() == 1
    cursor_lt = TonPollCursor.objects.get(pk=RECEIVER).lt
    assert cursor_lt == int(toncenter.transactions[0]["transaction_id"]["lt"])

    # A restart: the poller keeps nothing in the process (no module state); the cache goes too.
    cache.clear()
    seen = len(toncenter.requests)
    toncenter.add_transfer(second["comment"], nano(3))
    toncenter.add_dust(5)
    assert poll() == 1
    [request] = toncenter.requests[seen:]  # one page: nothing older than the cursor is asked for
    assert request["to_lt"] == str(cursor_lt)
    assert "lt" not in request
    assert balance_get(user_id=user.tg_id) == 5
    assert TonPollCursor.objects.get(pk=RECEIVER).lt == int(
        toncenter.transactions[0]["transaction_id"]["lt"]
    )
    assert ledger_mismatches() == []


def test_api_failing_on_page_2_resumes_and_credits_everything_once(auth_client, toncenter) -> None:
    client, user = auth_client()
    older, newer = order(client, stars=4), order(client, stars=6)
    assert poll() == 0
    cursor_lt = TonPollCursor.objects.get(pk=RECEIVER).lt
    toncenter.add_transfer(older["comment"], nano(4))
    toncenter.add_dust(60)
    toncenter.add_transfer(newer["comment"], nano(6))
    top_lt = int(toncenter.transactions[0]["transaction_id"]["lt"])

    toncenter.fail_request = len(toncenter.requests) + 2
    assert poll() == 0  # the error is logged; page 1 is recorded
    cursor = TonPollCursor.objects.get(pk=RECEIVER)
    assert cursor.lt == cursor_lt  # not advanced past what was not read
    oldest_read = toncenter.transactions[49]["transaction_id"]
    assert (cursor.resume_lt, cursor.resume_hash) == (int(oldest_read["lt"]), oldest_read["hash"])
    assert cursor.scan_top_lt == top_lt
    assert transfers_of(newer) == [("credited", nano(6), 0)]
    assert transfers_of(older) == []

    seen = len(toncenter.requests)
    assert poll() == 1  # goes on from where it stopped
    assert toncenter.requests[seen]["lt"] == oldest_read["lt"]
    assert toncenter.requests[seen]["hash"] == oldest_read["hash"]
    assert transfers_of(older) == [("credited", nano(4), 0)]
    cursor.refresh_from_db()
    assert (cursor.lt, cursor.resume_lt, cursor.scan_top_lt) == (top_lt, None, None)
    assert poll() == 0
    assert balance_get(user_id=user.tg_id) == 10
    assert sorted(credits_of(user)) == sorted(
        [(4, f"ton:topup:{older['id']}"), (6, f"ton:topup:{newer['id']}")]
    )
    assert ledger_mismatches() == []


def test_a_crash_before_the_cursor_moves_replays_without_crediting_twice(
    auth_client, toncenter
) -> None:
    client, user = auth_client()
    topup = order(client, stars=8)
    toncenter.add_transfer(topup["comment"], nano(3))
    toncenter.add_transfer(topup["comment"], nano(5))
    toncenter.add_transfer(topup["comment"], nano(8))
    assert poll() == 1
    # The process died after recording the transfers and before saving the cursor.
    TonPollCursor.objects.all().delete()
    assert poll() == 0
    assert transfers_of(topup) == [
        ("accumulated", nano(3), 0),
        ("credited", nano(5), 0),
        ("duplicate", nano(8), 0),
    ]
    assert balance_get(user_id=user.tg_id) == 8
    assert ledger_mismatches() == []


def test_the_page_cap_leaves_a_resume_point_and_nothing_is_skipped(
    auth_client, toncenter, settings
) -> None:
    settings.TON_POLL_MAX_PAGES = 1
    client, user = auth_client()
    first, second = order(client, stars=2), order(client, stars=3)
    assert poll() == 0
    toncenter.add_transfer(first["comment"], nano(2))
    toncenter.add_dust(120)
    top_lt = int(toncenter.transactions[0]["transaction_id"]["lt"])
    assert poll() == 0  # newest 50
    toncenter.add_transfer(second["comment"], nano(3))  # arrives while the backlog is read
    assert poll() == 0  # next 49 (the page starts with the one read last)
    cursor = TonPollCursor.objects.get(pk=RECEIVER)
    assert (cursor.scan_top_lt, cursor.resume_lt is not None) == (top_lt, True)
    assert poll() == 1  # the rest of the backlog, down to the cursor: the first order
    cursor.refresh_from_db()
    assert (cursor.lt, cursor.resume_lt) == (top_lt, None)
    assert poll() == 1  # from the newest again: the second order
    assert balance_get(user_id=user.tg_id) == 5
    assert transfers_of(first) == [("credited", nano(2), 0)]
    assert transfers_of(second) == [("credited", nano(3), 0)]
    assert ledger_mismatches() == []


def test_the_first_scan_goes_back_to_the_oldest_open_order_only(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client, stars=2)
    a_day_ago = int(time.time()) - 86_400
    for n in range(200):
        toncenter.add_transfer(f"CT-OLD{n:04d}", 1, utime=a_day_ago)  # before any open order
    toncenter.add_transfer(topup["comment"], nano(2))
    assert poll() == 1
    assert len(toncenter.requests) == 1  # stopped at the first transaction older than the order
    assert TonTransfer.objects.count() == 1
    assert TonPollCursor.objects.get(pk=RECEIVER).lt == toncenter.lt_of(
        toncenter.transactions[0]["transaction_id"]["hash"]
    )
    assert balance_get(user_id=user.tg_id) == 2


def test_api_down_is_reported_and_changes_nothing(auth_client, toncenter) -> None:
    client, user = auth_client()
    topup = order(client)
    toncenter.add_transfer(topup["comment"], nano(40))
    toncenter.fail = True
    response = client.post(f"/api/v1/payments/ton/topups/{topup['id']}/check")
    assert (response.status_code, response.json()["code"]) == (502, "ton_api_unavailable")
    assert poll() == 0
    assert balance_get(user_id=user.tg_id) == 0
    assert TonPollCursor.objects.get(pk=RECEIVER).lt == 0
    toncenter.fail = False
    assert poll() == 1


def test_orders_are_private_and_validated(auth_client, toncenter, settings) -> None:
    client, _ = auth_client()
    topup = order(client, key="ton-order-0001")
    other, _ = auth_client()
    assert other.get(f"/api/v1/payments/ton/topups/{topup['id']}").status_code == 404
    assert order(client, key="ton-order-0001") == topup  # replay
    bad = client.post(
        "/api/v1/payments/ton/topups", {"stars": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k-000001"
    )
    assert bad.json()["code"] == "validation_error"
    settings.TON_RECEIVER_ADDRESS = ""
    off = client.post(
        "/api/v1/payments/ton/topups", {"stars": 5}, format="json", HTTP_IDEMPOTENCY_KEY="k-000002"
    )
    assert (off.status_code, off.json()["code"]) == (503, "ton_unavailable")


@pytest.mark.django_db(transaction=True)
def test_two_polls_at_the_same_time_credit_each_order_once(make_user, toncenter) -> None:
    users = [make_user() for _ in range(3)]
    topups = [
        TonTopup.objects.create(
            user=user,
            stars=5,
            amount_nano=nano(5),
            comment=f"CT-RACE{n:06d}",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        for n, user in enumerate(users)
    ]
    for topup in topups:  # each paid in two halves, then once more
        toncenter.add_transfer(topup.comment, nano(2))
        toncenter.add_dust(20)
        toncenter.add_transfer(topup.comment, nano(3))
        toncenter.add_transfer(topup.comment, nano(5))
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(2):
                results.append(ton_topups_poll())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 3
    for topup, user in zip(topups, users, strict=True):
        assert balance_get(user_id=user.tg_id) == 5
        assert credits_of(user) == [(5, f"ton:topup:{topup.id}")]
        assert sorted(o for o, *_ in transfers_of({"id": topup.id})) == [
            "accumulated",
            "credited",
            "duplicate",
        ]
    assert TonTransfer.objects.count() == 9
    assert ledger_mismatches() == []


def test_support_sees_held_transfers_in_the_admin(
    auth_client, toncenter, client, make_user
) -> None:
    player_client, player = auth_client()
    topup = order(player_client, stars=10)
    underpaid = toncenter.add_transfer(topup["comment"], nano(10) - 1)
    toncenter.add_transfer("CT-NOSUCHORDER", 5)
    assert poll() == 0
    client.force_login(make_user(is_staff=True, is_superuser=True))

    held = client.get("/admin/payments/tontransfer/", {"outcome__exact": "underpaid"})
    assert held.status_code == 200
    assert topup["comment"] in held.content.decode()
    assert "CT-NOSUCHORDER" not in held.content.decode()
    found = client.get("/admin/payments/tontransfer/", {"q": str(player.tg_id)})
    assert topup["comment"] in found.content.decode()
    assert "CT-NOSUCHORDER" not in found.content.decode()
    page = client.get(f"/admin/payments/tontopup/{topup['id']}/change/")
    assert page.status_code == 200
    assert underpaid in page.content.decode()  # the inline shows the held transfer
    record = TonTransfer.objects.get(topup_id=topup["id"])
    assert client.get(f"/admin/payments/tontransfer/{record.pk}/delete/").status_code == 403


def test_an_order_paid_before_transfers_were_recorded_is_not_held_or_credited_again(
    auth_client, toncenter
) -> None:
    client, user = auth_client()
    topup = order(client, stars=4)
    order(client, stars=1)  # still open: the first scan reads back to before both orders
    paid_hash = toncenter.add_transfer(topup["comment"], nano(4))
    # As the poller before migration 0004 left it: paid, credited under the per-transfer key.
    with transaction.atomic():
        ledger_post_in_tx(
            [
                Posting(
                    user_id=user.tg_id,
                    kind=LedgerEntry.Kind.TOPUP,
                    amount=4,
                    business_key=f"ton:{paid_hash}",
                    cause_type="ton_topup",
                    cause_id=topup["id"],
                )
            ]
        )
        TonTopup.objects.filter(pk=topup["id"]).update(
            status="paid", tx_hash=paid_hash, received_nano=nano(4), paid_at=timezone.now()
        )
    toncenter.add_transfer(topup["comment"], nano(4))  # and a real second payment
    assert poll() == 0
    assert transfers_of(topup) == [("credited", nano(4), 0), ("duplicate", nano(4), 0)]
    assert credits_of(user) == [(4, f"ton:{paid_hash}")]
    assert ledger_mismatches() == []


def test_a_replayed_order_says_so_and_orders_once(auth_client, toncenter) -> None:
    client, user = auth_client()

    def post(stars: int):
        return client.post(
            "/api/v1/payments/ton/topups",
            {"stars": stars},
            format="json",
            HTTP_IDEMPOTENCY_KEY="ton-replay-0001",
        )

    first, replay = post(40), post(40)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert TonTopup.objects.filter(user=user).count() == 1
    mismatch = post(41)
    assert (mismatch.status_code, mismatch.json()["code"]) == (422, "idempotency_key_mismatch")
