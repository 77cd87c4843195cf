"""docs/error-codes.json: current, and collected from every place a code is written.

Whether the committed file is current is also ``make lint``'s check (as for docs/ws-frames.json);
that every code in it is translated is the Mini App's test
(frontend/web/src/i18n/errorCodes.test.ts).
"""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict

import pytest

from chancetap.errorcodes import catalogue as module
from chancetap.errorcodes.catalogue import (
    NOT_FOR_PLAYERS,
    Found,
    catalogue,
    catalogue_text,
    project_root,
    scan_source,
)

CATALOGUE_FILE = project_root() / "docs" / "error-codes.json"


def codes_in(source: str) -> dict[str, Found]:
    found: dict[str, Found] = defaultdict(Found)
    scan_source(textwrap.dedent(source), "snippet.py", found)
    return dict(found)


def test_the_committed_catalogue_is_current() -> None:
    assert CATALOGUE_FILE.read_text(encoding="utf-8") == catalogue_text(), (
        "docs/error-codes.json is stale: run make schema, commit it and translate new codes"
    )


def test_it_holds_the_codes_of_every_kind_of_source() -> None:
    player = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["player"]
    for code in (
        "insufficient_balance",  # an ApplicationError subclass's super().__init__
        "room_full",  # ConflictError(...)
        "init_data_expired",  # InitDataError, passed on as an AuthenticationError
        "ton_proof_expired",  # TonProofError, passed on as an ApplicationError
        "frame_too_large",  # a socket limit's error frame
        "connect_rate_limited",  # return "code", "message"
        "cheater_flagged",  # a StrEnum of refusals
        "tap_timestamp_future",  # engine.PacketError
        "request_too_complex",  # ParseError(..., code=TOO_COMPLEX)
        "service_busy",  # code = "service_busy" if busy else "database_unavailable"
        "database_unavailable",
        "throttled",  # DRF's Throttled, through the exception handler
        "method_not_allowed",  # the handler's status → code map
        "auth_header_invalid",  # ApiAuthError(...)
    ):
        assert code in player, code
    assert player["bonus_needs_paid_game"]["details"] == ["played", "required"]
    assert player["throttled"]["details"] == ["retry_after"]
    assert set(player).isdisjoint(NOT_FOR_PLAYERS)


def test_the_scan_finds_a_code_wherever_it_is_written() -> None:
    found = codes_in(
        """
        LIMIT_CODE = "limit_hit"

        class Refusal(StrEnum):
            LATE = "too_late"

        class Kind(StrEnum):
            HERO = "hero"  # not an error enum

        class OddError(ApplicationError):
            def __init__(self) -> None:
                super().__init__("odd_thing", "Odd.", details={"why": 1})

        def f(exc):
            raise ConflictError("new_conflict", "A new conflict.", details={"n": 1, "m": 2})
            raise ParseError("Bad.", code=LIMIT_CODE)
            self._error("frame_odd", "Odd frame.")
            self._refuse(subprotocol, "refused_here", "No.", 4400)
            send({"type": "error", "code": "frame_bad", "message": "Bad."})
            code = "one_way" if exc else "other_way"
            raise ApplicationError(exc.code, exc.message)  # passed on: its origin is scanned
            return "pair_code", f"Wait {n} s."
            logger.info("not a code", extra={"code": "logged_only"})
            Counter("metric_name", "Documentation of a metric.")
        """
    )
    assert set(found) == {
        "limit_hit",
        "too_late",
        "odd_thing",
        "new_conflict",
        "frame_odd",
        "refused_here",
        "frame_bad",
        "one_way",
        "other_way",
        "pair_code",
    }
    assert found["new_conflict"].details == {"n", "m"}
    assert found["odd_thing"].details == {"why"}
    assert found["frame_odd"].sources == {"snippet.py"}


def test_an_exclusion_that_is_no_longer_sent_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(module.NOT_FOR_PLAYERS, "long_gone", "staff: removed")
    with pytest.raises(ValueError, match="long_gone"):
        catalogue()
