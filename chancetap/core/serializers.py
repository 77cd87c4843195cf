"""Wire pieces shared by every app's serializers: the error body and field types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """Every error the API answers (``chancetap.core.exceptions.error_body``)."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `room_full`.")
    message = serializers.CharField(help_text="English text for logs and fallbacks.")
    details = serializers.JSONField(
        required=False, help_text="Code-specific data (field errors, limits, retry_after)."
    )


@extend_schema_field(OpenApiTypes.STR)
class DecimalStringField(serializers.Field[Decimal, str, str, Any]):
    """A ``Decimal`` as a plain decimal string without trailing zeros (``"0.5"``, never
    ``"5E-1"`` nor ``"0.500000000"``, which a ``DecimalField`` column would give); read-only."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format(value.normalize(), "f")
