from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.api.idempotent import IDEMPOTENCY_PARAMETERS, IdempotentApiMixin
from chancetap.api.pagination import LimitOffsetPagination, PageQuerySerializer, PageSerializer
from chancetap.core.errors import ApplicationError, NotFoundError
from chancetap.core.fields import StrictCharField
from chancetap.security.throttles import CodedRateThrottle
from payments.models import Payment, TonWallet
from payments.selectors import (
    ledger_list_for_user,
    payment_get_for_user,
    payment_list_pending,
    star_charges_for_user,
)
from payments.serializers import (
    LedgerEntrySerializer,
    PaymentSerializer,
    StarChargeSerializer,
    TonTopupSerializer,
    TonWalletSerializer,
)
from payments.services import (
    invoice_create,
    invoice_link_ensure,
    payment_cancel,
    payment_settings_get,
)
from payments.ton import TonProof
from payments.ton_topups import TonApiError, ton_topup_create, ton_topup_get, ton_topups_poll
from payments.wallets import ton_proof_payload_issue, ton_wallet_link, ton_wallet_unlink


class InvoiceRateThrottle(CodedRateThrottle):
    """Invoice requests per player per minute: ``PaymentSettings.invoices_per_minute``, which the
    admin sets (read with each request). An excess is 429 ``rate_limited`` with ``retry_after``."""

    scope = "invoice"
    code = "rate_limited"
    message = "Too many payment requests. Please wait a minute."

    def get_rate(self) -> str:
        return f"{payment_settings_get().invoices_per_minute}/min"


class InvoiceCreateApi(IdempotentApiMixin, APIView):
    """Create a Stars invoice (top-up or donation) for ``Telegram.WebApp.openInvoice``."""

    throttle_classes = [*APIView.throttle_classes, InvoiceRateThrottle]  # the defaults too

    class InputSerializer(serializers.Serializer[dict[str, object]]):
        purpose = serializers.ChoiceField(choices=Payment.Purpose.choices)
        stars = serializers.IntegerField(required=False, min_value=1, max_value=10_000_000)
        preset_id = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    OutputSerializer = PaymentSerializer
    idempotency_scope = "payments.invoice"

    @extend_schema(
        request=InputSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request_user(request)
        purpose, stars, preset_id = str(data["purpose"]), data.get("stars"), data.get("preset_id")
        return self.idempotent(
            request,
            fingerprint={"purpose": purpose, "stars": stars, "preset_id": preset_id},
            action=lambda: invoice_create(
                user=user, purpose=purpose, stars=stars, preset_id=preset_id
            ),
            # Telegram's link, with no transaction held; again on a replay that has none yet.
            after=lambda body: invoice_link_ensure(user=user, payment_id=uuid.UUID(body["id"])),
        )


class PaymentPendingListApi(APIView):
    """Unfinished invoices for the "Continue" / "Cancel" card."""

    @extend_schema(responses={200: PaymentSerializer(many=True)})
    def get(self, request: Request) -> Response:
        payments = payment_list_pending(user_id=request_user(request).tg_id)
        return Response(PaymentSerializer(payments, many=True).data)


class PaymentDetailApi(APIView):
    @extend_schema(responses={200: PaymentSerializer})
    def get(self, request: Request, payment_id: uuid.UUID) -> Response:
        payment = payment_get_for_user(user_id=request_user(request).tg_id, payment_id=payment_id)
        if payment is None:
            raise NotFoundError("payment_not_found", "No such payment.")
        return Response(PaymentSerializer(payment).data)


class PaymentCancelApi(APIView):
    @extend_schema(request=None, responses={200: PaymentSerializer})
    def post(self, request: Request, payment_id: uuid.UUID) -> Response:
        payment = payment_cancel(user=request_user(request), payment_id=payment_id)
        return Response(PaymentSerializer(payment).data)


class LedgerListApi(APIView):
    """The caller's Stars history, newest first, a page at a time."""

    class OutputSerializer(PageSerializer):
        items = LedgerEntrySerializer(many=True)

    @extend_schema(
        operation_id="payments_ledger_list",
        parameters=[PageQuerySerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        entries = paginator.paginate_queryset(
            ledger_list_for_user(user_id=request_user(request).tg_id), request, view=self
        )
        return Response(self.OutputSerializer(paginator.page(entries)).data)


class StarChargeListApi(APIView):
    """The caller's Stars payments (top-ups and donations), newest first, a page at a time."""

    class OutputSerializer(PageSerializer):
        items = StarChargeSerializer(many=True)

    @extend_schema(
        operation_id="payments_charges_list",
        parameters=[PageQuerySerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        charges = paginator.paginate_queryset(
            star_charges_for_user(user_id=request_user(request).tg_id), request, view=self
        )
        return Response(self.OutputSerializer(paginator.page(charges)).data)


class TonProofPayloadApi(APIView):
    """A one-time payload for TON Connect's ``tonProof`` request."""

    class OutputSerializer(serializers.Serializer[Any]):
        payload = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        issued = ton_proof_payload_issue(user=request_user(request))
        return Response(self.OutputSerializer(issued).data, status=201)


class TonWalletVerifyApi(APIView):
    """Verify a TON Connect ``ton_proof`` and link the wallet to the caller."""

    class DomainSerializer(serializers.Serializer[dict[str, object]]):
        lengthBytes = serializers.IntegerField(min_value=1, max_value=255)  # noqa: N815 - wire name
        value = StrictCharField(max_length=255)

    class ProofSerializer(serializers.Serializer[dict[str, object]]):
        timestamp = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
        domain = serializers.DictField()
        signature = StrictCharField(max_length=200)
        payload = StrictCharField(max_length=128)
        state_init = StrictCharField(max_length=8192)

    class InputSerializer(serializers.Serializer[dict[str, object]]):
        address = StrictCharField(max_length=80)
        network = serializers.ChoiceField(choices=["-239", "-3"])
        public_key = StrictCharField(max_length=64, required=False, allow_blank=True, default="")
        proof = serializers.DictField()

    @extend_schema(request=InputSerializer, responses={200: TonWalletSerializer})
    def post(self, request: Request) -> Response:
        outer = self.InputSerializer(data=request.data)
        outer.is_valid(raise_exception=True)
        proof = self.ProofSerializer(data=outer.validated_data["proof"])
        proof.is_valid(raise_exception=True)
        domain = self.DomainSerializer(data=proof.validated_data["domain"])
        domain.is_valid(raise_exception=True)
        wallet = ton_wallet_link(
            user=request_user(request),
            proof=TonProof(
                address=str(outer.validated_data["address"]),
                network=str(outer.validated_data["network"]),
                public_key=str(outer.validated_data["public_key"]),
                timestamp=int(proof.validated_data["timestamp"]),
                domain=str(domain.validated_data["value"]),
                domain_length=int(domain.validated_data["lengthBytes"]),
                payload=str(proof.validated_data["payload"]),
                signature=str(proof.validated_data["signature"]),
                state_init=str(proof.validated_data["state_init"]),
            ),
        )
        return Response(TonWalletSerializer(wallet).data)


class TonWalletApi(APIView):
    """The caller's linked TON wallet (GET) or unlink it (DELETE)."""

    @extend_schema(responses={200: TonWalletSerializer})
    def get(self, request: Request) -> Response:
        wallet = TonWallet.objects.filter(user=request_user(request)).first()
        if wallet is None:
            raise NotFoundError("ton_wallet_not_linked", "No TON wallet is linked.")
        return Response(TonWalletSerializer(wallet).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        ton_wallet_unlink(user=request_user(request))
        return Response(status=204)


class TonTopupCreateApi(IdempotentApiMixin, APIView):
    """Order a Stars top-up paid in TON (send ``amount_nano`` with ``payload`` via TON Connect)."""

    class InputSerializer(serializers.Serializer[dict[str, int]]):
        stars = serializers.IntegerField(min_value=1, max_value=10_000_000)

    OutputSerializer = TonTopupSerializer
    idempotency_scope = "payments.ton_topup"

    @extend_schema(
        request=InputSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, stars = request_user(request), int(serializer.validated_data["stars"])
        return self.idempotent(
            request,
            fingerprint={"stars": stars},
            action=lambda: ton_topup_create(user=user, stars=stars),
        )


class TonTopupDetailApi(APIView):
    throttle_scope = "ton_check"

    @extend_schema(responses={200: TonTopupSerializer})
    def get(self, request: Request, topup_id: uuid.UUID) -> Response:
        topup = ton_topup_get(user=request_user(request), topup_id=topup_id)
        return Response(TonTopupSerializer(topup).data)


# A check runs inside the player's request: a short look (the periodic poll reads long backlogs).
CHECK_MAX_PAGES = 2


class TonTopupCheckApi(APIView):
    """Look for the transfer now (the app calls this after the wallet says it was sent)."""

    # THROTTLE_TON_CHECK per player, shared with the order's status; within it, a player's checks
    # ask the TON API at most once per 5 s (the others answer the order as it stands).
    throttle_scope = "ton_check"

    @extend_schema(request=None, responses={200: TonTopupSerializer})
    def post(self, request: Request, topup_id: uuid.UUID) -> Response:
        user = request_user(request)
        topup = ton_topup_get(user=user, topup_id=topup_id)
        if topup.status != "paid" and cache.add(f"ton-check:{user.tg_id}", 1, timeout=5):
            try:
                ton_topups_poll(max_pages=CHECK_MAX_PAGES)
            except TonApiError as exc:
                raise ApplicationError(
                    "ton_api_unavailable", "Could not reach the TON network. Try again.", status=502
                ) from exc
            topup.refresh_from_db()
        return Response(TonTopupSerializer(topup).data)
