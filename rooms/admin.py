from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from solo.admin import SingletonModelAdmin

from accounts.models import User
from chancetap.adminkit import ReasonForm, confirmed
from chancetap.core.errors import ApplicationError
from payments.admin import ReadOnlyAdmin
from rooms.models import BonusRun, BonusSettings, Room, RoomSettings, RoomTier, Seat
from rooms.services import room_cancel_by_staff

CANCEL_PERMISSION = "accounts.cancel_room"  # the "support" group has it (accounts.roles)


@admin.register(RoomTier)
class RoomTierAdmin(admin.ModelAdmin):
    list_display = ("stars", "is_active", "position")
    list_editable = ("is_active", "position")


# The settings singletons (django-solo, as payments.admin registers its own).
admin.site.register(RoomSettings, SingletonModelAdmin)
admin.site.register(BonusSettings, SingletonModelAdmin)


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
    actions = ["cancel_rooms"]

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        """Django shows and runs the actions that need it only for staff with CANCEL_PERMISSION."""
        return request.user.has_perm(CANCEL_PERMISSION)

    @admin.action(description="Cancel and refund every seat (support)", permissions=["cancel"])
    def cancel_rooms(self, request: HttpRequest, queryset: QuerySet[Room]) -> HttpResponse | None:
        data, page = confirmed(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            action="cancel_rooms",
            title="Cancel rooms",
            explanation="Each room still open or in play is cancelled and every seat gets its "
            "fee back once; a room that is over is left as it is.",
            submit="Cancel and refund",
        )
        if data is None:
            return page
        staff = request.user
        assert isinstance(staff, User)
        for room in queryset:
            try:
                room_cancel_by_staff(staff=staff, room_id=room.pk, reason=data["reason"])
            except ApplicationError as exc:
                self.message_user(request, f"Room {room.pk}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"Room {room.pk}: cancelled.", messages.SUCCESS)
        return None


@admin.register(BonusRun)
class BonusRunAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "taps", "target_taps", "started_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("=user__tg_id",)
