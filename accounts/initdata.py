"""Telegram Mini App ``initData`` validation, exactly as Telegram specifies (no Django here).

- Hash check with the bot token: parse with blank values kept, refuse duplicate keys, remove only
  ``hash`` (``signature`` stays in), sort ``key=value`` lines by key, join with ``\\n``;
  ``secret = HMAC_SHA256(key=b"WebAppData", msg=bot_token)``; compare
  ``hex(HMAC_SHA256(key=secret, msg=data_check_string))`` in constant time.
- Third-party check without the token: Ed25519 over ``"<bot_id>:WebAppData\\n" + pairs`` (without
  ``hash`` and ``signature``) with Telegram's public key for the environment the bot lives in
  (production, or Telegram's test servers): never both, since a test-environment bot may carry
  the same numeric id as ours.
Values are hashed exactly as received: the ``user`` JSON is never re-serialised.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

TELEGRAM_PUBLIC_KEY_PROD = bytes.fromhex(
    "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d"
)
TELEGRAM_PUBLIC_KEY_TEST = bytes.fromhex(
    "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec"
)
MAX_LENGTH = 8192


def telegram_public_key(*, test_environment: bool) -> bytes:
    """The key Telegram signs third-party initData with: production's, or the test servers'."""
    return TELEGRAM_PUBLIC_KEY_TEST if test_environment else TELEGRAM_PUBLIC_KEY_PROD


FUTURE_SKEW_SECONDS = 60
MAX_USER_ID = 2**52


class InitDataError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TelegramUser:
    id: int
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language_code: str = ""
    photo_url: str = ""
    is_premium: bool = False
    allows_write_to_pm: bool = False


@dataclass(frozen=True)
class InitData:
    user: TelegramUser
    auth_date: int
    start_param: str
    query_id: str
    chat_type: str
    chat_instance: str
    raw_fields: dict[str, str]


def _parse(raw: str) -> dict[str, str]:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_LENGTH:
        raise InitDataError("init_data_malformed", "initData is empty or too long.")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InitDataError("init_data_malformed", "initData is not a valid query string.") from exc
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise InitDataError("init_data_duplicate_key", f"initData repeats the key '{key}'.")
        fields[key] = value
    return fields


def _check_string(fields: Mapping[str, str], exclude: Sequence[str]) -> str:
    return "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k not in exclude)


def _hash(fields: Mapping[str, str], bot_token: str) -> str:
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    data = _check_string(fields, ("hash",)).encode()
    return hmac.new(secret, data, hashlib.sha256).hexdigest()


def _third_party_message(fields: Mapping[str, str], bot_id: int) -> bytes:
    return f"{bot_id}:WebAppData\n{_check_string(fields, ('hash', 'signature'))}".encode()


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InitDataError("init_data_user_invalid", f"user.{key} must be a string.")
    return value


def _bool(obj: Mapping[str, Any], key: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise InitDataError("init_data_user_invalid", f"user.{key} must be a boolean.")
    return value


def _finish(fields: dict[str, str], *, max_age: int, now: float | None) -> InitData:
    raw_date = fields.get("auth_date", "")
    if not raw_date.isascii() or not raw_date.isdigit() or len(raw_date) > 12:
        raise InitDataError("init_data_auth_date_invalid", "auth_date is missing or not a number.")
    auth_date = int(raw_date)
    current = time.time() if now is None else now
    if auth_date > current + FUTURE_SKEW_SECONDS:
        raise InitDataError("init_data_from_future", "auth_date lies in the future.")
    if max_age and current - auth_date > max_age:
        raise InitDataError("init_data_expired", "initData has expired: open the app again.")

    if "user" not in fields:
        raise InitDataError("init_data_user_missing", "initData carries no user.")
    try:
        obj = json.loads(fields["user"])
    except ValueError as exc:
        raise InitDataError("init_data_user_invalid", "user is not valid JSON.") from exc
    if not isinstance(obj, dict):
        raise InitDataError("init_data_user_invalid", "user must be a JSON object.")
    user_id = obj.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id <= MAX_USER_ID:
        raise InitDataError("init_data_user_invalid", "user.id must be a positive integer.")
    user = TelegramUser(
        id=user_id,
        first_name=_str(obj, "first_name"),
        last_name=_str(obj, "last_name"),
        username=_str(obj, "username"),
        language_code=_str(obj, "language_code"),
        photo_url=_str(obj, "photo_url"),
        is_premium=_bool(obj, "is_premium"),
        allows_write_to_pm=_bool(obj, "allows_write_to_pm"),
    )
    return InitData(
        user=user,
        auth_date=auth_date,
        start_param=fields.get("start_param", ""),
        query_id=fields.get("query_id", ""),
        chat_type=fields.get("chat_type", ""),
        chat_instance=fields.get("chat_instance", ""),
        raw_fields=dict(fields),
    )


def validate_init_data(
    raw: str, *, bot_token: str, max_age: int = 86400, now: float | None = None
) -> InitData:
    """Validate ``raw`` initData with the bot token; raise ``InitDataError`` with a code."""
    fields = _parse(raw)
    given = fields.get("hash")
    if not given:
        raise InitDataError("init_data_hash_missing", "initData has no hash.")
    given = given.lower()
    if len(given) != 64 or any(c not in "0123456789abcdef" for c in given):
        raise InitDataError("init_data_hash_invalid", "initData hash is malformed.")
    if not hmac.compare_digest(_hash(fields, bot_token), given):
        raise InitDataError("init_data_hash_invalid", "initData signature does not match.")
    return _finish(fields, max_age=max_age, now=now)


def validate_init_data_signature(
    raw: str,
    *,
    bot_id: int,
    public_key: bytes,
    max_age: int = 86400,
    now: float | None = None,
) -> InitData:
    """Third-party validation: Telegram's Ed25519 ``signature`` over the fields, no bot token."""
    fields = _parse(raw)
    encoded = fields.get("signature")
    if not encoded:
        raise InitDataError("init_data_signature_missing", "initData has no signature.")
    try:
        signature = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (ValueError, TypeError) as exc:
        raise InitDataError("init_data_signature_invalid", "signature is not base64url.") from exc
    if len(signature) != 64:
        raise InitDataError("init_data_signature_invalid", "signature has the wrong length.")
    try:
        VerifyKey(public_key).verify(_third_party_message(fields, bot_id), signature)
    except (BadSignatureError, ValueError) as exc:
        raise InitDataError(
            "init_data_signature_invalid", "initData signature does not verify."
        ) from exc
    return _finish(fields, max_age=max_age, now=now)


def bot_id_from_token(token: str) -> int:
    head, sep, _ = token.partition(":")
    if not sep or not head.isdigit():
        raise ValueError("not a bot token")
    return int(head)


def sign_init_data(fields: Mapping[str, str], *, bot_token: str) -> str:
    """Add a valid ``hash`` to ``fields`` and encode them as Telegram does."""
    data = {k: v for k, v in fields.items() if k != "hash"}
    data["hash"] = _hash(data, bot_token)
    return urlencode(data)


# Signs development and test initData: not Telegram's key, so the third-party check refuses it.
_TEST_SIGNATURE_SEED = hashlib.sha256(b"chancetap test initData signature").digest()


def make_init_data(
    *,
    bot_token: str,
    user: Mapping[str, object],
    auth_date: int | None = None,
    start_param: str = "",
    extra: Mapping[str, str] | None = None,
    signature_key: bytes | None = None,
    bot_id: int | None = None,
) -> str:
    """Build signed initData (development login and tests). ``signature_key``: Ed25519 seed.

    Like Telegram's, it always carries a ``signature`` (the Mini Apps SDK refuses launch data
    without one); without ``signature_key`` it is made with a fixed test key, not Telegram's.
    """
    fields: dict[str, str] = {
        "query_id": "AAH" + hashlib.sha256(repr(user).encode()).hexdigest()[:20],
        "user": json.dumps(dict(user), ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
    }
    if start_param:
        fields["start_param"] = start_param
    fields.update(extra or {})
    if bot_id is None:
        try:
            bot_id = bot_id_from_token(bot_token)
        except ValueError:
            if signature_key is not None:
                raise
            bot_id = 0  # a made-up token in a test: the test key's signature proves nothing anyway
    key = _TEST_SIGNATURE_SEED if signature_key is None else signature_key
    signed = SigningKey(key).sign(_third_party_message(fields, bot_id)).signature
    fields["signature"] = base64.urlsafe_b64encode(signed).decode().rstrip("=")
    return sign_init_data(fields, bot_token=bot_token)
