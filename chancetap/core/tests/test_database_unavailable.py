"""An API request whose database or Redis fails answers 503 with a code, never a 500."""

from __future__ import annotations

import pytest
import redis
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from psycopg.errors import QueryCanceled
from psycopg_pool import PoolTimeout

from chancetap.core.exceptions import api_exception_handler


def _wrapped(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (_wrapped(PoolTimeout("couldn't get a connection after 10.00 sec")), "service_busy"),
        (_wrapped(OSError("connection refused")), "database_unavailable"),
        (OperationalError("server closed the connection unexpectedly"), "database_unavailable"),
        # statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) cancelled the query
        (_wrapped(QueryCanceled("canceling statement due to statement timeout")), "service_busy"),
        (redis.ConnectionError("Error 111 connecting. Connection refused."), "service_unavailable"),
        (redis.TimeoutError("Timeout reading from socket"), "service_unavailable"),
        (BrokerOperationalError("Error 111 connecting"), "service_unavailable"),
    ],
)
def test_backing_service_errors_are_coded_503(exc: Exception, code: str) -> None:
    response = api_exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 503
    assert response.data["code"] == code
    assert response["Retry-After"] == "1"


def test_other_errors_stay_500() -> None:
    response = api_exception_handler(RuntimeError("boom"), {})
    assert response is not None
    assert response.status_code == 500
    assert response.data["code"] == "server_error"
