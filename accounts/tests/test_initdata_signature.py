"""Telegram's third-party initData check (Ed25519 ``signature``, no bot token), issue #17.

Telegram's private keys are Telegram's, so valid signatures come from keys generated here; the
check itself (message layout, base64url without padding, the key chosen by environment) is ours
and runs unchanged — through ``validate_init_data_signature`` and through the login API.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from nacl.signing import SigningKey

from accounts import initdata
from accounts.initdata import (
    TELEGRAM_PUBLIC_KEY_PROD,
    TELEGRAM_PUBLIC_KEY_TEST,
    InitDataError,
    make_init_data,
    telegram_public_key,
    validate_init_data_signature,
)
from accounts.models import User

BOT_ID = 7_000_000_001
SEED = bytes(range(32))
OTHER_SEED = bytes(range(1, 33))
PUBLIC = bytes(SigningKey(SEED).verify_key)
TG_ID = 42_000_001
USER = {"id": TG_ID, "first_name": "Анна", "username": "anna", "language_code": "ru"}
LOGIN = "/api/v1/auth/telegram"


def signed(
    *,
    seed: bytes = SEED,
    bot_id: int = BOT_ID,
    auth_date: int | None = None,
    start_param: str = "",
) -> str:
    """initData as Telegram signs it for a third party (its ``hash`` made with another token)."""
    return make_init_data(
        bot_token=f"{bot_id}:a-token-this-server-does-not-have",
        user=USER,
        auth_date=int(time.time()) if auth_date is None else auth_date,
        start_param=start_param,
        signature_key=seed,
        bot_id=bot_id,
    )


def fields_of(raw: str) -> dict[str, str]:
    return dict(parse_qsl(raw, keep_blank_values=True))


def refused(raw: str, *, public_key: bytes = PUBLIC, bot_id: int = BOT_ID) -> str:
    with pytest.raises(InitDataError) as caught:
        validate_init_data_signature(raw, bot_id=bot_id, public_key=public_key)
    return caught.value.code


def test_a_valid_signature_gives_the_player() -> None:
    data = validate_init_data_signature(
        signed(start_param="hero_AB12"), bot_id=BOT_ID, public_key=PUBLIC
    )
    assert data.user.id == TG_ID
    assert data.user.first_name == "Анна"
    assert data.start_param == "hero_AB12"


def test_the_message_is_bot_id_webappdata_and_the_sorted_pairs() -> None:
    """Signed independently of our helper: Telegram's layout, signature base64url unpadded."""
    fields = {
        "auth_date": str(int(time.time())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(USER, ensure_ascii=False, separators=(",", ":")),
        "hash": "0" * 64,  # not ours to check here: the token is unknown
    }
    pairs = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    message = f"{BOT_ID}:WebAppData\n{pairs}".encode()
    signature = SigningKey(SEED).sign(message).signature
    fields["signature"] = base64.urlsafe_b64encode(signature).decode().rstrip("=")
    assert "=" not in fields["signature"]
    data = validate_init_data_signature(urlencode(fields), bot_id=BOT_ID, public_key=PUBLIC)
    assert data.user.username == "anna"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", json.dumps({**USER, "id": 42_000_002}, separators=(",", ":"))),
        ("user", json.dumps(USER, ensure_ascii=False)),  # same data, re-serialised
        ("auth_date", "one second earlier"),
        ("query_id", "AAHsomethingElse"),
        ("start_param", "hero_ZZ99"),  # a field added after signing
    ],
)
def test_a_tampered_field_is_refused(field: str, value: str) -> None:
    fields = fields_of(signed())
    if value == "one second earlier":  # (not computed at collection: xdist workers must agree)
        value = str(int(fields["auth_date"]) - 1)
    fields[field] = value
    assert refused(urlencode(fields)) == "init_data_signature_invalid"


def test_the_hash_is_not_part_of_the_signed_message() -> None:
    fields = fields_of(signed())
    fields["hash"] = "f" * 64
    assert validate_init_data_signature(urlencode(fields), bot_id=BOT_ID, public_key=PUBLIC)


def test_the_wrong_key_or_bot_is_refused() -> None:
    assert refused(signed(seed=OTHER_SEED)) == "init_data_signature_invalid"
    assert refused(signed(), public_key=TELEGRAM_PUBLIC_KEY_PROD) == "init_data_signature_invalid"
    assert refused(signed(), bot_id=BOT_ID + 1) == "init_data_signature_invalid"


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        (None, "init_data_signature_missing"),
        ("", "init_data_signature_missing"),
        ("not base64!", "init_data_signature_invalid"),
        (base64.urlsafe_b64encode(b"\x01" * 63).decode(), "init_data_signature_invalid"),
        (
            base64.urlsafe_b64encode(b"\x01" * 64).decode().rstrip("="),
            "init_data_signature_invalid",
        ),
    ],
)
def test_a_missing_or_malformed_signature_is_refused(signature: str | None, code: str) -> None:
    fields = fields_of(signed())
    fields.pop("signature")
    if signature is not None:
        fields["signature"] = signature
    assert refused(urlencode(fields)) == code


def test_freshness_is_checked_after_the_signature() -> None:
    old = signed(auth_date=int(time.time()) - 7200)
    with pytest.raises(InitDataError) as caught:
        validate_init_data_signature(old, bot_id=BOT_ID, public_key=PUBLIC, max_age=3600)
    assert caught.value.code == "init_data_expired"


def test_the_environment_chooses_exactly_one_of_telegrams_keys() -> None:
    assert telegram_public_key(test_environment=False) == TELEGRAM_PUBLIC_KEY_PROD
    assert telegram_public_key(test_environment=True) == TELEGRAM_PUBLIC_KEY_TEST
    assert TELEGRAM_PUBLIC_KEY_PROD.hex() == (
        "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d"
    )
    assert TELEGRAM_PUBLIC_KEY_TEST.hex() == (
        "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("test_environment", [False, True])
def test_login_accepts_only_the_environments_key(
    api_client, settings, monkeypatch, test_environment: bool
) -> None:
    """Through the login API: Telegram's two keys are stood in for by two generated ones."""
    production_seed, test_seed = SEED, OTHER_SEED
    monkeypatch.setattr(
        initdata, "TELEGRAM_PUBLIC_KEY_PROD", bytes(SigningKey(production_seed).verify_key)
    )
    monkeypatch.setattr(
        initdata, "TELEGRAM_PUBLIC_KEY_TEST", bytes(SigningKey(test_seed).verify_key)
    )
    bot_id = int(settings.TELEGRAM_BOT_TOKEN.partition(":")[0])
    settings.TELEGRAM_ACCEPT_SIGNATURE_ONLY = True
    settings.TELEGRAM_TEST_ENVIRONMENT = test_environment
    right, wrong = (
        (test_seed, production_seed) if test_environment else (production_seed, test_seed)
    )

    refused_login = api_client.post(
        LOGIN, {"init_data": signed(seed=wrong, bot_id=bot_id)}, format="json"
    )
    assert refused_login.status_code == 401
    assert refused_login.json()["code"] == "init_data_signature_invalid"
    assert not User.objects.filter(tg_id=TG_ID).exists()

    accepted = api_client.post(
        LOGIN, {"init_data": signed(seed=right, bot_id=bot_id)}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    assert User.objects.get(tg_id=TG_ID).first_name == "Анна"


@pytest.mark.django_db
def test_login_without_the_setting_ignores_a_valid_signature(
    api_client, settings, monkeypatch
) -> None:
    monkeypatch.setattr(initdata, "TELEGRAM_PUBLIC_KEY_PROD", PUBLIC)
    bot_id = int(settings.TELEGRAM_BOT_TOKEN.partition(":")[0])
    settings.TELEGRAM_ACCEPT_SIGNATURE_ONLY = False
    response = api_client.post(LOGIN, {"init_data": signed(bot_id=bot_id)}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "init_data_hash_invalid"
    assert User.objects.count() == 0
