"""Row locks in a fixed order (STYLE.md rule 4): balances are always locked by ascending user id."""

from __future__ import annotations

from collections.abc import Iterable

from payments.models import Balance


def balances_lock_in_tx(user_ids: Iterable[int]) -> dict[int, Balance]:
    """Create missing balance rows, then lock every one of them in ascending user-id order."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    Balance.objects.bulk_create(
        [Balance(user_id=uid, stars=0) for uid in ids], ignore_conflicts=True
    )
    rows = list(
        Balance.objects.filter(user_id__in=ids).order_by("pk").select_for_update(of=("self",))
    )
    return {row.user_id: row for row in rows}
