from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import StaffAction, User
from accounts.services import user_set_blocked

BLOCK_PERMISSION = "accounts.block_user"  # the "support" group has it (accounts 0003)


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("-created_at",)
    list_display = ("tg_id", "username", "first_name", "last_name", "is_blocked", "created_at")
    list_filter = ("is_blocked", "is_staff", "language_code")
    search_fields = ("=tg_id", "username", "first_name", "last_name")
    # Blocking, from the list actions or the change form, goes through
    # accounts.services.user_set_blocked (boards hidden, open sockets closed, seat settled).
    readonly_fields = ("tg_id", "referrer", "created_at", "updated_at", "last_login")
    raw_id_fields = ()
    fieldsets = (
        (None, {"fields": ("tg_id", "password")}),
        (
            "Telegram profile",
            {"fields": ("username", "first_name", "last_name", "photo_url", "language_code")},
        ),
        ("Blocking", {"fields": ("is_blocked", "blocked_reason")}),
        ("Referral", {"fields": ("referrer",)}),
        ("Staff", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("created_at", "updated_at", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("tg_id", "password1", "password2")}),)
    actions = ["block_users", "unblock_users"]

    def has_block_permission(self, request: HttpRequest) -> bool:
        """Django shows and runs the actions that need it only for staff with BLOCK_PERMISSION."""
        return request.user.has_perm(BLOCK_PERMISSION)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("referrer", "created_at", "updated_at", "last_login")
        if not request.user.has_perm(BLOCK_PERMISSION):
            return (*self.readonly_fields, "is_blocked", "blocked_reason")
        return tuple(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        blocking = {"is_blocked", "blocked_reason"} & set(form.changed_data)
        if not change or not blocking:
            super().save_model(request, obj, form, change)
            return
        blocked, reason = obj.is_blocked, obj.blocked_reason
        before = User.objects.get(pk=obj.pk)
        obj.is_blocked, obj.blocked_reason = before.is_blocked, before.blocked_reason
        super().save_model(request, obj, form, change)  # everything else the form changed
        reason = reason or f"blocked by {request.user}"
        staff = _staff(request)
        # The admin saves inside its own transaction; the service is a durable use case of its own
        # (boards hidden, sockets closed), so it runs once that transaction has committed.
        transaction.on_commit(
            lambda: user_set_blocked(user=obj, blocked=blocked, reason=reason, staff=staff),
            robust=False,
        )

    @admin.action(description="Block selected users", permissions=["block"])
    def block_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        staff = _staff(request)
        for user in queryset:
            user_set_blocked(
                user=user, blocked=True, reason=f"blocked by {request.user}", staff=staff
            )
        self.message_user(request, f"Blocked {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Unblock selected users", permissions=["block"])
    def unblock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        staff = _staff(request)
        for user in queryset:
            user_set_blocked(user=user, blocked=False, reason="unblocked", staff=staff)
        self.message_user(request, f"Unblocked {queryset.count()} user(s).", messages.SUCCESS)


@admin.register(StaffAction)
class StaffActionAdmin(admin.ModelAdmin):
    """The audit log: every support tool used, refused attempts included (read-only)."""

    list_display = (
        "created_at",
        "staff",
        "kind",
        "player",
        "subject",
        "stars",
        "outcome",
        "reason",
    )
    list_filter = ("kind", "outcome")
    search_fields = ("=staff__tg_id", "=player__tg_id", "subject", "reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
