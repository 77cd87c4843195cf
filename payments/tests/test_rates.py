"""The rate provider against a real HTTP server on 127.0.0.1; rounding with exact Decimals."""

from __future__ import annotations

import json
import logging
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from payments.models import RateSettings, RateSnapshot
from payments.rates import RateSourceError, rate_get, rate_refresh, tons_for_stars
from payments.tasks import refresh_rate_task

pytestmark = pytest.mark.django_db


class RateSource:
    """Serves ``body`` (JSON text) and counts requests."""

    def __init__(self) -> None:
        self.body = json.dumps({"data": [{"symbol": "TON", "price": "2.5"}]})
        self.status = 200
        self.requests = 0
        source = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                source.requests += 1
                payload = source.body.encode()
                self.send_response(source.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/price"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def source():
    server = RateSource()
    yield server
    server.stop()


def configure(**fields) -> RateSettings:
    row, _ = RateSettings.objects.get_or_create(pk=1)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def test_manual_rate_is_used_and_stored() -> None:
    configure(source="manual", manual_rate=Decimal("0.2"))
    quote = rate_get()
    assert quote.rate == Decimal("0.2")
    assert quote.source == "manual"
    assert not quote.stale
    rate_get()
    assert RateSnapshot.objects.filter(source="manual").count() == 1
    configure(manual_rate=Decimal("0.3"))
    assert rate_get().rate == Decimal("0.3")
    assert RateSnapshot.objects.filter(source="manual").count() == 2


def test_http_rate_follows_the_json_path_and_is_cached(source) -> None:
    configure(source="http", http_url=source.url, http_json_path="data.0.price")
    first = rate_get()
    assert first.rate == Decimal("2.5")
    assert not first.stale
    second = rate_get()
    assert second.rate == Decimal("2.5")
    assert source.requests == 1, "the second call must come from the cache"
    snapshot = RateSnapshot.objects.get()
    assert (snapshot.rate, snapshot.source) == (Decimal("2.5"), source.url)
    assert snapshot.fetched_at is not None


def test_ttl_expiry_fetches_again(source) -> None:
    configure(source="http", http_url=source.url, http_json_path="data.0.price")
    rate_get()
    source.body = json.dumps({"data": [{"price": 4}]})
    cache.clear()  # the TTL ran out
    assert rate_get().rate == Decimal(4)
    assert source.requests == 2


def test_usd_per_star_conversion(source) -> None:
    # TON costs 2.5 USD; a Star is worth 0.013 USD → 0.0052 tons per Star.
    configure(
        source="http",
        http_url=source.url,
        http_json_path="data.0.price",
        http_usd_per_star=Decimal("0.013"),
    )
    assert rate_get().rate == Decimal("0.0052")


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        json.dumps({"data": [{"price": "abc"}]}),
        json.dumps({"data": [{"price": -1}]}),
        json.dumps({"data": [{"price": "NaN"}]}),
        json.dumps({"data": [{"price": True}]}),
        json.dumps({"data": []}),
        json.dumps({"other": 1}),
        json.dumps({"data": [{"price": 1e12}]}),
    ],
)
def test_garbage_falls_back_to_the_last_stored_rate(source, body, caplog) -> None:
    RateSnapshot.objects.create(rate=Decimal("1.75"), source="earlier")
    configure(source="http", http_url=source.url, http_json_path="data.0.price")
    source.body = body
    with caplog.at_level(logging.ERROR, logger="payments.rates"):
        quote = rate_get()
    assert quote.rate == Decimal("1.75")
    assert quote.stale
    assert any(getattr(r, "event", "") == "rate_error" for r in caplog.records)
    with pytest.raises(RateSourceError):
        rate_refresh()


def test_source_down_falls_back(source) -> None:
    configure(source="http", http_url=source.url, http_json_path="data.0.price")
    assert rate_get().rate == Decimal("2.5")
    source.stop()
    cache.clear()
    quote = rate_get()
    assert quote.rate == Decimal("2.5")
    assert quote.stale


def test_nothing_stored_and_source_down_uses_1_with_a_critical_log(caplog) -> None:
    configure(source="http", http_url="http://127.0.0.1:9/none", http_json_path="price")
    with caplog.at_level(logging.CRITICAL, logger="payments.rates"):
        quote = rate_get()
    assert quote.rate == Decimal(1)
    assert quote.source == "default"
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)


def test_refresh_task_stores_a_snapshot(source) -> None:
    configure(source="http", http_url=source.url, http_json_path="data.0.price")
    assert refresh_rate_task.apply().get() == "2.5"
    source.status = 500
    source.body = "oops"
    assert refresh_rate_task.apply().get() is None
    assert RateSnapshot.objects.count() == 1
    configure(source="manual")
    assert refresh_rate_task.apply().get() is None


@pytest.mark.parametrize(
    ("stars", "rate", "rounding", "decimals", "expected"),
    [
        (7, "0.125", "floor", 0, "0"),
        (7, "0.125", "floor", 2, "0.87"),
        (7, "0.125", "half_up", 2, "0.88"),
        (7, "0.125", "half_even", 2, "0.88"),
        (1, "0.125", "half_up", 2, "0.13"),
        (1, "0.125", "half_even", 2, "0.12"),
        (5, "0.5", "half_up", 0, "3"),
        (5, "0.5", "half_even", 0, "2"),
        (5, "0.5", "floor", 0, "2"),
        (3, "1", "floor", 2, "3.00"),
        (100, "0.0052", "floor", 2, "0.52"),
        (999, "0.333333333333", "floor", 0, "332"),
    ],
)
def test_rounding_rules(stars, rate, rounding, decimals, expected) -> None:
    result = tons_for_stars(stars, Decimal(rate), rounding=rounding, decimals=decimals)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_rounding_defaults_come_from_settings() -> None:
    configure(rounding="half_up", decimals=2)
    assert tons_for_stars(1, Decimal("0.125")) == Decimal("0.13")
    with pytest.raises(ValueError, match="0 or 2"):
        tons_for_stars(1, Decimal(1), rounding="floor", decimals=3)
