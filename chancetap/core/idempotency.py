"""``Idempotency-Key`` semantics (SPEC §8), shared by room creation, room join and payments.

- same key + same body → the stored response is replayed;
- same key + another body → 422 ``idempotency_key_mismatch``;
- the same key while the first request is still running → 409 ``idempotency_in_flight``.

The effect and its stored answer commit in one transaction: ``idempotent_execute`` opens it
(the API edge, ``chancetap.api.idempotent.IdempotentApiMixin``), runs the use case inside it (a
service whose own transaction is a ``chancetap.core.transactions.atomic_use_case``, which joins
this one), renders the domain object the service returned and stores the rendered body before
the commit. On PostgreSQL a transaction-scoped advisory lock on (user, scope, key) detects a
concurrent twin without waiting for it.

Services know nothing of this module: they return models or dataclasses, never status codes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from chancetap.core.errors import ApplicationError, ConflictError
from chancetap.core.models import IdempotencyRecord
from chancetap.core.transactions import use_cases_join

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
RETENTION = timedelta(hours=24)
T = TypeVar("T")


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
    action: Callable[[], T],
    render: Callable[[T], Any],
    status: int,
) -> IdempotentResponse:
    """Run ``action`` once per (user, scope, key) in one durable transaction with its answer.

    ``render`` turns what the action returned into the response body; it runs inside the
    transaction, so the stored body is committed with the effect (room joins move money here).
    """
    fingerprint = request_fingerprint(body)
    edge = transaction.atomic(durable=True)
    with edge:
        if not _try_lock(user_id, scope, key):
            raise ConflictError(
                "idempotency_in_flight",
                "A request with this Idempotency-Key is still being processed.",
            )
        record = IdempotencyRecord.objects.filter(user_id=user_id, scope=scope, key=key).first()
        if record is not None:
            return _replay(record, fingerprint)
        with use_cases_join(edge):
            result = action()
        response_body = json.loads(json.dumps(render(result), default=str))
        IdempotencyRecord.objects.create(
            user_id=user_id,
            scope=scope,
            key=key,
            request_hash=fingerprint,
            response_status=status,
            response_body=response_body,
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
