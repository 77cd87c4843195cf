from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from accounts.services import user_set_blocked


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("-created_at",)
    list_display = ("tg_id", "username", "first_name", "last_name", "is_blocked", "created_at")
    list_filter = ("is_blocked", "is_staff", "language_code")
    search_fields = ("=tg_id", "username", "first_name", "last_name")
    # Blocking goes through the list actions (accounts.services.user_set_blocked: leaderboards
    # hidden, open sockets closed); the change form shows it only.
    readonly_fields = (
        "tg_id",
        "referrer",
        "is_blocked",
        "blocked_reason",
        "created_at",
        "updated_at",
        "last_login",
    )
    raw_id_fields = ()
    fieldsets = (
        (None, {"fields": ("tg_id", "password")}),
        (
            "Telegram profile",
            {"fields": ("username", "first_name", "last_name", "photo_url", "language_code")},
        ),
        ("Blocking", {"fields": ("is_blocked", "blocked_reason")}),
        ("Referral", {"fields": ("referrer",)}),
        ("Staff", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("created_at", "updated_at", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("tg_id", "password1", "password2")}),)
    actions = ["block_users", "unblock_users"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("referrer", "created_at", "updated_at", "last_login")
        return tuple(self.readonly_fields)

    @admin.action(description="Block selected users")
    def block_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_set_blocked(user=user, blocked=True, reason=f"blocked by {request.user}")
        self.message_user(request, f"Blocked {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Unblock selected users")
    def unblock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_set_blocked(user=user, blocked=False)
        self.message_user(request, f"Unblocked {queryset.count()} user(s).", messages.SUCCESS)
