"""Custom Prometheus metrics shared across apps (django-prometheus covers requests, DB, cache).

Several processes: with ``PROMETHEUS_MULTIPROC_DIR`` set (before the first import of
``prometheus_client``), every process writes its samples to files there and ``/metrics`` (or the
worker's and bot's own endpoint) sums them up. Gauges therefore name their multiprocess mode.
Without the variable each process keeps its own registry (one scrape target per process).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.registry import REGISTRY

logger = logging.getLogger(__name__)

# Buckets with edges on the alert thresholds (300 ms warning, 500 ms critical).
API_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
WS_RECONNECT_BUCKETS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 30.0, 60.0, 120.0, 600.0)
TASK_DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

# --- accounts -----------------------------------------------------------------------------------
user_create_failures = Counter(
    "chancetap_user_create_failures_total",
    "First logins that failed after retrying transient database errors.",
)
auth_failures = Counter(
    "chancetap_auth_failures_total",
    "Refused logins and tokens, by error code.",
    ["code"],
)
logins_total = Counter(
    "chancetap_logins_total",
    "Successful Mini App logins (initData exchanged for a token), by whether the user is new.",
    ["new_user"],
)

notifications_total = Counter(
    "chancetap_notifications_total",
    "Bot notifications by kind and outcome (sent, skipped, retried, failed).",
    ["kind", "outcome"],
)

# --- HTTP API -----------------------------------------------------------------------------------
api_request_duration = Histogram(
    "chancetap_api_request_duration_seconds",
    "Duration of /api/ requests by route pattern and method.",
    ["route", "method"],
    buckets=API_LATENCY_BUCKETS,
)
api_responses_total = Counter(
    "chancetap_api_responses_total",
    "Responses of /api/ requests by route pattern, method and status code.",
    ["route", "method", "status"],
)

# --- payments -----------------------------------------------------------------------------------
payments_total = Counter(
    "chancetap_payments_total",
    "Payments by status transition and purpose.",
    ["status", "purpose"],
)
payment_apply_failures = Counter(
    "chancetap_payment_apply_failures_total",
    "Star charges whose application failed (deferred for a retry or refused), by reason.",
    ["reason"],
)
ledger_checks_total = Counter(
    "chancetap_ledger_checks_total",
    "Ledger consistency checks by outcome (ok or mismatch).",
    ["outcome"],
)
ledger_mismatches_total = Counter(
    "chancetap_ledger_mismatches_total",
    "Wallets whose balance disagreed with their ledger entries, summed over checks.",
)
# The rate refresh counter lives in payments/rates.py: chancetap_rate_refresh_total{outcome}.

# --- leaderboards and referrals -----------------------------------------------------------------
leaderboard_cache_total = Counter(
    "chancetap_leaderboard_cache_total",
    "Leaderboard cache look-ups by result (hit or miss).",
    ["result"],
)
referral_attaches_total = Counter(
    "chancetap_referral_attaches_total",
    "Referral codes attached to players, by how (start parameter or code entry).",
    ["via"],
)

# --- limits (chancetap.security.limits, chancetap.security.admin_site) ------------------------
limits_refused = Counter(
    "chancetap_limits_refused_total",
    "Requests, sockets and frames refused by a limit (ws_frame_size, json_depth, query_fields, "
    "ws_connect_rate, ws_sockets_per_player, admin_login_locked).",
    ["limit"],
)

# --- rooms and WebSockets -----------------------------------------------------------------------
ws_connections = Gauge(
    "chancetap_ws_connections",
    "Open WebSocket connections by endpoint (room, bonus, user events).",
    ["endpoint"],
    multiprocess_mode="livesum",
)
ws_messages_total = Counter(
    "chancetap_ws_messages_total",
    "WebSocket messages by direction (in, out) and message type.",
    ["direction", "type"],
)
taps_total = Counter(
    "chancetap_taps_total",
    "Taps by outcome (accepted, rejected) and reason (ok, rate, not_started, ...).",
    ["outcome", "reason"],
)
cheaters_flagged_total = Counter(
    "chancetap_cheaters_flagged_total",
    "Players flagged by the anti-cheat, by reason.",
    ["reason"],
)
# Frame types that get their own label value; anything else (a client can send any string) counts
# as "other", so the label set stays bounded.
WS_FRAME_TYPES = frozenset(
    {
        # client → server
        "taps",
        "ping",
        "reaction",
        "start",
        "leave",
        # server → client
        "hello",
        "state",
        "progress",
        "ack",
        "pong",
        "error",
        "countdown",
        "started",
        "finished",
        "closed",
        "balance",
        "payment",
        "bonus",
        "room.reaction",
        "completed",
    }
)


def ws_message(direction: str, frame_type: object, n: int = 1) -> None:
    """Count ``n`` WebSocket frames of ``frame_type`` going ``in`` or ``out``."""
    label = frame_type if isinstance(frame_type, str) and frame_type in WS_FRAME_TYPES else "other"
    ws_messages_total.labels(direction=direction, type=label).inc(n)


def ws_sent(text: str) -> None:
    """Count one outgoing frame from its JSON text (compact ``{"type":"...",...}`` first)."""
    frame_type = "other"
    if text.startswith('{"type":"'):
        end = text.find('"', 9)
        if end > 9:
            frame_type = text[9:end]
    ws_message("out", frame_type)


MAX_PACKET_TAPS = 20


def tap_packet(refused: str | None, count: object) -> None:
    """Count the taps of one packet as accepted or rejected (with why); flags a new cheater."""
    taps = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1
    if refused is None:
        taps_total.labels(outcome="accepted", reason="ok").inc(taps)
        return
    if taps > MAX_PACKET_TAPS:  # a malformed packet's claimed count is not taps (and may be 10**19)
        taps = 1
    taps_total.labels(outcome="rejected", reason=refused[:40]).inc(taps)
    if refused == "cheater_flagged":
        cheaters_flagged_total.labels(reason="tap_rate").inc()


ws_reconnect_duration = Histogram(
    "chancetap_ws_reconnect_duration_seconds",
    "How long the Mini App took to get its WebSocket back, as it reports it.",
    buckets=WS_RECONNECT_BUCKETS,
)

# --- Celery -------------------------------------------------------------------------------------
celery_tasks_total = Counter(
    "chancetap_celery_tasks_total",
    "Finished Celery task runs by task name and outcome (success, failure, retry, ...).",
    ["task", "outcome"],
)
celery_task_duration = Histogram(
    "chancetap_celery_task_duration_seconds",
    "Duration of Celery task runs by task name.",
    ["task"],
    buckets=TASK_DURATION_BUCKETS,
)


# --- database connection pool ---------------------------------------------------------------------
# Each web process has its own psycopg pool (chancetap/settings.py, DATABASE_POOL_*). The gauges
# hold that process's numbers and are summed over the processes that are alive ("livesum"): the
# sum is what the instance holds against PostgreSQL's max_connections, its capacity and its queue,
# and a process that exited stops counting. ("max" would hide the second process's load; "liveall"
# would add a pid label that changes with every restart.) A request only waits when its process
# has no idle connection, so waiting > 0 in the sum still means some process is saturated.
# Updated by db_pool_sample(): every POOL_SAMPLE_SECONDS in each web process (the process that
# answers a scrape sees only its own pool, so the others must write theirs) and at each scrape.
POOL_SAMPLE_SECONDS = 5.0
db_pool_connections = Gauge(
    "chancetap_db_pool_connections",
    "Database connections open in the web processes' pools (lent out or idle).",
    multiprocess_mode="livesum",
)
db_pool_idle_connections = Gauge(
    "chancetap_db_pool_idle_connections",
    "Database connections idle in the web processes' pools, ready to be lent.",
    multiprocess_mode="livesum",
)
db_pool_waiting_requests = Gauge(
    "chancetap_db_pool_waiting_requests",
    "Requests waiting for a database connection from the web processes' pools.",
    multiprocess_mode="livesum",
)
db_pool_max_connections = Gauge(
    "chancetap_db_pool_max_connections",
    "Connections the web processes' pools may open at most (DATABASE_POOL_MAX_SIZE each).",
    multiprocess_mode="livesum",
)
db_pool_timeouts_total = Counter(
    "chancetap_db_pool_timeouts_total",
    "Requests for a database connection the pool refused after DATABASE_POOL_TIMEOUT "
    "(an API request answers 503 service_busy).",
)
_pool_lock = threading.Lock()
_pool_errors_seen: tuple[int, int] = (0, 0)  # (id of the pool, its requests_errors counted so far)
_pool_sampler_started = False


def _db_pool() -> Any | None:
    """This process's pool of the default database, if it has opened one (never creates it)."""
    from django.db import connections

    wrapper = connections["default"]
    if wrapper.vendor != "postgresql" or not wrapper.settings_dict["OPTIONS"].get("pool"):
        return None
    # Django keeps the pool on the class, per alias; its ``pool`` property would create one.
    return getattr(type(wrapper), "_connection_pools", {}).get(wrapper.alias)


def db_pool_sample() -> None:
    """Copy this process's pool statistics into the gauges; count its new refusals."""
    global _pool_errors_seen
    pool = _db_pool()
    if pool is None or pool.closed:
        return
    stats = pool.get_stats()  # a dict built under the pool's lock: microseconds
    db_pool_connections.set(stats.get("pool_size", 0))
    db_pool_idle_connections.set(stats.get("pool_available", 0))
    db_pool_waiting_requests.set(stats.get("requests_waiting", 0))
    db_pool_max_connections.set(pool.max_size)
    # psycopg counts requests that got no connection (timeouts; the queue limit is not set) from
    # any caller — API, WebSocket consumers, admin, /readyz — which the API's 503 handler alone
    # would miss. (It skips a request whose deadline passed before it queued: only with timeouts
    # of a few milliseconds.)
    errors = int(stats.get("requests_errors", 0))
    with _pool_lock:
        seen_pool, seen = _pool_errors_seen
        new = errors - seen if seen_pool == id(pool) else errors
        if new > 0:
            db_pool_timeouts_total.inc(new)
        _pool_errors_seen = (id(pool), errors)


def _db_pool_sample_forever(interval: float) -> None:
    failed = False
    while True:
        try:
            db_pool_sample()
        except Exception:
            logger.log(
                logging.DEBUG if failed else logging.WARNING, "pool sample failed", exc_info=True
            )
            failed = True
        time.sleep(interval)


def db_pool_sampler_start(interval: float = POOL_SAMPLE_SECONDS) -> bool:
    """In a web process with the pool: refresh the pool gauges every ``interval`` seconds; once.

    With ``PROMETHEUS_MULTIPROC_DIR`` the process's live gauges leave the sums when it exits.
    """
    global _pool_sampler_started
    from django.conf import settings

    if not getattr(settings, "DATABASE_POOL", False):
        return False
    with _pool_lock:
        if _pool_sampler_started:
            return False
        _pool_sampler_started = True
    threading.Thread(
        target=_db_pool_sample_forever, args=(interval,), name="db-pool-metrics", daemon=True
    ).start()
    if multiprocess_dir():
        atexit.register(multiprocess.mark_process_dead, os.getpid())
    return True


# --- exposition -----------------------------------------------------------------------------------
def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


# Collectors that read their state at scrape time (e.g. the last backup's outcome, from the shared
# cache), added by the apps that own it (chancetap.backups.apps) so this module imports none.
_scrape_collectors: list[Callable[[CollectorRegistry], None]] = []


def scrape_collector_add(add: Callable[[CollectorRegistry], None]) -> None:
    """``add(registry)`` registers an app's collector on a registry about to be scraped."""
    if add not in _scrape_collectors:
        _scrape_collectors.append(add)


def metrics_registry() -> CollectorRegistry:
    """The registry to expose: the summed-up files in multiprocess mode, else this process's;
    with the scrape-time collectors on it."""
    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    for add in _scrape_collectors:
        add(registry)
    return registry


_server_lock = threading.Lock()
_server_started = False


def metrics_http_server_start(port: int, addr: str = "0.0.0.0") -> bool:  # noqa: S104
    """Serve ``/metrics`` for a process without Django views (Celery worker, bot); once."""
    global _server_started
    if port <= 0:
        return False
    with _server_lock:
        if _server_started:
            return False
        start_http_server(port, addr=addr, registry=metrics_registry())
        _server_started = True
    logger.info("metrics endpoint listening", extra={"event": "metrics_listen", "port": port})
    return True


# --- Celery signals -------------------------------------------------------------------------------
_task_started: dict[str, float] = {}


def _task_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    name = getattr(task, "name", None) or "unknown"
    started = _task_started.pop(task_id or "", None)
    if started is not None:
        celery_task_duration.labels(task=name).observe(time.perf_counter() - started)
    celery_tasks_total.labels(task=name, outcome=(state or "unknown").lower()).inc()


def _worker_ready(**_: Any) -> None:
    metrics_http_server_start(int(os.environ.get("CELERY_METRICS_PORT", "0") or 0))


def _worker_process_shutdown(pid: int | None = None, **_: Any) -> None:
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid or os.getpid())


def celery_signals_connect() -> None:
    """Count and time every task; the worker serves its metrics on ``CELERY_METRICS_PORT``."""
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="chancetap-metrics-pre")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="chancetap-metrics-post")
    signals.worker_ready.connect(_worker_ready, weak=False, dispatch_uid="chancetap-metrics-ready")
    signals.worker_process_shutdown.connect(
        _worker_process_shutdown, weak=False, dispatch_uid="chancetap-metrics-dead"
    )
