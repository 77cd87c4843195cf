"""Chance Tap settings: everything from the environment, secure by default (STYLE.md rule 10).

With no variables set the project runs on embedded defaults: SQLite, the in-memory channel layer,
the local-memory cache and a file-system Celery transport. ``DATABASE_URL`` and ``REDIS_URL`` switch
to PostgreSQL and Redis. With ``DJANGO_DEBUG`` off the process refuses to start without its secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import sys
import urllib.parse
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHANCETAP_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").is_file() and not os.environ.get("CHANCETAP_IGNORE_DOTENV"):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = "pytest" in sys.modules or env.bool("CHANCETAP_TESTING", default=False)

# Development-only fallbacks: never used with DEBUG off (checked below).
_DEV_SECRET = "dev-insecure-secret-key-change-me-0123456789abcdef"  # noqa: S105
_DEV_JWT_SECRET = "dev-insecure-jwt-secret-change-me-0123456789abcdef"  # noqa: S105
DEV_BOT_TOKEN = "1000000001:DEV-chancetap-development-token-000000"  # noqa: S105

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
JWT_SECRET = env.str("JWT_SECRET", default="")
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
# Whether a real bot token was configured (the bot process runs only then).
TELEGRAM_BOT_TOKEN_SET = bool(TELEGRAM_BOT_TOKEN)

if TESTING:
    # The test suite signs its own initData and tokens with these fixed, public test values.
    SECRET_KEY = SECRET_KEY or "test-secret-key-0123456789abcdef0123456789abcdef"
    JWT_SECRET = JWT_SECRET or "test-jwt-secret-0123456789abcdef0123456789abcdef"
    TELEGRAM_BOT_TOKEN = TELEGRAM_BOT_TOKEN or "1234567890:TEST-chancetap-test-token-abcdefghijk"

if not DEBUG:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("JWT_SECRET", JWT_SECRET),
            ("TELEGRAM_BOT_TOKEN", TELEGRAM_BOT_TOKEN),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off, so these secrets must be set: " + ", ".join(missing)
        )
    if len(JWT_SECRET) < 32:
        raise ImproperlyConfigured("JWT_SECRET must be at least 32 characters")
else:
    SECRET_KEY = SECRET_KEY or _DEV_SECRET
    JWT_SECRET = JWT_SECRET or _DEV_JWT_SECRET
    TELEGRAM_BOT_TOKEN = TELEGRAM_BOT_TOKEN or DEV_BOT_TOKEN

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "chancetap.security.admin_site.ChanceTapAdminConfig",  # django.contrib.admin, login throttled
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_prometheus",
    "solo",  # the settings singletons' admin (rooms, payments)
    "chancetap.core",
    "chancetap.backups",  # backup_db / restore_db commands
    "chancetap.backoffice",  # the player page and the statistics (admin views)
    "chancetap.wsframes",  # ws_schema: the WebSocket frames' JSON Schema
    "chancetap.errorcodes",  # error_codes: every error code a player can get
    "accounts",
    "payments",
    "leaderboards",
    "rooms",
    "referrals",
    "botapp",
    "frontend",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "chancetap.observability.metrics_view.ApiMetricsMiddleware",
    "chancetap.core.middleware.RequestIdMiddleware",
    # 503 with a code when PostgreSQL or Redis fails in a view outside the API.
    "chancetap.core.middleware.ServiceUnavailableMiddleware",
    "chancetap.rls.RlsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "chancetap.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The admin speaks the staff member's browser language (en, ru; locale/ holds our messages).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # X-Frame-Options: DENY for old browsers; the Mini App's document is exempt (CSP below).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Innermost and sync-only, so the whole chain runs in one thread (chancetap/core/middleware.py).
    "chancetap.core.middleware.SyncChainMiddleware",
]

ROOT_URLCONF = "chancetap.urls"
ASGI_APPLICATION = "chancetap.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates first: the admin index with the back office's links.
        "DIRS": [BASE_DIR / "chancetap" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# Tests run against the real local servers unless told otherwise (make test exports these too).
_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chancetap"
_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"
DATABASE_URL = env.str("DATABASE_URL", default=_TEST_DATABASE_URL if TESTING else "")
# Row-level security (docs/operations.md): the app runs as a role the policies bind
# (chancetap_app); ``manage.py migrate`` connects as the tables' owner when this is set.
MIGRATIONS_DATABASE_URL = env.str("MIGRATIONS_DATABASE_URL", default="")
_MIGRATING = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] == ["migrate"]
if MIGRATIONS_DATABASE_URL and _MIGRATING:
    DATABASE_URL = MIGRATIONS_DATABASE_URL
# Celery worker processes run one task at a time per child with a plain connection, which
# Celery's Django fix-up closes after every task (so at most one per child, only while a task
# runs). Everything else (uvicorn web processes above all) borrows from a bounded pool.
# `celery …` runs with argv[0] = the `celery` script; `python -m celery …` (the tests' workers)
# with argv[0] = celery/__main__.py.
_ARGV0 = Path(sys.argv[0])
_CELERY_PROCESS = _ARGV0.name == "celery" or (
    _ARGV0.name == "__main__.py" and _ARGV0.parent.name == "celery"
)
DATABASE_POOL = False
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        # Fail fast when PostgreSQL is unreachable instead of hanging on the TCP connect.
        _options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
        # Server-side limits (docs/operations.md, "Timeouts"): a statement running longer than
        # DATABASE_STATEMENT_TIMEOUT_MS is cancelled (the request answers 503), and a session left
        # idle inside a transaction longer than DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS is closed
        # (its locks go with it). The statement limit is for processes that serve players (web
        # servers, `manage.py runbot`): other `manage.py` commands (migrate, ledger_check,
        # restore_db) and Celery workers, whose tasks have their own time limits, run without it.
        # 0 switches either off.
        # Testing-only (docs/architecture.md): pytest's own process has neither (a test may keep
        # its transaction open while it waits on a server it started); its servers have both.
        _serves_players = not (
            _CELERY_PROCESS
            or (_ARGV0.name == "manage.py" and sys.argv[1:2] != ["runbot"])
            or "pytest" in sys.modules
        )
        _statement_timeout_ms = (
            env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=10_000) if _serves_players else 0
        )
        _idle_in_tx_ms = (
            0
            if "pytest" in sys.modules
            else env.int("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=30_000)
        )
        _server_options = [
            f"-c {name}={value}"
            for name, value in (
                ("statement_timeout", _statement_timeout_ms),
                ("idle_in_transaction_session_timeout", _idle_in_tx_ms),
            )
            if value > 0
        ]
        if _server_options:
            # Appended to any options the URL carries (e.g. ``-c role=chancetap_app``).
            _options["options"] = " ".join([_options.get("options", ""), *_server_options]).strip()
        # Testing-only (docs/architecture.md): pytest's own process connects without the pool, as
        # Django's test framework expects (its flushes and the tests' bare threads hold
        # connections the pool would have to hand out); every server a test starts pools.
        DATABASE_POOL = env.bool(
            "DATABASE_POOL", default=not _CELERY_PROCESS and "pytest" not in sys.modules
        )
        if DATABASE_POOL:
            # Django 5.2's psycopg pool (docs/operations.md, "Database connections"): at most
            # DATABASE_POOL_MAX_SIZE connections per process, whatever the number of threads the
            # ASGI server runs sync code in; a request that waits longer than the timeout for one
            # gets 503 service_busy. CONN_MAX_AGE must be 0: closing returns to the pool.
            _options["pool"] = {
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
                "max_idle": env.float("DATABASE_POOL_MAX_IDLE", default=300.0),
                "name": "default",
            }
            DATABASES["default"]["CONN_MAX_AGE"] = 0
        else:
            DATABASES["default"]["CONN_MAX_AGE"] = env.int(
                "DATABASE_CONN_MAX_AGE", default=60 if _CELERY_PROCESS else 0
            )
        _test_db = env.str("TEST_DATABASE_NAME", default="")
        if _test_db:  # lets several test runs share one server
            DATABASES["default"]["TEST"] = {"NAME": _test_db}
        # A pooled connection is checked before it is handed out; a plain one before reuse.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Django's PostgreSQL backend with django-prometheus's instrumented cursors and connects
        # (django_db_* metrics: statements, errors, duration, new connections).
        DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django_prometheus.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "chancetap.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith(".postgresql")


# --- Redis: cache, channel layer, Celery broker -------------------------------------------------
def _redis_db_shift(url: str, by: int) -> str:
    """``url`` with its database number moved ``by`` places within 2–15 (0 and 1 are left to
    other users of the server)."""
    parts = urllib.parse.urlsplit(url)
    db = int(parts.path.lstrip("/") or 0)
    shifted = (max(db, 2) - 2 + by) % 14 + 2
    return urllib.parse.urlunsplit(parts._replace(path=f"/{shifted}"))


REDIS_URL = env.str("REDIS_URL", default=_TEST_REDIS_URL if TESTING else "")
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
if _XDIST_WORKER.startswith("gw") and REDIS_URL:
    # Parallel test workers (pytest-xdist, `make test`): each has its own test database (pytest-
    # django adds the worker's suffix) and its own Redis database, the next ones after the run's
    # (2–15, wrapping), which it owns and empties like a single run does (conftest.py).
    REDIS_URL = _redis_db_shift(REDIS_URL, int(_XDIST_WORKER[2:]))
# Fail fast when Redis is refused or hung (chancetap/runtime/redis_client.py, docs/operations.md
# "Timeouts"): every client connects within REDIS_CONNECT_TIMEOUT and waits at most
# REDIS_SOCKET_TIMEOUT for a reply, without retrying; after a connection error or timeout a process
# treats Redis as down for REDIS_CIRCUIT_OPEN_SECONDS (no new connection is tried), so a request
# touching Redis several times still answers 503 within about one read timeout.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
REDIS_CIRCUIT_OPEN_SECONDS = env.float("REDIS_CIRCUIT_OPEN_SECONDS", default=2.0)
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's own Redis cache with django-prometheus's hit/miss/failure counters
            # (django_cache_*{backend="native_redis"}), on one pool and client per process
            # (chancetap/runtime/redis_client.py). We never cache None, which it counts as a miss.
            "BACKEND": "chancetap.runtime.redis_client.ProcessRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="chancetap"),
            "OPTIONS": {
                "pool_class": "chancetap.runtime.redis_client.ProcessConnectionPool",
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # channels-redis blocks 5 s in BZPOPMIN; redis-py 8's default socket timeout is also
                # 5 s, so reads would time out in a race. Give the socket more time than the pop.
                # A refused or unreachable Redis still fails within the connect timeout.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                    }
                ],
                "prefix": env.str("CHANNELS_PREFIX", default="chancetap"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery -------------------------------------------------------------------------------------
# Longest a task may wait in the broker with an ETA: the Redis transport re-delivers a message not
# acknowledged within the visibility timeout, so an ETA beyond it would run the task again and
# again. Deadlines further away are left to the sweepers (chancetap/runtime/scheduling.py).
BROKER_VISIBILITY_TIMEOUT = 3600  # s; longer than the longest task limit (backup_db, 50 min)
TASK_ETA_MAX_SECONDS = BROKER_VISIBILITY_TIMEOUT // 2
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    (CELERY_FILESYSTEM_DIR / "queue").mkdir(parents=True, exist_ok=True)
    (CELERY_FILESYSTEM_DIR / "processed").mkdir(parents=True, exist_ok=True)
    (CELERY_FILESYSTEM_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        # Exchange bindings; kombu's default is ./control, which is an app folder here.
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        # A publish waits at most this long for the broker. Workers block 1 s in BRPOP on their
        # consuming connection, so they get more than that; web processes only publish.
        "socket_timeout": (
            max(REDIS_SOCKET_TIMEOUT, 5.0) if _CELERY_PROCESS else REDIS_SOCKET_TIMEOUT
        ),
    }
# Publishing (`.delay()`, `apply_async`, always after commit) to a dead broker fails fast: one retry
# at most, then the caller's on_commit logs the error; timers are picked up by the sweepers, and
# deferred payment credits by reconciliation.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Three queues, each with its own worker in production (docker-compose.yml, docs/operations.md), so
# a 3-second room countdown never waits behind a backup: `realtime` (room timers, sweepers),
# `payments` (deferred payment credits, TON polling, the rate, bot notifications) and `maintenance`
# (backups, reconciliation, the ledger check, clean-ups). A task no route names lands in
# `maintenance`.
# Each queue has a time-limit ceiling: its worker's --time-limit, and no task of the queue may set
# a longer one (tests/ops/test_celery_topology.py).
TASK_QUEUE_TIME_LIMITS = {"realtime": 60, "payments": 120, "maintenance": 50 * 60}
# Each queue its own direct exchange and routing key. Celery publishes to a direct queue by its
# name anyway, but a bare Queue(name) is bound to the default exchange and key, so anything sent
# to that exchange would land in all three queues.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in TASK_QUEUE_TIME_LIMITS
]
CELERY_TASK_DEFAULT_EXCHANGE = "maintenance"
CELERY_TASK_DEFAULT_ROUTING_KEY = "maintenance"
CELERY_TASK_DEFAULT_QUEUE = "maintenance"
CELERY_TASK_ROUTES = {
    "rooms.advance": {"queue": "realtime"},
    "rooms.sweep": {"queue": "realtime"},
    "rooms.sweep_bonus_runs": {"queue": "realtime"},
    "rooms.expire_bonus_run": {"queue": "realtime"},
    "payments.apply_star_payment": {"queue": "payments"},
    "payments.ton_poll": {"queue": "payments"},
    "payments.refresh_rate": {"queue": "payments"},
    # Short runs (at most ~20 s of sending, botapp/notify.py), kept off the room timers' queue.
    "botapp.notifications_deliver": {"queue": "payments"},
    "botapp.notifications_prune": {"queue": "maintenance"},
    "payments.reconcile": {"queue": "maintenance"},
    "payments.ledger_check": {"queue": "maintenance"},
    "core.expire_idempotency_records": {"queue": "maintenance"},
    "core.backup_db": {"queue": "maintenance"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
TELEGRAM_INITDATA_MAX_AGE = env.int("TELEGRAM_INITDATA_MAX_AGE", default=86400)
# Accept initData carrying only the third-party Ed25519 signature (no valid hash) for this bot id.
TELEGRAM_ACCEPT_SIGNATURE_ONLY = env.bool("TELEGRAM_ACCEPT_SIGNATURE_ONLY", default=False)
# The bot lives on Telegram's test servers: that signature is checked with the test environment's
# public key instead of production's (only one of them is ever accepted).
TELEGRAM_TEST_ENVIRONMENT = env.bool("TELEGRAM_TEST_ENVIRONMENT", default=False)
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="ChanceTapBot")
TELEGRAM_APP_NAME = env.str("TELEGRAM_APP_NAME", default="play")
TELEGRAM_API_BASE = env.str("TELEGRAM_API_BASE", default="https://api.telegram.org")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
WEBAPP_URL = env.str("WEBAPP_URL", default="http://127.0.0.1:8000/")
# Bot notifications (accounts.notifications, botapp.notify): messages per second for all players
# together (Telegram allows about 30), and where /paysupport sends players.
BOT_NOTIFY_RATE_PER_SECOND = env.float("BOT_NOTIFY_RATE_PER_SECOND", default=25.0)
SUPPORT_CONTACT = env.str("SUPPORT_CONTACT", default="@ChanceTapSupport")
JWT_EXPIRY_SECONDS = env.int("JWT_EXPIRY_SECONDS", default=3600)
JWT_ISSUER = env.str("JWT_ISSUER", default="chancetap")
# Development login (mints initData for a demo user): exists only with DEBUG on.
DEV_LOGIN_ENABLED = DEBUG and env.bool("DEV_LOGIN_ENABLED", default=True)
# Development payments (payments/dev_apis.py): the top-up sheet's "Complete test payment" posts a
# Telegram-shaped successful_payment to this server's own webhook. Exists only with DEBUG on.
DEV_PAYMENTS_ENABLED = DEBUG and env.bool("DEV_PAYMENTS_ENABLED", default=True)
# ... which needs a webhook secret: with none configured, development payments use one derived from
# SECRET_KEY (never with DEBUG off, where an unset secret keeps the webhook switched off).
TELEGRAM_WEBHOOK_SECRET_DERIVED = DEV_PAYMENTS_ENABLED and not TELEGRAM_WEBHOOK_SECRET
if TELEGRAM_WEBHOOK_SECRET_DERIVED:
    TELEGRAM_WEBHOOK_SECRET = hmac.new(
        SECRET_KEY.encode(), b"chancetap.telegram-webhook-secret", hashlib.sha256
    ).hexdigest()

# --- TON Connect ----------------------------------------------------------------------------------
TON_PROOF_ALLOWED_DOMAINS = env.list(
    "TON_PROOF_ALLOWED_DOMAINS", default=["127.0.0.1.nip.io", "localhost.localdomain"]
)
TON_PROOF_TTL_SECONDS = env.int("TON_PROOF_TTL_SECONDS", default=900)
TON_MANIFEST_URL = env.str("TON_MANIFEST_URL", default="")
# TON top-ups: transfers to this address with the order's comment, confirmed through a
# toncenter-compatible HTTP API (v2 getTransactions), credited at TON_NANO_PER_STAR.
TON_RECEIVER_ADDRESS = env.str("TON_RECEIVER_ADDRESS", default="")
TON_API_BASE = env.str("TON_API_BASE", default="https://toncenter.com")
TON_API_KEY = env.str("TON_API_KEY", default="")
TON_NANO_PER_STAR = env.int("TON_NANO_PER_STAR", default=5_000_000)
TON_TOPUP_TTL_SECONDS = env.int("TON_TOPUP_TTL_SECONDS", default=3600)
# Pages (50 transactions each) one poll reads at most; a longer backlog goes on at the next poll.
TON_POLL_MAX_PAGES = env.int("TON_POLL_MAX_PAGES", default=20)

# --- Limits (chancetap.security: limits, admin_site; docs/architecture.md "Limits") -------------
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
WS_MAX_FRAME_BYTES = env.int("WS_MAX_FRAME_BYTES", default=16384)  # = uvicorn --ws-max-size
WS_MAX_SOCKETS_PER_PLAYER = env.int("WS_MAX_SOCKETS_PER_PLAYER", default=5)
WS_SOCKET_TTL_SECONDS = env.int("WS_SOCKET_TTL_SECONDS", default=60)
WS_CONNECT_WINDOW_SECONDS = env.int("WS_CONNECT_WINDOW_SECONDS", default=10)
WS_CONNECTS_PER_PLAYER = env.int("WS_CONNECTS_PER_PLAYER", default=20)
WS_CONNECTS_PER_IP = env.int("WS_CONNECTS_PER_IP", default=600)
ADMIN_LOGIN_MAX_FAILURES = env.int("ADMIN_LOGIN_MAX_FAILURES", default=5)
ADMIN_LOGIN_LOCKOUT_SECONDS = env.int("ADMIN_LOGIN_LOCKOUT_SECONDS", default=900)
# Django's own bounds (TooManyFieldsSent → 400 request_too_complex), stated where they are enforced.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- DRF / OpenAPI --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.TelegramJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON too deep to decode is a 400 request_too_complex (chancetap.security.limits), not a 500.
    "DEFAULT_PARSER_CLASSES": ["chancetap.security.limits.SafeJSONParser"],
    "EXCEPTION_HANDLER": "chancetap.core.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "chancetap.api.schema.ChanceTapAutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Every list pages with ?limit=&offset= (chancetap/api/pagination.py): 50 rows unless asked,
    # at most 100; bad values are a 400, and no page counts its table.
    "DEFAULT_PAGINATION_CLASS": "chancetap.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Request rates (chancetap/security/throttles.py, docs/architecture.md "Limits"): every
    # signed-in player's requests (`user`), and a view's `throttle_scope` per player or, anonymous,
    # per client address. The invoice rate is an admin setting (invoices_per_minute).
    "DEFAULT_THROTTLE_CLASSES": [
        "chancetap.security.throttles.PlayerRateThrottle",
        "chancetap.security.throttles.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("THROTTLE_USER", default="600/min"),
        # Logging in with initData, per client address.
        "auth": env.str("THROTTLE_AUTH", default="30/min"),
        # Joining a hero room by key, per player: keys cannot be guessed by brute force.
        "hero_join": env.str("THROTTLE_HERO_JOIN", default="20/min"),
        # The Mini App's reconnect reports, per player or address: one client cannot skew them.
        "telemetry": env.str("THROTTLE_TELEMETRY", default="30/min"),
        # A TON top-up's check and status, per player (the app checks every 3 s while it waits).
        "ton_check": env.str("THROTTLE_TON_CHECK", default="30/min"),
    },
    # Throttles key anonymous callers on this address (chancetap.security.limits.client_ip): with 0
    # the socket's peer, which uvicorn resolves from X-Forwarded-For only for FORWARDED_ALLOW_IPS;
    # with N the N-th X-Forwarded-For entry from the right. Never DRF's default (None), which takes
    # the whole header as the client sends it: rotating it would bypass every throttle.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]
SPECTACULAR_SETTINGS = {
    "TITLE": "Chance Tap API",
    "DESCRIPTION": "REST API of the Chance Tap Telegram Mini App.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Two choice sets share the field name ``kind``: each is named here (the rooms keep theirs);
    # the history result is named for where it lives.
    "ENUM_NAME_OVERRIDES": {
        "LedgerEntryKindEnum": "payments.models.LedgerEntry.Kind",
        "KindEnum": "rooms.models.Room.Kind",
        "RoomHistoryResultEnum": "rooms.selectors.HISTORY_RESULTS",
    },
}

# --- i18n / static --------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# URL fields in admin forms (photo URLs, the rate source) assume https when no scheme is typed.
FORMS_URLFIELD_ASSUME_HTTPS = True
LANGUAGES = [("en", "English"), ("ru", "Русский")]
TIME_ZONE = "UTC"
LEADERBOARD_TIME_ZONE = env.str("LEADERBOARD_TIME_ZONE", default="Europe/Berlin")
LEADERBOARD_CACHE_TTL = env.int("LEADERBOARD_CACHE_TTL", default=10)
# The system account that receives the house share of standard rooms (777000 is Telegram's
# service account id, never a player).
HOUSE_TG_ID = env.int("HOUSE_TG_ID", default=777000)
REFERRAL_ATTACH_WINDOW_SECONDS = env.int("REFERRAL_ATTACH_WINDOW_SECONDS", default=600)
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FRONTEND_DIST_DIR = BASE_DIR / "frontend" / "static" / "frontend"
WHITENOISE_MAX_AGE = 86400
# Vite names its bundles name-<hash>.ext: those never change, so browsers may keep them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+[-.][0-9A-Za-z_-]{8,12}\.(?:js|css|woff2?|png|svg|webp)$"
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if not DEBUG else None
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
# Browser features no page of ours uses (chancetap/core/middleware.py sends it on every response).
PERMISSIONS_POLICY = env.str("PERMISSIONS_POLICY", default="") or (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()"
)


def _sources(name: str, default: list[str]) -> list[str]:
    """A CSP source list from env, items separated by commas or spaces; unset or empty: default."""
    sources = [source for item in env.list(name, default=[]) for source in item.split()]
    return sources or default


# Content-Security-Policy (django-csp). Every response: nothing may frame it (API JSON, admin, API
# docs). The Mini App's document (chancetap/core/framing.py) gets CSP_APP_DIRECTIVES instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # No default-src: the admin and the API docs keep loading their assets as they do now.
        "default-src": None,
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}
# Telegram Web (K and A) shows the Mini App in an iframe of another origin.
CSP_FRAME_ANCESTORS = _sources(
    "CSP_FRAME_ANCESTORS",
    [SELF, "https://web.telegram.org", "https://webk.telegram.org", "https://webz.telegram.org"],
)
# Hosts the Mini App may fetch besides its own origin: TON Connect's wallet list
# (config.ton.org), its analytics and the HTTP bridges of the wallets in its built-in list
# (node_modules/@tonconnect/sdk). A wallet added to the list later needs its bridge added here.
CSP_CONNECT_EXTRA = _sources(
    "CSP_CONNECT_EXTRA",
    [
        "https://config.ton.org",
        "https://analytics.ton.org",
        "https://walletbot.me",
        "https://bridge.tonapi.io",
        "https://connect.tonhubapi.com",
        "https://tonconnectbridge.mytonwallet.org",
        "https://www.okx.com",
        "https://ton-connect-bridge.bgwapi.io",
        "https://wallet.binance.com",
        "https://api-node.bybit.com",
        "https://ton-bridge.safepal.com",
        "https://ton-connect.mytokenpocket.vip",
        "https://dapp.gateio.services",
        "https://bridge.dewallet.pro",
        "https://tc.nicegram.app",
        "https://sse-bridge.hot-labs.org",
        "https://wallet-bridge.fintopio.com",
        "https://connect.token.im",
        "https://ton-connect-bridge.echooo.link",
        "https://go-bridge.tomo.inc",
        "https://bridge.uxuy.me",
        "https://bridge.mirai.app",
        "https://web3-bridge.kolo.in",
        "https://tc.architecton.su",
        "https://blitzwallet.cfd",
    ],
)
CSP_APP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": [SELF],
    # Vite emits no inline script (index.html loads one hashed module); tests/ops checks that.
    "script-src": [SELF],
    # TON Connect UI styles itself at run time: goober appends a <style id="_goober"> element and
    # Solid writes style="" attributes. Neither takes a nonce, so styles (only) allow inline.
    "style-src": [SELF, UNSAFE_INLINE],
    # Telegram avatars and wallet icons come from many HTTPS hosts; the QR code logo is data:.
    "img-src": [SELF, "data:", "https:"],
    # 'self' covers ws:/wss: of the same host (CSP 3; the iframe test checks it in Chromium).
    "connect-src": [SELF, *CSP_CONNECT_EXTRA],
    # TON Connect opens wallets by navigation or through Telegram, never in a frame.
    "frame-src": [NONE],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": CSP_FRAME_ANCESTORS,
}
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Observability --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# uvicorn sets its loggers' levels from --log-level before it imports the app; dictConfig below
# would reset "uvicorn.error" (a child of a configured logger) to inherit "uvicorn"'s INFO, and
# every WebSocket's "connection open" would be logged whatever the flag said. Keep its level.
_UVICORN_ERROR_LEVEL = logging.getLevelName(
    logging.getLogger("uvicorn.error").level or logging.INFO
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "chancetap.observability.logging.RequestIdFilter"},
        "housekeeping": {"()": "chancetap.observability.logging.HousekeepingFilter"},
    },
    "formatters": {"json": {"()": "chancetap.observability.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id", "housekeeping"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "aiogram": {"level": "INFO"},
        # uvicorn configures these before it imports the app; Django's dictConfig then points them
        # at our JSON handler, which scrubs credentials from paths (access log: "GET /x?token=..."
        # and "WebSocket /ws/...?token=..." lines). Levels stay as --log-level set them.
        "uvicorn": {"handlers": ["stdout"], "propagate": False},
        "uvicorn.error": {"level": _UVICORN_ERROR_LEVEL},
        "uvicorn.access": {"handlers": ["stdout"], "propagate": False},
    },
}
# --- Backups (docs/operations.md): pg_dump to an S3-compatible bucket, hourly ---------------------
BACKUP_S3_BUCKET = env.str("BACKUP_S3_BUCKET", default="")  # empty: backups off
BACKUP_S3_ENDPOINT_URL = env.str("BACKUP_S3_ENDPOINT_URL", default="")  # R2: https://<acct>.r2...
BACKUP_S3_REGION = env.str("BACKUP_S3_REGION", default="auto")
BACKUP_S3_ACCESS_KEY_ID = env.str("BACKUP_S3_ACCESS_KEY_ID", default="")
BACKUP_S3_SECRET_ACCESS_KEY = env.str("BACKUP_S3_SECRET_ACCESS_KEY", default="")
BACKUP_PREFIX = env.str("BACKUP_PREFIX", default="logical/")
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=14)
BACKUP_KEEP_COUNT = env.int("BACKUP_KEEP_COUNT", default=3)
# A role with BYPASSRLS (row-level security would hide rows from pg_dump); default DATABASE_URL.
BACKUP_DATABASE_URL = env.str("BACKUP_DATABASE_URL", default="")
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")
BACKUP_COMPRESS_LEVEL = env.int("BACKUP_COMPRESS_LEVEL", default=6)
BACKUP_PART_SIZE_MB = env.int("BACKUP_PART_SIZE_MB", default=16)
BACKUP_TEMP_DIR = env.str("BACKUP_TEMP_DIR", default="")
# Sentry and OpenTelemetry start in CoreConfig.ready (chancetap/observability/tracing.py), each
# only when configured.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="chancetap")
OTEL_TRACES_SAMPLER_ARG = env.float("OTEL_TRACES_SAMPLER_ARG", default=1.0)
