from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from chancetap.core.errors import NotFoundError
from chancetap.core.idempotency import idempotency_key_validate
from payments.models import Payment
from payments.selectors import ledger_list_for_user, payment_get_for_user, payment_list_pending
from payments.services import invoice_create, payment_cancel, payment_public

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
