"""The API edge shared by every app: idempotent POSTs (``Idempotency-Key``) for DRF views.

A view that creates something once per key mixes in ``IdempotentApiMixin``, names its scope and
its ``OutputSerializer``, and calls ``self.idempotent(...)`` with the request's fingerprint and the
service call. The mixin validates the header (after the view validated the body), opens the
idempotent transaction (``chancetap.core.idempotency``), runs the service in it, renders the
returned model with the ``OutputSerializer`` *inside* the transaction, stores that body with the
effect, and replays it — with ``Idempotent-Replayed: true`` — for the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from chancetap.core.idempotency import idempotency_key_validate, idempotent_execute

T = TypeVar("T")

IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(
        "Idempotency-Key",
        str,
        OpenApiParameter.HEADER,
        required=True,
        pattern=r"^[A-Za-z0-9_.:-]{8,128}$",
        description="One key per intended action; repeating it replays the first answer.",
    ),
    OpenApiParameter(
        "Idempotent-Replayed",
        str,
        OpenApiParameter.HEADER,
        response=True,
        enum=["true"],
        description="Present when this is the stored answer to an earlier request with the key.",
    ),
]


class IdempotentApiMixin:
    """For ``APIView`` subclasses whose POST must take effect once per ``Idempotency-Key``."""

    idempotency_scope: ClassVar[str]
    success_status: ClassVar[int] = 201
    OutputSerializer: ClassVar[type[serializers.BaseSerializer[Any]]]

    def idempotent(
        self,
        request: Request,
        *,
        fingerprint: Any,
        action: Callable[[], T],
        after: Callable[[dict[str, Any]], Any] | None = None,
    ) -> Response:
        """Run ``action`` once for this key and answer with its rendered result.

        ``fingerprint``: what makes two requests the same (another one with the key → 422).
        ``after``: a step that must run outside the transaction, first time and on replays alike
        (e.g. asking Telegram for an invoice link); it gets the stored body and returns the
        object to render instead.
        """
        key = idempotency_key_validate(request.headers.get("Idempotency-Key"))
        assert key is not None
        user_id = request.user.pk
        assert user_id is not None  # the view's permissions require an authenticated user
        result = idempotent_execute(
            user_id=user_id,
            scope=self.idempotency_scope,
            key=key,
            body=fingerprint,
            action=action,
            render=lambda obj: self.OutputSerializer(obj).data,
            status=self.success_status,
        )
        body = result.body
        if after is not None:
            body = self.OutputSerializer(after(body)).data
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(body, status=result.status, headers=headers)
