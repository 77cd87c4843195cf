"""Observability: JSON logs, Prometheus metrics, tracing, health checks, client telemetry and
credential scrubbing."""
