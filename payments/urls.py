from django.urls import path

from payments.apis import (
    InvoiceCreateApi,
    LedgerListApi,
    PaymentCancelApi,
    PaymentDetailApi,
    PaymentPendingListApi,
    StarChargeListApi,
    TonProofPayloadApi,
    TonTopupCheckApi,
    TonTopupCreateApi,
    TonTopupDetailApi,
    TonWalletApi,
    TonWalletVerifyApi,
)
from payments.dev_apis import DevTopupCompleteApi

urlpatterns = [
    path("payments/invoices", InvoiceCreateApi.as_view(), name="payments-invoice-create"),
    # Debug builds only (404 otherwise): a top-up paid without Telegram, through our own webhook.
    path("payments/dev/topups", DevTopupCompleteApi.as_view(), name="payments-dev-topup"),
    path("payments/pending", PaymentPendingListApi.as_view(), name="payments-pending"),
    path("payments/ledger", LedgerListApi.as_view(), name="payments-ledger"),
    path("payments/charges", StarChargeListApi.as_view(), name="payments-charges"),
    path("payments/<uuid:payment_id>", PaymentDetailApi.as_view(), name="payments-detail"),
    path("payments/<uuid:payment_id>/cancel", PaymentCancelApi.as_view(), name="payments-cancel"),
    path("payments/ton/topups", TonTopupCreateApi.as_view(), name="ton-topup-create"),
    path("payments/ton/topups/<uuid:topup_id>", TonTopupDetailApi.as_view(), name="ton-topup"),
    path(
        "payments/ton/topups/<uuid:topup_id>/check",
        TonTopupCheckApi.as_view(),
        name="ton-topup-check",
    ),
    path("wallets/ton", TonWalletApi.as_view(), name="wallets-ton"),
    path("wallets/ton/payload", TonProofPayloadApi.as_view(), name="wallets-ton-payload"),
    path("wallets/ton/verify", TonWalletVerifyApi.as_view(), name="wallets-ton-verify"),
]
