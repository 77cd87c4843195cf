"""Row locks in a fixed order (STYLE.md rule 4): balances are always locked by ascending user id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from payments.models import Balance


def balances_lock_in_tx(user_ids: Iterable[int]) -> dict[int, Balance]:
    """Create missing balance rows and lock all of them, in ascending user-id order, in one
    statement: ``INSERT … ON CONFLICT DO UPDATE`` takes each row's lock as it goes."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    now = timezone.now()
    table = Balance._meta.db_table
    values = ", ".join(["(%s, 0, 0, %s)"] * len(ids))
    params: list[Any] = []
    for uid in ids:
        params.extend([uid, now])
    sql = (
        f"INSERT INTO {table} (user_id, stars, debt, updated_at) VALUES {values} "  # noqa: S608 - no input
        "ON CONFLICT (user_id) DO UPDATE SET updated_at = EXCLUDED.updated_at "
        "RETURNING user_id, stars, debt"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        int(user_id): Balance(
            user_id=int(user_id), stars=int(stars), debt=int(debt), updated_at=now
        )
        for user_id, stars, debt in rows
    }
