"""Collect every error code in the source (docs/error-codes.json, ``manage.py error_codes``).

The codes are read from the syntax tree of every module of the first-party packages (the
import-linter ``root_packages`` of pyproject.toml), tests and migrations left out. A code is a
snake_case string literal in one of these places:

- the first string argument of a call to an error type or helper: a name ending in ``Error``
  (``ApplicationError``, ``NotFoundError``, ``InitDataError``, ``TonProofError``…), ``_error``,
  ``error_body``, ``error_frame``, ``error_view`` or starting with ``_refuse`` — and the
  ``super().__init__(…)`` of a class whose name ends in ``Error``;
- a ``code=`` keyword argument of any call (DRF's ``ParseError(…, code=…)``, socket kicks);
- ``return "code", "message"`` (the socket limits' refusals);
- a dict literal with ``"code"`` beside ``"message"`` or ``"type"`` (DRF detail dicts, error
  frames, plain JSON responses);
- an assignment to a variable named ``code`` (``code = "a" if busy else "b"``);
- the values of a ``StrEnum`` whose name ends in ``Error`` or ``Refusal`` (tap refusals);

with a module-level constant (``TOO_COMPLEX = "request_too_complex"``) standing for its value.
Codes built from a variable (``ApplicationError(exc.code, …)``) are passed on from a place the
scan reads. The API exception handler adds the codes it derives at run time: its status → code map
and the ``default_code`` of DRF's exceptions.

``details=`` given as a dict literal are recorded with the code (the values the Mini App may
interpolate into its text).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ERROR_CALLEE = re.compile(r"(Error|_error|^error_body|^error_frame|error_view)$|^_refuse")
ERROR_ENUM = re.compile(r"(Error|Refusal)$")
SKIPPED_DIRS = {"tests", "migrations", "node_modules", "web", "static"}

# Details that do not come from a ``details=`` literal beside the code.
DETAILS_ELSEWHERE: dict[str, set[str]] = {
    # chancetap.core.exceptions.api_exception_handler adds the throttle's wait to DRF's Throttled.
    "throttled": {"retry_after"},
    # chancetap.security.throttles.CodedRateThrottle (payments' InvoiceRateThrottle) adds it too.
    "rate_limited": {"retry_after"},
}

# Codes the scan finds that no player sees in the Mini App, each with its reason. Everything else
# must be translated there (frontend/web/src/i18n/*.json, errors.<code>): a new code reaching
# players fails the Mini App's tests until it is, or until it is listed here with a reason.
NOT_FOR_PLAYERS: dict[str, str] = {
    # Back office: support and game admins (Django admin, chancetap.backoffice).
    "adjustment_below_zero": "staff: balance adjustment",
    "adjustment_invalid": "staff: balance adjustment",
    "adjustment_key_invalid": "staff: balance adjustment",
    "reason_required": "staff: audited admin actions",
    "refund_reason_required": "staff: support refund",
    "refund_balance_insufficient": "staff: support refund",
    "refund_in_progress": "staff: support refund",
    "refund_pending": "staff: support refund",
    "refund_telegram_error": "staff: support refund",
    "charge_not_found": "staff: support refund",
    "charge_already_refunded": "staff: support refund",
    "ton_transfer_not_found": "staff: TON transfer settlement",
    "ton_transfer_player_required": "staff: TON transfer settlement",
    "ton_transfer_settled": "staff: TON transfer settlement",
    "ton_transfer_too_small": "staff: TON transfer settlement",
    # The bot: Telegram's payment updates, answered in the player's language by botapp/texts.py.
    "charge_invalid": "bot: successful_payment",
    "payment_amount_mismatch": "bot: pre_checkout_query",
    "payment_user_mismatch": "bot: pre_checkout_query",
    "payment_not_payable": "bot: pre_checkout_query",
    # Telegram's servers and the operators, never a player.
    "update_invalid": "Telegram: the bot's webhook",
    "webhook_secret_invalid": "Telegram: the bot's webhook",
    "not_ready": "operators: the readiness probe",
    "frontend_not_built": "operators: the page that would load the Mini App",
}


@dataclass
class Found:
    details: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def root_packages(root: Path) -> list[str]:
    with (root / "pyproject.toml").open("rb") as file:
        config = tomllib.load(file)
    return list(config["tool"]["importlinter"]["root_packages"])


def source_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for package in root_packages(root):
        for path in sorted((root / package).rglob("*.py")):
            if SKIPPED_DIRS.isdisjoint(path.relative_to(root).parts[:-1]):
                files.append(path)
    return files


def _string(node: ast.AST | None, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _message(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value
    return isinstance(node, ast.JoinedStr)


def _alternatives(node: ast.expr) -> list[ast.expr]:
    """``"a" if x else "b"`` → both; anything else → itself."""
    if isinstance(node, ast.IfExp):
        return _alternatives(node.body) + _alternatives(node.orelse)
    return [node]


def _callee(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _is_str_enum(node: ast.ClassDef) -> bool:
    return any(isinstance(base, ast.Name) and base.id == "StrEnum" for base in node.bases)


class _Scanner(ast.NodeVisitor):
    def __init__(self, source: str, constants: dict[str, str], found: dict[str, Found]) -> None:
        self.source = source
        self.constants = constants
        self.found = found
        self.classes: list[str] = []

    def add(self, value: str | None, details: set[str] | None = None) -> None:
        if value is None or not CODE.match(value):
            return
        entry = self.found[value]
        entry.sources.add(self.source)
        entry.details |= details or set()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if _is_str_enum(node) and ERROR_ENUM.search(node.name):
            for statement in node.body:
                if isinstance(statement, ast.Assign):
                    self.add(_string(statement.value, {}))
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Call(self, node: ast.Call) -> None:
        callee = _callee(node)
        in_error_class = bool(self.classes) and self.classes[-1].endswith("Error")
        if ERROR_CALLEE.search(callee) or (callee == "__init__" and in_error_class):
            details: set[str] = set()
            for keyword in node.keywords:
                if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                    details |= {
                        key.value
                        for key in keyword.value.keys
                        if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    }
            for argument in node.args:
                value = _string(argument, self.constants)
                if value is not None:
                    self.add(value, details)
                    break
        for keyword in node.keywords:
            if keyword.arg == "code":
                self.add(_string(keyword.value, self.constants))
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if isinstance(value, ast.Tuple) and len(value.elts) == 2 and _message(value.elts[1]):
            self.add(_string(value.elts[0], self.constants))
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        keys = {
            key.value: value
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
        if "code" in keys and ("message" in keys or "type" in keys):
            self.add(_string(keys["code"], self.constants))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "code":
                for value in _alternatives(node.value):
                    self.add(_string(value, self.constants))
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(name, ast.Name) and name.id == "code":
                        self.add(_string(value, self.constants))
        self.generic_visit(node)


def _module_constants(tree: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id.isupper()
        ):
            value = _string(statement.value, {})
            if value is not None:
                constants[statement.targets[0].id] = value
    return constants


def scan_source(text: str, source: str, found: dict[str, Found]) -> None:
    """Add the codes of one module's source to ``found`` (``source`` names it)."""
    tree = ast.parse(text)
    _Scanner(source, _module_constants(tree), found).visit(tree)


def _handler_codes(found: dict[str, Found]) -> None:
    """The codes ``chancetap.core.exceptions.api_exception_handler`` derives at run time."""
    from rest_framework import exceptions as drf

    from chancetap.core import exceptions

    source = "chancetap/core/exceptions.py"
    derived = set(exceptions._DEFAULT_CODES.values())
    for value in vars(drf).values():
        # "invalid" and "error" are replaced by the status's code (or validation_error).
        if (
            isinstance(value, type)
            and issubclass(value, drf.APIException)
            and value.default_code not in ("invalid", "error")
        ):
            derived.add(str(value.default_code))
    for code in derived:
        found[code].sources.add(source)


def collect(root: Path | None = None) -> dict[str, Found]:
    """Every code in the source, each with its details and the modules that send it."""
    root = root or project_root()
    found: dict[str, Found] = defaultdict(Found)
    for path in source_files(root):
        scan_source(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix(), found)
    _handler_codes(found)
    for code, details in DETAILS_ELSEWHERE.items():
        found[code].details |= details
    return dict(found)


def catalogue(root: Path | None = None) -> dict[str, Any]:
    found = collect(root)
    missing = sorted(set(NOT_FOR_PLAYERS) - set(found))
    if missing:
        raise ValueError(f"NOT_FOR_PLAYERS lists codes no longer sent: {', '.join(missing)}")
    return {
        "about": (
            "Every error code the server can send a player (generated by manage.py error_codes "
            "from the source; do not edit). The Mini App translates each one as errors.<code>."
        ),
        "player": {
            code: {"details": sorted(entry.details), "sources": sorted(entry.sources)}
            for code, entry in sorted(found.items())
            if code not in NOT_FOR_PLAYERS
        },
        "not_for_players": dict(sorted(NOT_FOR_PLAYERS.items())),
    }


def catalogue_text(root: Path | None = None) -> str:
    return json.dumps(catalogue(root), indent=2, ensure_ascii=False) + "\n"
