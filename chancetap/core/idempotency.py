"""``Idempotency-Key`` semantics (SPEC §8), shared by room creation, room join and payments.

- same key + same body → the stored response is replayed;
- same key + another body → 422 ``idempotency_key_mismatch``;
- the same key while the first request is still running → 409 ``idempotency_in_flight``.

The effect and its stored answer commit in one transaction. On PostgreSQL a transaction-scoped
advisory lock on (user, scope, key) detects a concurrent twin without waiting for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from chancetap.core.errors import ApplicationError, ConflictError
from chancetap.core.models import IdempotencyRecord

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class IdempotentResponse:
    status: int
    body: Any
    replayed: bool


def idempotency_key_validate(raw: str | None, *, required: bool = True) -> str | None:
    if raw is None or raw == "":
        if required:
            raise ApplicationError(
                "idempotency_key_required", "Send an Idempotency-Key header with this request."
            )
        return None
    if not KEY_PATTERN.match(raw):
        raise ApplicationError(
            "idempotency_key_invalid",
            "Idempotency-Key must be 8–128 characters of letters, digits, '_', '-', '.', ':'.",
        )
    return raw


def request_fingerprint(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _advisory_key(user_id: int, scope: str, key: str) -> int:
    digest = hashlib.blake2b(f"{user_id}:{scope}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _try_lock(user_id: int, scope: str, key: str) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite serialises writers; there is no concurrent twin to detect
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_advisory_key(user_id, scope, key)])
        row = cursor.fetchone()
    return bool(row and row[0])


def _replay(record: IdempotencyRecord, fingerprint: str) -> IdempotentResponse:
    if record.request_hash != fingerprint:
        raise ApplicationError(
            "idempotency_key_mismatch",
            "This Idempotency-Key was used with a different request.",
            status=422,
        )
    return IdempotentResponse(record.response_status, record.response_body, replayed=True)


def idempotent_execute(
    *,
    user_id: int,
    scope: str,
    key: str,
    body: Any,
    action: Callable[[], tuple[int, Any]],
) -> IdempotentResponse:
    """Run ``action`` (inside this transaction) once per (user, scope, key) and store its answer."""
    fingerprint = request_fingerprint(body)
    with transaction.atomic(durable=True):
        if not _try_lock(user_id, scope, key):
            raise ConflictError(
                "idempotency_in_flight",
                "A request with this Idempotency-Key is still being processed.",
            )
        record = IdempotencyRecord.objects.filter(user_id=user_id, scope=scope, key=key).first()
        if record is not None:
            return _replay(record, fingerprint)
        status, response_body = action()
        IdempotencyRecord.objects.create(
            user_id=user_id,
            scope=scope,
            key=key,
            request_hash=fingerprint,
            response_status=status,
            response_body=json.loads(json.dumps(response_body, default=str)),
        )
        return IdempotentResponse(status, response_body, replayed=False)


def idempotency_records_expire(*, older_than: timedelta = RETENTION) -> int:
    cutoff = timezone.now() - older_than
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)


__all__ = [
    "IdempotentResponse",
    "idempotency_key_validate",
    "idempotency_records_expire",
    "idempotent_execute",
    "request_fingerprint",
]
