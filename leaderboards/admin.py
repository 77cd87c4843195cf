from __future__ import annotations

from django.contrib import admin

from leaderboards.models import Donation
from payments.admin import ReadOnlyAdmin


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "stars", "tons", "week_key", "referrer", "refunded_at")
    list_filter = ("week_key",)
    search_fields = ("=user__tg_id", "charge_id")
    date_hierarchy = "created_at"
