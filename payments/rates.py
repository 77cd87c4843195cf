"""The Stars→tons rate (SPEC §4): tons per star, from the admin's value or an HTTP JSON source.

``rate_get`` never raises on a source problem: a fresh cached value, else a fetch, else the last
stored rate (stale), else ``1`` with a critical log. Every fetched or set rate is stored with its
source and time. ``tons_for_stars`` rounds with the configured rule, in exact ``Decimal``s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from prometheus_client import Counter

from chancetap.outbound.http import OutboundError, Policy, get_json
from payments.models import RateSettings, RateSnapshot

logger = logging.getLogger(__name__)

DEFAULT_RATE = Decimal(1)
MAX_RATE = Decimal(10) ** 9
# Asked from leaderboard and top-up requests when the cache is cold: a short deadline, and after
# five failed calls in a row the source is left alone for a minute (the last stored rate serves).
RATE_SOURCE = Policy(
    service="rate_source",
    timeout=3.0,
    deadline=5.0,
    attempts=2,
    max_bytes=1024 * 1024,
    breaker_failures=5,
    breaker_reset=60.0,
)
ROUNDING_MODES = {
    RateSettings.Rounding.FLOOR: ROUND_FLOOR,
    RateSettings.Rounding.HALF_UP: ROUND_HALF_UP,
    RateSettings.Rounding.HALF_EVEN: ROUND_HALF_EVEN,
}

rate_refresh_total = Counter(
    "chancetap_rate_refresh_total", "Rate source fetches by outcome.", ["outcome"]
)


class RateSourceError(Exception):
    """The HTTP rate source could not give a usable rate."""


@dataclass(frozen=True)
class RateQuote:
    rate: Decimal
    source: str
    fetched_at: datetime
    stale: bool


def rate_settings_get() -> RateSettings:
    return RateSettings.get_solo()


def _cache_key(settings_row: RateSettings) -> str:
    return f"rate:v1:{settings_row.pk}:{settings_row.updated_at.timestamp():.6f}"


def _validated(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise RateSourceError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise RateSourceError(f"not a number: {value!r}") from exc
    if not number.is_finite() or number <= 0 or number > MAX_RATE:
        raise RateSourceError(f"implausible value: {value!r}")
    return number


def _follow_path(document: Any, path: str) -> Any:
    node = document
    for part in [p for p in path.split(".") if p]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise RateSourceError(f"path '{path}' not found at '{part}'")
    return node


def _fetch_json(url: str) -> Any:
    try:
        return get_json(RATE_SOURCE, url, headers={"Accept": "application/json"})
    except OutboundError as exc:
        raise RateSourceError(f"{exc.kind}: {exc}") from exc


def _store(rate: Decimal, source: str) -> RateSnapshot:
    return RateSnapshot.objects.create(rate=rate, source=source[:500])


def _cache_put(settings_row: RateSettings, quote: RateQuote) -> None:
    cache.set(
        _cache_key(settings_row),
        {"rate": str(quote.rate), "source": quote.source, "at": quote.fetched_at.isoformat()},
        timeout=max(300, min(3600, settings_row.cache_ttl_seconds)),
    )


def rate_refresh(settings_row: RateSettings | None = None) -> RateQuote:
    """Fetch the HTTP source now, store and cache the rate; raises ``RateSourceError``."""
    row = settings_row or rate_settings_get()
    try:
        document = _fetch_json(row.http_url)
        price = _validated(_follow_path(document, row.http_json_path))
        if row.http_usd_per_star is not None:
            rate = _validated(Decimal(row.http_usd_per_star) / price)
        else:
            rate = price
    except RateSourceError as exc:
        rate_refresh_total.labels(outcome="error").inc()
        logger.error(
            "rate source failed",
            extra={"event": "rate_error", "url": row.http_url, "error": str(exc)},
        )
        raise
    snapshot = _store(rate, row.http_url)
    rate_refresh_total.labels(outcome="ok").inc()
    quote = RateQuote(rate=rate, source=row.http_url, fetched_at=snapshot.fetched_at, stale=False)
    _cache_put(row, quote)
    return quote


def _manual_quote(row: RateSettings) -> RateQuote:
    rate = Decimal(row.manual_rate)
    latest = RateSnapshot.objects.order_by("-fetched_at", "-pk").first()
    if latest is None or latest.rate != rate or latest.source != "manual":
        latest = _store(rate, "manual")
    return RateQuote(rate=rate, source="manual", fetched_at=latest.fetched_at, stale=False)


def rate_get(*, fetch: bool = True) -> RateQuote:
    """Tons per star now. Never raises because of the source.

    ``fetch=False`` never calls the source (a fresh cached value, else the last stored rate): for
    callers inside a transaction, which must not wait on the network with rows locked (the beat
    task ``refresh_rate_task`` keeps the cache and the stored rate fresh)."""
    row = rate_settings_get()
    if row.source == RateSettings.Source.MANUAL:
        return _manual_quote(row)
    cached = cache.get(_cache_key(row))
    if cached:
        return RateQuote(
            rate=Decimal(cached["rate"]),
            source=cached["source"],
            fetched_at=datetime.fromisoformat(cached["at"]),
            stale=False,
        )
    if fetch:
        try:
            return rate_refresh(row)
        except RateSourceError:
            pass
    last = RateSnapshot.objects.order_by("-fetched_at", "-pk").first()
    if last is not None:
        return RateQuote(rate=last.rate, source=last.source, fetched_at=last.fetched_at, stale=True)
    logger.critical(
        "no rate available: using the default of 1 ton per star",
        extra={"event": "rate_default_used"},
    )
    return RateQuote(rate=DEFAULT_RATE, source="default", fetched_at=timezone.now(), stale=True)


def tons_for_stars(
    stars: int,
    rate: Decimal,
    *,
    rounding: str | None = None,
    decimals: int | None = None,
) -> Decimal:
    """``stars * rate`` rounded by the configured rule (floor, half-up, half-even; 0 or 2 dp)."""
    if rounding is None or decimals is None:
        row = rate_settings_get()
        rounding = rounding if rounding is not None else row.rounding
        decimals = decimals if decimals is not None else row.decimals
    if decimals not in (0, 2):
        raise ValueError("decimals must be 0 or 2")
    mode = ROUNDING_MODES[RateSettings.Rounding(rounding)]
    exponent = Decimal(1) if decimals == 0 else Decimal("0.01")
    return (Decimal(stars) * Decimal(rate)).quantize(exponent, rounding=mode)
