"""The admin site with a throttled login (issue #12).

Each failed login counts against the username + client address and against the address alone
(in the cache, i.e. Redis). After ``ADMIN_LOGIN_MAX_FAILURES`` failures for one username from one
address — or ten times as many for the address across usernames — every login POST from there
answers **429** ``admin_login_locked`` for ``ADMIN_LOGIN_LOCKOUT_SECONDS`` *without* checking the
password (no hashing CPU, and the right password does not get in either). A successful login
clears the username's counter. Failures, lockouts and refusals are logged (``chancetap.admin``).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from chancetap.observability import metrics
from chancetap.security.limits import client_ip

logger = logging.getLogger("chancetap.admin")

IP_FACTOR = 10


def _keys(request: HttpRequest) -> tuple[str, str, str]:
    ip = client_ip(request.META.get("REMOTE_ADDR"), request.headers.get("x-forwarded-for"))
    username = str(request.POST.get("username", ""))[:150].strip().lower()
    user_digest = hashlib.sha256(f"{username}\0{ip}".encode()).hexdigest()[:32]
    ip_digest = hashlib.sha256(ip.encode()).hexdigest()[:32]
    return ip, f"adminlogin:fail:{user_digest}", f"adminlogin:failip:{ip_digest}"


def _locked(user_key: str, ip_key: str) -> bool:
    limit = settings.ADMIN_LOGIN_MAX_FAILURES
    counts = cache.get_many([user_key, ip_key])
    return int(counts.get(user_key, 0)) >= limit or int(counts.get(ip_key, 0)) >= limit * IP_FACTOR


def _count_failure(key: str) -> int:
    # The counter lives for the lockout period from the first failure: a lockout lasts at most that.
    cache.add(key, 0, timeout=settings.ADMIN_LOGIN_LOCKOUT_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.ADMIN_LOGIN_LOCKOUT_SECONDS)
        return 1


@functools.cache
def login_form() -> type:
    """Staff sign in with their Telegram id: anything else is a wrong login (the user lookup
    would fail on a non-numeric id with a 500), answered like a wrong password. (Built on first
    use: the admin's forms import models, which this module, loaded with the app list, may not.)"""
    from django.contrib.admin.forms import AdminAuthenticationForm

    class ChanceTapAdminLoginForm(AdminAuthenticationForm):
        def clean(self) -> dict[str, Any]:
            username = str(self.cleaned_data.get("username") or "").strip()
            if username and not (username.isascii() and username.isdigit() and len(username) <= 19):
                raise self.get_invalid_login_error()
            return dict(super().clean())

    return ChanceTapAdminLoginForm


class ChanceTapAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        self.login_form = login_form()
        if request.method != "POST":
            return super().login(request, extra_context)
        ip, user_key, ip_key = _keys(request)
        if _locked(user_key, ip_key):
            metrics.limits_refused.labels(limit="admin_login_locked").inc()
            logger.warning("admin login refused: locked out", extra={"client_ip": ip})
            response = HttpResponse(
                "Too many failed logins. Try again later.", status=429, content_type="text/plain"
            )
            response["Retry-After"] = str(settings.ADMIN_LOGIN_LOCKOUT_SECONDS)
            return response
        response = super().login(request, extra_context)
        if request.user.is_authenticated and response.status_code == 302:
            cache.delete(user_key)
            logger.info("admin login succeeded", extra={"client_ip": ip})
            return response
        failures = _count_failure(user_key)
        _count_failure(ip_key)
        if failures >= settings.ADMIN_LOGIN_MAX_FAILURES:
            logger.warning(
                "admin login locked out",
                extra={"client_ip": ip, "failures": failures},
            )
        else:
            logger.info("admin login failed", extra={"client_ip": ip, "failures": failures})
        return response


class ChanceTapAdminConfig(AdminConfig):
    default_site = "chancetap.security.admin_site.ChanceTapAdminSite"
