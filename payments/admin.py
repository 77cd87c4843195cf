"""Admin: presets, limits, rates, payments and the audited support refund."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from solo.admin import SingletonModelAdmin

from accounts.models import User
from chancetap.adminkit import ReasonForm, confirmed
from chancetap.core.errors import ApplicationError
from payments.models import (
    Balance,
    DonationPreset,
    LedgerEntry,
    Payment,
    PaymentSettings,
    RateSettings,
    RateSnapshot,
    StarCharge,
    StarDebt,
    SupportRefund,
    TonTopup,
    TonTransfer,
    TonWallet,
)
from payments.services import balance_adjust, support_refund_issue
from payments.ton_topups import ton_transfer_resolve

REFUND_PERMISSION = "payments.refund_starcharge"  # the "support" group has it (accounts.roles)
ADJUST_PERMISSION = "accounts.adjust_balance"
TON_RESOLVE_PERMISSION = "accounts.resolve_ton_transfer"


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DonationPreset)
class DonationPresetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("place", "title_en", "title_ru", "stars", "is_active")
    list_editable = ("stars", "is_active")


# The settings singletons (django-solo): their admin link opens the one row's form directly (created
# with its defaults when missing); nobody adds or deletes one.
admin.site.register(PaymentSettings, SingletonModelAdmin)
admin.site.register(RateSettings, SingletonModelAdmin)


@admin.register(RateSnapshot)
class RateSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("fetched_at", "rate", "source")


class BalanceAdjustForm(ReasonForm):
    stars = forms.IntegerField(help_text="Positive credits the player, negative takes Stars back.")
    # One key per form shown: submitting the same form twice adjusts once.
    key = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)


@admin.register(Balance)
class BalanceAdmin(ReadOnlyAdmin):
    list_display = ("user", "stars", "debt", "updated_at")
    search_fields = ("=user__tg_id", "user__username")
    actions = ["adjust"]

    def has_adjust_permission(self, request: HttpRequest) -> bool:
        """Django shows and runs the actions that need it only for staff with ADJUST_PERMISSION."""
        return request.user.has_perm(ADJUST_PERMISSION)

    @admin.action(description="Adjust the balance (support)", permissions=["adjust"])
    def adjust(self, request: HttpRequest, queryset: QuerySet[Balance]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Adjust one player's balance at a time.", messages.ERROR)
            return None
        data, page = confirmed(
            self,
            request,
            queryset,
            form_class=BalanceAdjustForm,
            action="adjust",
            title="Adjust a balance",
            explanation="A ledger adjustment with your name and the reason; the balance never "
            "goes below zero.",
            submit="Adjust",
        )
        if data is None:
            return page
        staff = request.user
        assert isinstance(staff, User)
        balance = queryset.get()
        try:
            balance_adjust(
                staff=staff,
                user_id=balance.user_id,
                stars=data["stars"],
                reason=data["reason"],
                key=data["key"],
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"Adjusted by {data['stars']:+d} ⭐.", messages.SUCCESS)
        return None


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "amount", "balance_after", "business_key")
    list_filter = ("kind",)
    search_fields = ("=user__tg_id", "business_key", "cause_id")
    date_hierarchy = "created_at"


class TonResolveForm(ReasonForm):
    player = forms.IntegerField(
        required=False,
        help_text="Telegram id of the player to credit: needed only when the transfer matched no "
        "order.",
    )


@admin.register(StarCharge)
class StarChargeAdmin(ReadOnlyAdmin):
    list_display = ("applied_at", "user", "purpose", "stars", "tons", "source", "refunded_at")
    list_filter = ("purpose", "source")
    search_fields = ("=user__tg_id", "telegram_payment_charge_id")
    actions = ["refund"]

    def has_refund_permission(self, request: HttpRequest) -> bool:
        """Django shows and runs the actions that need it only for staff with REFUND_PERMISSION."""
        return request.user.has_perm(REFUND_PERMISSION)

    @admin.action(
        description="Refund selected charges to the player (support)", permissions=["refund"]
    )
    def refund(self, request: HttpRequest, queryset: QuerySet[StarCharge]) -> HttpResponse | None:
        data, page = confirmed(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            action="refund",
            title="Refund Stars payments",
            explanation="Telegram returns these charges to the players; the Stars they added are "
            "taken back from their balances. A refund is refused when the balance no longer "
            "covers it. Every refund is recorded with your name and the reason.",
            submit="Refund",
        )
        if data is None:
            return page
        staff = request.user
        assert isinstance(staff, User)
        for charge in queryset:
            try:
                audit = support_refund_issue(
                    charge_id=charge.pk, staff=staff, reason=data["reason"]
                )
            except ApplicationError as exc:
                self.message_user(request, f"{charge}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{charge}: {audit.get_outcome_display()}", messages.SUCCESS
                )
        return None


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "purpose", "stars", "status", "paid_at")
    list_filter = ("status", "purpose")
    search_fields = ("=id", "=user__tg_id", "telegram_payment_charge_id")
    date_hierarchy = "created_at"


@admin.register(SupportRefund)
class SupportRefundAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "staff",
        "charge",
        "outcome",
        "attempts",
        "completed_at",
        "reason",
    )
    list_filter = ("outcome",)


@admin.register(StarDebt)
class StarDebtAdmin(ReadOnlyAdmin):
    """Stars players owe because Telegram refunded Stars they had already spent; later credits
    settle them (the ``debt_settlement`` ledger entries)."""

    list_display = ("created_at", "user", "charge", "amount", "settled", "remaining", "settled_at")
    list_filter = (("settled_at", admin.EmptyFieldListFilter),)
    search_fields = ("=user__tg_id", "charge__telegram_payment_charge_id")


@admin.register(TonWallet)
class TonWalletAdmin(ReadOnlyAdmin):
    list_display = ("user", "friendly_address", "wallet_version", "network", "linked_at")
    search_fields = ("=user__tg_id", "address", "friendly_address")


class TonTransferInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TonTransfer
    fields = ("received_at", "outcome", "value_nano", "excess_nano", "sender", "tx_hash")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TonTopup)
class TonTopupAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "user",
        "stars",
        "amount_nano",
        "received_nano",
        "comment",
        "status",
        "paid_at",
    )
    list_filter = ("status",)
    search_fields = ("=user__tg_id", "comment", "tx_hash", "transfers__tx_hash")
    inlines = [TonTransferInline]


@admin.register(TonTransfer)
class TonTransferAdmin(ReadOnlyAdmin):
    """Every transfer with an order's comment; the held ones (underpaid, duplicate, late,
    unmatched) are money support still has to settle with the player."""

    list_display = (
        "received_at",
        "outcome",
        "value_nano",
        "excess_nano",
        "comment",
        "user",
        "topup",
        "sender",
        "tx_hash",
    )
    list_filter = ("outcome", "receiver")
    search_fields = ("comment", "tx_hash", "sender", "=user__tg_id", "user__username")
    date_hierarchy = "received_at"
    list_select_related = ("user", "topup")
    actions = ["credit_transfers", "refund_transfers"]

    def has_settle_permission(self, request: HttpRequest) -> bool:
        """Django shows and runs the settle actions only for staff with the permission."""
        return request.user.has_perm(TON_RESOLVE_PERMISSION)

    @admin.action(
        description="Credit the held transfers to their players (support)", permissions=["settle"]
    )
    def credit_transfers(
        self, request: HttpRequest, queryset: QuerySet[TonTransfer]
    ) -> HttpResponse | None:
        return self._resolve(request, queryset, credit=True)

    @admin.action(
        description="Mark the held transfers for an on-chain refund (support)",
        permissions=["settle"],
    )
    def refund_transfers(
        self, request: HttpRequest, queryset: QuerySet[TonTransfer]
    ) -> HttpResponse | None:
        return self._resolve(request, queryset, credit=False)

    def _resolve(
        self, request: HttpRequest, queryset: QuerySet[TonTransfer], *, credit: bool
    ) -> HttpResponse | None:
        data, page = confirmed(
            self,
            request,
            queryset,
            form_class=TonResolveForm if credit else ReasonForm,
            action="credit_transfers" if credit else "refund_transfers",
            title="Credit held TON transfers" if credit else "Refund held TON transfers",
            explanation="Credit: the player gets the Stars the TON that arrived is worth."
            if credit
            else "Marked to be sent back from the wallet; nothing is credited.",
            submit="Credit" if credit else "Mark for refund",
        )
        if data is None:
            return page
        staff = request.user
        assert isinstance(staff, User)
        for transfer in queryset:
            try:
                ton_transfer_resolve(
                    staff=staff,
                    transfer_id=transfer.pk,
                    credit=credit,
                    reason=data["reason"],
                    user_id=data.get("player"),
                )
            except ApplicationError as exc:
                self.message_user(request, f"{transfer.comment}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{transfer.comment}: settled.", messages.SUCCESS)
        return None
