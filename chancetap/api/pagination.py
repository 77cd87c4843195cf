"""How every list pages (issue #13): ``?limit=&offset=`` with one default and one maximum.

``LimitOffsetPagination`` is DRF's, with three changes:

- **Bad input is a 400, never a default.** DRF falls back to the default limit for ``limit=abc``
  and clamps ``limit=1000`` to the maximum; here both, ``limit=0``, a negative or huge offset are a
  400 ``validation_error`` naming the parameter (``PageQuerySerializer``), as any bad query is.
- **No COUNT.** A page is asked for one row more than it shows; ``has_more`` says whether that row
  exists. The leaderboards page through tables of every donor: a ``COUNT(*)`` per request is what
  they must not pay. A list that knows its total cheaply adds it itself (referrals).
- **One envelope:** ``{"items": [...], "limit", "offset", "has_more"}`` (``PageSerializer``), also
  when the page sits inside a larger body (the donation board, referrals).

Rows come from a queryset (``paginate_queryset``) or from a selector that takes a limit and an
offset (``paginate_rows``: it is asked for ``limit + 1`` rows). ``REST_FRAMEWORK
["DEFAULT_PAGINATION_CLASS"]`` names this class and ``PAGE_SIZE`` its default limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rest_framework import pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

T = TypeVar("T")

_PAGE_SIZE = api_settings.PAGE_SIZE
assert _PAGE_SIZE, "settings.py sets REST_FRAMEWORK['PAGE_SIZE']: the default limit"
DEFAULT_LIMIT: int = _PAGE_SIZE
MAX_LIMIT = 100
# Past the millionth row no list is read page by page; an OFFSET that large costs the database a
# scan of every row before it.
MAX_OFFSET = 1_000_000


class PageQuerySerializer(serializers.Serializer[dict[str, int]]):
    """The query parameters of a page (also their OpenAPI description)."""

    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"Rows per page, 1–{MAX_LIMIT}.",
    )
    offset = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_OFFSET,
        help_text="Rows to skip.",
    )


# The envelope of a page; a subclass adds ``items = <Row>Serializer(many=True)``. (A comment, not a
# docstring: the schema would describe every subclass with it.)
class PageSerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    has_more = serializers.BooleanField(help_text="Whether a page follows this one.")


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT
    max_offset = MAX_OFFSET
    template = None  # the browsable API's page links would need a COUNT

    limit: int
    offset: int
    has_more: bool

    def get_limit(self, request: Request) -> int:
        return self._bounds(request)[0]

    def get_offset(self, request: Request) -> int:
        return self._bounds(request)[1]

    def _bounds(self, request: Request) -> tuple[int, int]:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return int(query.validated_data["limit"]), int(query.validated_data["offset"])

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        return self.paginate_rows(lambda limit, offset: queryset[offset : offset + limit], request)

    def paginate_rows(self, fetch: Callable[[int, int], Sequence[T]], request: Request) -> list[T]:
        """The page ``request`` asks for; ``fetch(limit, offset)`` returns up to ``limit`` rows
        from ``offset`` on (it is asked for one more than the page shows)."""
        self.request = request
        self.limit, self.offset = self._bounds(request)
        rows = list(fetch(self.limit + 1, self.offset))
        self.has_more = len(rows) > self.limit
        return rows[: self.limit]

    def page(self, items: Any) -> dict[str, Any]:
        """The envelope around ``items`` (serialized or not) of the last page paginated."""
        return {
            "items": items,
            "limit": self.limit,
            "offset": self.offset,
            "has_more": self.has_more,
        }

    def get_paginated_response(self, data: Any) -> Response:
        return Response(self.page(data))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "limit", "offset", "has_more"],
            "properties": {
                "items": schema,
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "has_more": {"type": "boolean"},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_limit}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "Rows to skip.",
                "schema": {"type": "integer", "minimum": 0, "maximum": self.max_offset},
            },
        ]
