"""The player's own profile across the apps: ``/me``, the login answer, ``/referrals/attach`` and
``ws/me/``'s ``hello`` (a composition above accounts, payments, leaderboards, referrals, rooms)."""
