from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User


def referral_list(*, referrer: User) -> QuerySet[User, Any]:
    """The players ``referrer`` brought, newest first (the API pages through it)."""
    return (
        User.objects.filter(referrer=referrer)
        .order_by("-created_at", "tg_id")
        .values("tg_id", "username", "first_name", "photo_url", "created_at")
    )


def referral_count(*, referrer: User) -> int:
    """One referrer's own rows, through the ``referrer`` index: cheap to count."""
    return User.objects.filter(referrer=referrer).count()
