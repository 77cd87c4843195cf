"""Telegram update payloads for tests, shaped as the Bot API sends them."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from accounts.models import User

_message_ids = itertools.count(1)


def wait_until(predicate: Callable[[], object], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def tg_user_dict(
    tg_id: int, *, first_name: str = "Player", language_code: str | None = "en", **extra: Any
) -> dict[str, Any]:
    user: dict[str, Any] = {"id": tg_id, "is_bot": False, "first_name": first_name, **extra}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def tg_user(user: User) -> dict[str, Any]:
    return tg_user_dict(
        user.tg_id, first_name=user.first_name, language_code=user.language_code or "en"
    )


def message_update(
    sender: dict[str, Any], *, chat: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """``{"message": ...}`` from ``sender`` in their private chat (or in ``chat``)."""
    return {
        "message": {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat or {"id": sender["id"], "type": "private", "first_name": "P"},
            "from": sender,
            **fields,
        }
    }


def command_update(sender: dict[str, Any], command: str, **kwargs: Any) -> dict[str, Any]:
    """A bot command such as ``/start ref_1``, with its ``bot_command`` entity."""
    length = len(command.split(" ", 1)[0])
    entities = [{"type": "bot_command", "offset": 0, "length": length}]
    return message_update(sender, text=command, entities=entities, **kwargs)


def message(user: User, **fields: Any) -> dict[str, Any]:
    return message_update(tg_user(user), **fields)


def successful_payment(user: User, payment: Any, charge_id: str) -> dict[str, Any]:
    return message(
        user,
        successful_payment={
            "currency": "XTR",
            "total_amount": payment.stars,
            "invoice_payload": str(payment.id),
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        },
    )
