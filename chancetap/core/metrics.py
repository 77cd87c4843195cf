"""Custom Prometheus metrics shared across apps (django-prometheus covers requests, DB, cache)."""

from __future__ import annotations

from prometheus_client import Counter

user_create_failures = Counter(
    "chancetap_user_create_failures_total",
    "First logins that failed after retrying transient database errors.",
)
auth_failures = Counter(
    "chancetap_auth_failures_total",
    "Refused logins and tokens, by error code.",
    ["code"],
)
payments_total = Counter(
    "chancetap_payments_total",
    "Payments by status transition and purpose.",
    ["status", "purpose"],
)
