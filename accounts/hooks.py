"""What the other apps do when an account changes, inside the account's own transaction.

``accounts`` is the base app and imports none of the others. The apps that must react register
here when Django starts (their ``AppConfig.ready``): referrals resolve a new player's referrer,
leaderboards count the referral and hide a blocked player, rooms settle his seat and close his
sockets. Explicit calls in registration order, in the caller's transaction — not Django signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import User

ReferrerResolver = Callable[[str, int], User | None]  # (start_param, new tg_id) → referrer


@dataclass
class AccountHooks:
    referrer_resolver: ReferrerResolver | None = None
    created: list[Callable[[User], None]] = field(default_factory=list)
    block_changed: list[Callable[[User, bool], None]] = field(default_factory=list)


hooks = AccountHooks()


def referrer_resolver_set(resolver: ReferrerResolver) -> None:
    hooks.referrer_resolver = resolver


def user_created_hook_add(hook: Callable[[User], None]) -> None:
    """``hook(user)`` runs in the transaction that created the player."""
    if hook not in hooks.created:
        hooks.created.append(hook)


def user_block_hook_add(hook: Callable[[User, bool], None]) -> None:
    """``hook(user, blocked)`` runs in the transaction that blocked or unblocked the player."""
    if hook not in hooks.block_changed:
        hooks.block_changed.append(hook)
