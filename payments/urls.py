from django.urls import path

from payments.apis import (
    InvoiceCreateApi,
    LedgerListApi,
    PaymentCancelApi,
    PaymentDetailApi,
    PaymentPendingListApi,
    TonProofPayloadApi,
    TonWalletApi,
    TonWalletVerifyApi,
)

urlpatterns = [
    path("payments/invoices", InvoiceCreateApi.as_view(), name="payments-invoice-create"),
    path("payments/pending", PaymentPendingListApi.as_view(), name="payments-pending"),
    path("payments/ledger", LedgerListApi.as_view(), name="payments-ledger"),
    path("payments/<uuid:payment_id>", PaymentDetailApi.as_view(), name="payments-detail"),
    path("payments/<uuid:payment_id>/cancel", PaymentCancelApi.as_view(), name="payments-cancel"),
    path("wallets/ton", TonWalletApi.as_view(), name="wallets-ton"),
    path("wallets/ton/payload", TonProofPayloadApi.as_view(), name="wallets-ton-payload"),
    path("wallets/ton/verify", TonWalletVerifyApi.as_view(), name="wallets-ton-verify"),
]
