"""The HTTP API's shared edge, used by every app's ``apis.py``: idempotent POSTs
(``IdempotentApiMixin``), the one paginator, and the OpenAPI schema class."""
