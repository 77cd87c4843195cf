from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.core.errors import ApplicationError, NotFoundError
from chancetap.core.fields import StrictCharField
from chancetap.core.i18n import language_for
from chancetap.core.idempotency import idempotency_key_validate
from leaderboards.selectors import weekly_rank_with
from leaderboards.weeks import week_key_for
from payments.models import Payment, TonWallet
from payments.rates import rate_get, tons_for_stars
from payments.selectors import (
    ledger_list_for_user,
    payment_get_for_user,
    payment_list_pending,
    preset_list_active,
)
from payments.services import (
    invoice_create,
    payment_cancel,
    payment_public,
    payment_settings_get,
)
from payments.ton import TonProof
from payments.ton_topups import (
    TonApiError,
    ton_topup_create,
    ton_topup_get,
    ton_topup_public,
    ton_topups_poll,
)
from payments.wallets import (
    ton_proof_payload_issue,
    ton_wallet_link,
    ton_wallet_public,
    ton_wallet_unlink,
)

PAYMENT_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "id": serializers.UUIDField(),
    "purpose": serializers.ChoiceField(choices=Payment.Purpose.choices),
    "stars": serializers.IntegerField(),
    "status": serializers.ChoiceField(choices=Payment.Status.choices),
    "invoice_link": serializers.CharField(),
    "preset_id": serializers.IntegerField(allow_null=True),
    "tons": serializers.CharField(allow_null=True),
    "created_at": serializers.DateTimeField(),
    "paid_at": serializers.DateTimeField(allow_null=True),
}
PaymentSerializer = inline_serializer(name="Payment", fields=PAYMENT_FIELDS)
PaymentListSerializer = inline_serializer(name="PaymentList", fields=PAYMENT_FIELDS, many=True)
TonWalletSerializer = inline_serializer(
    name="TonWallet",
    fields={
        "address": serializers.CharField(),
        "raw_address": serializers.CharField(),
        "wallet_version": serializers.CharField(),
        "network": serializers.CharField(),
        "linked_at": serializers.DateTimeField(),
    },
)
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True
)


class InvoiceCreateApi(APIView):
    """Create a Stars invoice (top-up or donation) for ``Telegram.WebApp.openInvoice``."""

    class InputSerializer(serializers.Serializer[dict[str, object]]):
        purpose = serializers.ChoiceField(choices=Payment.Purpose.choices)
        stars = serializers.IntegerField(required=False, min_value=1, max_value=10_000_000)
        preset_id = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    @extend_schema(
        request=InputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: PaymentSerializer},
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key_validate(request.headers.get("Idempotency-Key"))
        assert key is not None
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = invoice_create(
            user=request_user(request),
            purpose=str(data["purpose"]),
            stars=data.get("stars"),
            preset_id=data.get("preset_id"),
            idempotency_key=key,
        )
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(result.body, status=result.status, headers=headers)


class PaymentPendingListApi(APIView):
    """Unfinished invoices for the "Continue" / "Cancel" card."""

    @extend_schema(responses={200: PaymentListSerializer})
    def get(self, request: Request) -> Response:
        payments = payment_list_pending(user_id=request_user(request).tg_id)
        return Response([payment_public(p) for p in payments])


class PaymentDetailApi(APIView):
    @extend_schema(responses={200: PaymentSerializer})
    def get(self, request: Request, payment_id: uuid.UUID) -> Response:
        payment = payment_get_for_user(user_id=request_user(request).tg_id, payment_id=payment_id)
        if payment is None:
            raise NotFoundError("payment_not_found", "No such payment.")
        return Response(payment_public(payment))


class PaymentCancelApi(APIView):
    @extend_schema(request=None, responses={200: PaymentSerializer})
    def post(self, request: Request, payment_id: uuid.UUID) -> Response:
        payment = payment_cancel(user=request_user(request), payment_id=payment_id)
        return Response(payment_public(payment))


class LedgerListApi(APIView):
    """The caller's Stars history, newest first."""

    class QuerySerializer(serializers.Serializer[dict[str, int]]):
        limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=100)
        offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**6)

    @extend_schema(
        parameters=[QuerySerializer],
        responses={
            200: inline_serializer(
                name="LedgerEntry",
                fields={
                    "id": serializers.IntegerField(),
                    "kind": serializers.CharField(),
                    "amount": serializers.IntegerField(),
                    "balance_after": serializers.IntegerField(),
                    "created_at": serializers.DateTimeField(),
                },
                many=True,
            )
        },
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit, offset = query.validated_data["limit"], query.validated_data["offset"]
        entries = ledger_list_for_user(user_id=request_user(request).tg_id)[offset : offset + limit]
        return Response(
            [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "amount": e.amount,
                    "balance_after": e.balance_after,
                    "created_at": e.created_at,
                }
                for e in entries
            ]
        )


class TonProofPayloadApi(APIView):
    """A one-time payload for TON Connect's ``tonProof`` request."""

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                name="TonProofPayload",
                fields={
                    "payload": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        issued = ton_proof_payload_issue(user=request_user(request))
        return Response({"payload": issued.payload, "expires_at": issued.expires_at}, status=201)


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
        return Response(ton_wallet_public(wallet))


class TonWalletApi(APIView):
    """The caller's linked TON wallet (GET) or unlink it (DELETE)."""

    @extend_schema(responses={200: TonWalletSerializer})
    def get(self, request: Request) -> Response:
        wallet = TonWallet.objects.filter(user=request_user(request)).first()
        if wallet is None:
            raise NotFoundError("ton_wallet_not_linked", "No TON wallet is linked.")
        return Response(ton_wallet_public(wallet))

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        ton_wallet_unlink(user=request_user(request))
        return Response(status=204)


TonTopupSerializer = inline_serializer(
    name="TonTopup",
    fields={
        "id": serializers.UUIDField(),
        "stars": serializers.IntegerField(),
        "status": serializers.CharField(),
        "address": serializers.CharField(),
        "amount_nano": serializers.CharField(),
        "comment": serializers.CharField(),
        "payload": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
        "paid_at": serializers.DateTimeField(allow_null=True),
    },
)


class TonTopupCreateApi(APIView):
    """Order a Stars top-up paid in TON (send ``amount_nano`` with ``payload`` via TON Connect)."""

    class InputSerializer(serializers.Serializer[dict[str, int]]):
        stars = serializers.IntegerField(min_value=1, max_value=10_000_000)

    @extend_schema(
        request=InputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: TonTopupSerializer},
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key_validate(request.headers.get("Idempotency-Key"))
        assert key is not None
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = ton_topup_create(
            user=request_user(request),
            stars=int(serializer.validated_data["stars"]),
            idempotency_key=key,
        )
        return Response(result.body, status=result.status)


class TonTopupDetailApi(APIView):
    @extend_schema(responses={200: TonTopupSerializer})
    def get(self, request: Request, topup_id: uuid.UUID) -> Response:
        return Response(
            ton_topup_public(ton_topup_get(user=request_user(request), topup_id=topup_id))
        )


# A check runs inside the player's request: a short look (the periodic poll reads long backlogs).
CHECK_MAX_PAGES = 2


class TonTopupCheckApi(APIView):
    """Look for the transfer now (the app calls this after the wallet says it was sent)."""

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
        return Response(ton_topup_public(topup))


class PresetListApi(APIView):
    """Donation packages and custom-amount limits, each with its tons now and the weekly rank
    it would give the caller."""

    def get(self, request: Request) -> Response:
        user = request_user(request)
        limits = payment_settings_get()
        quote = rate_get()
        week = week_key_for(timezone.now())
        lang = language_for(user.language_code)
        presets = []
        for preset in preset_list_active():
            tons = tons_for_stars(preset.stars, quote.rate)
            presets.append(
                {
                    "id": preset.pk,
                    "place": preset.place,
                    "title": preset.title_ru if lang == "ru" else preset.title_en,
                    "stars": preset.stars,
                    "tons": format(tons, "f"),
                    "weekly_rank_after": weekly_rank_with(
                        user_id=user.tg_id, extra_tons=tons, week_key=week
                    ),
                }
            )
        return Response(
            {
                "presets": presets,
                "custom": {"min_stars": limits.min_stars, "max_stars": limits.max_stars},
                "rate": format(quote.rate, "f"),
                "week_key": week,
            }
        )
