"""The OpenAPI schema generator of the API (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``).

Views declare their serializers inside the view class (STYLE.md: ``InputSerializer``,
``OutputSerializer``), so the default component names ("Input", "Output") collide between views.
A serializer nested in a view is named after its view instead: ``TonWalletVerifyApi.
InputSerializer`` → ``TonWalletVerifyInput``.
"""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema


class ChanceTapAutoSchema(AutoSchema):
    def get_serializer_name(
        self, serializer: Any, direction: Literal["request", "response"]
    ) -> str:
        cls = serializer if isinstance(serializer, type) else type(serializer)
        outer, _, inner = cls.__qualname__.rpartition(".")
        if not outer or "<locals>" in outer:
            return str(super().get_serializer_name(serializer, direction))
        owner = outer.rsplit(".", 1)[-1].removesuffix("Api").removesuffix("View")
        return owner + inner.removesuffix("Serializer")

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> Any:
        """Every operation may answer an error: ``{"code", "message", "details"?}`` (4XX, 5XX)."""
        from chancetap.core.serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in ("4XX", "5XX"):
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses
