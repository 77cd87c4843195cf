from __future__ import annotations

from django.contrib import admin

from payments.admin import ReadOnlyAdmin, SingletonAdmin
from rooms.models import BonusRun, BonusSettings, Room, RoomSettings, RoomTier, Seat


@admin.register(RoomTier)
class RoomTierAdmin(admin.ModelAdmin):
    list_display = ("stars", "is_active", "position")
    list_editable = ("is_active", "position")


@admin.register(RoomSettings)
class RoomSettingsAdmin(SingletonAdmin):
    list_display = ("house_share_bp", "hero_min_fee", "hero_max_fee")


@admin.register(BonusSettings)
class BonusSettingsAdmin(SingletonAdmin):
    list_display = ("target_taps", "duration_hours", "reward_stars")


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    can_delete = False
    readonly_fields = ("user", "number", "joined_at", "left_at", "taps", "cheater")
    fields = readonly_fields


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "fee", "phase", "seated", "winner", "prize", "created_at")
    list_filter = ("kind", "phase")
    # A player finds every room he sat in (by Telegram id or username), not only those he organised.
    search_fields = (
        "=id",
        "key",
        "=organizer__tg_id",
        "=seats__user__tg_id",
        "seats__user__username",
    )
    inlines = [SeatInline]


@admin.register(BonusRun)
class BonusRunAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "taps", "target_taps", "started_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("=user__tg_id",)
