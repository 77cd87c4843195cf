"""The support agent's player page: find a player, see everything about him, block or unblock him
with a reason (through ``user_set_blocked``, audited). Admin views: staff login required."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import User
from accounts.services import user_set_blocked
from chancetap.backoffice.selectors import player_file, player_find
from chancetap.backoffice.statistics import METRICS, bars_svg, statistics_csv, statistics_daily
from leaderboards.weeks import leaderboard_tz

VIEW_PERMISSION = "accounts.view_user"
BLOCK_PERMISSION = "accounts.block_user"


class BlockForm(forms.Form):
    reason = forms.CharField(max_length=255, widget=forms.Textarea(attrs={"rows": 2}))


def _staff(request: HttpRequest) -> User:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    assert isinstance(request.user, User)
    return request.user


def player_search(request: HttpRequest) -> HttpResponse:
    _staff(request)
    query = request.GET.get("q", "")
    if query:
        found = player_find(query)
        if found is not None:
            return redirect(reverse("backoffice-player", args=[found.tg_id]))
        messages.error(request, f"No player matches “{query}”.")
    return render(
        request,
        "backoffice/search.html",
        {**admin.site.each_context(request), "title": "Find a player", "query": query},
    )


def player_page(request: HttpRequest, tg_id: int) -> HttpResponse:
    staff = _staff(request)
    user = get_object_or_404(User, tg_id=tg_id)
    may_block = staff.has_perm(BLOCK_PERMISSION)
    form = BlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_block:
            raise PermissionDenied
        if form.is_valid():
            blocked = not user.is_blocked
            user_set_blocked(
                user=user, blocked=blocked, reason=form.cleaned_data["reason"], staff=staff
            )
            messages.success(request, "Blocked." if blocked else "Unblocked.")
            return redirect(reverse("backoffice-player", args=[tg_id]))
    file = player_file(user=user, ledger_page=request.GET.get("page", 1))
    return render(
        request,
        "backoffice/player.html",
        {
            **admin.site.each_context(request),
            "title": f"Player {user}",
            "file": file,
            "form": form,
            "may_block": may_block,
        },
    )


def statistics_page(request: HttpRequest) -> HttpResponse:
    """Daily figures for a range (default: the last 30 days), totals, small charts, CSV."""
    today = timezone.now().astimezone(leaderboard_tz()).date()
    try:
        end = date.fromisoformat(request.GET.get("end") or today.isoformat())
        start = date.fromisoformat(
            request.GET.get("start") or (end - timedelta(days=29)).isoformat()
        )
    except ValueError:
        return HttpResponseBadRequest("start and end are dates like 2026-12-01")
    if start > end or (end - start).days > 366:
        return HttpResponseBadRequest("Pick a range of at most a year, start before end.")
    stats = statistics_daily(start=start, end=end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(statistics_csv(stats), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="chancetap-{start.isoformat()}-{end.isoformat()}.csv"'
        )
        return response
    metrics = [
        {
            "key": key,
            "label": label,
            "unit": unit,
            "total": stats.total(key),
            "chart": mark_safe(bars_svg(stats.value(key, day) for day in stats.days)),  # noqa: S308 - numbers only
        }
        for key, label, unit in METRICS
    ]
    return render(
        request,
        "backoffice/statistics.html",
        {
            **admin.site.each_context(request),
            "title": "Statistics",
            "stats": stats,
            "metrics": metrics,
            "rows": stats.rows(),
            "start": start,
            "end": end,
        },
    )
