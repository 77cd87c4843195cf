"""Tracing and error reporting, both off unless configured (SPEC §9).

* OpenTelemetry: with ``OTEL_EXPORTER_OTLP_ENDPOINT`` set (e.g. ``http://jaeger:4318``), Django
  requests, Celery tasks and, inside them, PostgreSQL statements (psycopg) and Redis commands
  become spans exported over OTLP/HTTP to ``<endpoint>/v1/traces``; OpenTelemetry's logging
  instrumentation puts ``otelTraceID``/``otelSpanID`` on log records so Loki lines link to Jaeger.
  All of it is the maintained instrumentations; without the endpoint nothing is imported or
  patched.
* Sentry: with ``SENTRY_DSN`` set, errors from Django, Celery and Channels (WebSocket consumers
  through :func:`asgi_wrap`) and error logs are sent to Sentry.

Neither sends a credential: Sentry events pass through ``scrub.sentry_before_send`` and request
spans through :func:`_scrub_span` (``http.url``, ``http.target``, ``url.query`` keep their
shape, with ``token=[scrubbed]``).

:func:`observability_init` runs once per process from ``CoreConfig.ready``. (Database and cache
metrics come from django-prometheus's database engine and cache backend, set in settings.)
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_state: dict[str, Any] = {"otel": None, "sentry": False}

# Requests not worth a span: probes and scrapes.
EXCLUDED_URLS = "healthz,readyz,metrics,static/"


def observability_init() -> None:
    sentry_init()
    otel_init()


# --- OpenTelemetry --------------------------------------------------------------------------------
def otel_enabled() -> bool:
    return _state["otel"] is not None


def _traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else f"{endpoint}/v1/traces"


def otel_init() -> bool:
    """Set up the tracer provider and instrument Django and Celery; False when not configured."""
    endpoint = getattr(settings, "OTEL_EXPORTER_OTLP_ENDPOINT", "")
    if not endpoint:
        return False
    with _lock:
        if _state["otel"] is not None:
            return True
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.celery import CeleryInstrumentor
        from opentelemetry.instrumentation.django import DjangoInstrumentor
        from opentelemetry.instrumentation.logging import LoggingInstrumentor
        from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

        provider = TracerProvider(
            resource=Resource.create(
                {
                    "service.name": settings.OTEL_SERVICE_NAME,
                    "deployment.environment": settings.SENTRY_ENVIRONMENT,
                }
            ),
            sampler=ParentBased(TraceIdRatioBased(settings.OTEL_TRACES_SAMPLER_ARG)),
        )
        # The batch processor restarts its export thread after a fork (Celery's prefork pool).
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(endpoint), timeout=5))
        )
        trace.set_tracer_provider(provider)
        DjangoInstrumentor().instrument(
            tracer_provider=provider, excluded_urls=EXCLUDED_URLS, request_hook=_scrub_span
        )
        CeleryInstrumentor().instrument(tracer_provider=provider)
        # Statements only, never their parameters (a statement's values stay out of Jaeger).
        PsycopgInstrumentor().instrument(tracer_provider=provider)
        RedisInstrumentor().instrument(tracer_provider=provider)
        # Trace ids on log records; OpenTelemetry's own log handler stays off (lines go to stdout
        # as JSON, Loki collects them).
        LoggingInstrumentor().instrument(
            tracer_provider=provider,
            inject_trace_context=True,
            enable_log_auto_instrumentation=False,
        )
        _state["otel"] = provider
    logger.info(
        "tracing to %s",
        _traces_url(endpoint),
        extra={"event": "tracing_enabled", "service": settings.OTEL_SERVICE_NAME},
    )
    return True


def otel_shutdown() -> None:
    """Export what is buffered (tests, process exit)."""
    provider = _state["otel"]
    if provider is not None:
        provider.force_flush()
        provider.shutdown()


def _scrub_span(span: Any, request: Any = None) -> None:
    """Django request hook: rewrite string attributes that carry a credential (``http.url``,
    ``http.target``, ``url.query``...). It runs after the middleware has set every request
    attribute, so nothing overwrites it (a span processor's on_start would be)."""
    from chancetap.observability.scrub import scrub

    if not span.is_recording():
        return
    for key, value in dict(getattr(span, "attributes", None) or {}).items():
        if isinstance(value, str) and (clean := scrub(value)) != value:
            span.set_attribute(key, clean)


# --- Sentry ---------------------------------------------------------------------------------------
def sentry_enabled() -> bool:
    return bool(_state["sentry"])


def sentry_init() -> bool:
    dsn = getattr(settings, "SENTRY_DSN", "")
    if not dsn:
        return False
    with _lock:
        if _state["sentry"]:
            return True
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
        from sentry_sdk.integrations.logging import LoggingIntegration
        from sentry_sdk.integrations.redis import RedisIntegration

        from chancetap.observability.scrub import sentry_before_send

        sentry_sdk.init(
            dsn=dsn,
            environment=settings.SENTRY_ENVIRONMENT,
            traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
            send_default_pii=False,
            before_send=sentry_before_send,
            before_send_transaction=sentry_before_send,
            integrations=[
                DjangoIntegration(),
                CeleryIntegration(monitor_beat_tasks=False),
                RedisIntegration(),
                LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
            ],
        )
        _state["sentry"] = True
    return True


def asgi_wrap(app: Any) -> Any:
    """Report errors of WebSocket consumers (Channels) to Sentry when it is on."""
    if not sentry_enabled():
        return app
    from sentry_sdk.integrations.asgi import SentryAsgiMiddleware

    return SentryAsgiMiddleware(app)
