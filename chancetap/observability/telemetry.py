"""Client telemetry the Mini App reports: how long its WebSocket took to come back.

``POST /api/v1/telemetry/ws-reconnect {"duration_ms": 0..600000}`` → 204. Anonymous or signed
in; rate-limited per user (or per address, ``THROTTLE_TELEMETRY``) so one client cannot skew the
histogram.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chancetap.observability import metrics

MAX_RECONNECT_MS = 600_000


class StrictIntegerField(serializers.IntegerField):
    """An integer that must arrive as a JSON number (no "12", no true)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class WsReconnectApi(APIView):
    """The Mini App reports one WebSocket reconnect and how long it took."""

    permission_classes = [AllowAny]
    throttle_scope = "telemetry"  # THROTTLE_TELEMETRY per player, or per address when anonymous

    class InputSerializer(serializers.Serializer[dict[str, int]]):
        duration_ms = StrictIntegerField(min_value=0, max_value=MAX_RECONNECT_MS)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        metrics.ws_reconnect_duration.observe(data.validated_data["duration_ms"] / 1000)
        return Response(status=204)
