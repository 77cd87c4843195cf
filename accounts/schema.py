"""How the API's authentication looks in the OpenAPI schema (drf-spectacular extension).

Loaded by ``AccountsConfig.ready``. A player authenticates with either a JWT from
``POST /api/v1/auth/telegram`` (``Authorization: Bearer <token>``) or the Mini App's signed
initData itself (``Authorization: tma <initData>``): two alternative security schemes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TelegramAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TelegramJWTAuthentication"
    name = ["bearerAuth", "tmaAuth"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        return [{"bearerAuth": []}, {"tmaAuth": []}]  # either one

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The token from POST /api/v1/auth/telegram.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`tma <initData>`: the Mini App's signed launch data.",
            },
        ]
