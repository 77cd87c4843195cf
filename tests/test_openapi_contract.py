"""Every operation of the OpenAPI schema names the serializer its success body renders through."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _component(schema: dict[str, Any], content_schema: dict[str, Any]) -> dict[str, Any] | None:
    """The component a body schema names (directly, or as the items of a list), or None."""
    if content_schema.get("type") == "array":
        content_schema = content_schema.get("items", {})
    ref = content_schema.get("$ref", "")
    if not ref.startswith("#/components/schemas/"):
        return None
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_operation_has_a_serializer_for_its_success_body(schema) -> None:
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(operations) >= 30
    bare = []
    for path, method, operation in operations:
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        if set(success) == {"204"}:
            assert "content" not in success["204"], (method, path)
            continue
        for code, response in success.items():
            body = response.get("content", {}).get("application/json", {}).get("schema", {})
            component = _component(schema, body)
            if component is None or not component.get("properties"):
                bare.append((method.upper(), path, code))
        if not success:
            bare.append((method.upper(), path, "no 2xx"))
    assert bare == []


def test_errors_are_one_component(schema) -> None:
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "details"}
    assert set(error["required"]) == {"code", "message"}
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                body = operation["responses"]["4XX"]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}


def test_idempotent_operations_declare_the_key_and_the_replay_header(schema) -> None:
    idempotent = [
        (path, item["post"])
        for path, item in schema["paths"].items()
        if any(p["name"] == "Idempotency-Key" for p in item.get("post", {}).get("parameters", []))
    ]
    assert {path for path, _ in idempotent} == {
        "/api/v1/payments/invoices",
        "/api/v1/payments/ton/topups",
        "/api/v1/rooms/tiers/{tier_id}/join",
        "/api/v1/rooms/hero",
        "/api/v1/rooms/hero/join",
    }
    for _, operation in idempotent:
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]


def test_swagger_ui_offers_the_bearer_scheme(client, schema) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The token from POST /api/v1/auth/telegram.",
    }
    me = schema["paths"]["/api/v1/me"]["get"]
    assert {"bearerAuth": []} in me["security"]
    assert client.get("/api/v1/docs/").status_code == 200
