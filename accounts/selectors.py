from __future__ import annotations

from accounts.models import User


def user_get(*, tg_id: int) -> User | None:
    return User.objects.filter(tg_id=tg_id).first()
