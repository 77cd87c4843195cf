from __future__ import annotations

from typing import Any

from accounts.models import User


def referral_list(*, referrer: User, limit: int, offset: int) -> dict[str, Any]:
    qs = User.objects.filter(referrer=referrer).order_by("-created_at", "tg_id")
    rows = list(
        qs.values("tg_id", "username", "first_name", "photo_url", "created_at")[
            offset : offset + limit + 1
        ]
    )
    return {"items": rows[:limit], "has_more": len(rows) > limit, "total": qs.count()}
