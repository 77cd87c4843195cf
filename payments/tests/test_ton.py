"""TON Connect ton_proof: real wallet v4r2/v5r1 state_inits signed with generated keys."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from nacl.signing import SigningKey
from pytoniq_core import Address, Cell, StateInit, begin_cell

from payments.models import TonProofPayload, TonWallet
from payments.tests.wallet_codes import (
    WALLET_V3R2_CODE_HEX,
    WALLET_V4R2_CODE_HEX,
    WALLET_V5R1_CODE_HEX,
)
from payments.ton import proof_message

pytestmark = pytest.mark.django_db
DOMAIN = "play.chancetap.example"


def wallet_state_init(version: str, key: SigningKey) -> Cell:
    public = bytes(key.verify_key)
    if version == "v5r1":
        code_hex = WALLET_V5R1_CODE_HEX
        data = (
            begin_cell()
            .store_bit(1)
            .store_uint(0, 32)
            .store_uint(2147483409, 32)
            .store_bytes(public)
            .store_bit(0)
            .end_cell()
        )
    else:
        code_hex = WALLET_V4R2_CODE_HEX if version == "v4r2" else WALLET_V3R2_CODE_HEX
        builder = begin_cell().store_uint(0, 32).store_uint(698983191, 32).store_bytes(public)
        if version == "v4r2":
            builder = builder.store_bit(0)
        data = builder.end_cell()
    code = Cell.one_from_boc(bytes.fromhex(code_hex))
    return StateInit(code=code, data=data).serialize()


def make_proof(payload: str, *, version: str = "v4r2", key: SigningKey | None = None, **over):
    key = key or SigningKey.generate()
    state_init = wallet_state_init(version, key)
    address = Address((0, state_init.hash))
    timestamp = over.pop("timestamp", int(time.time()))
    domain = over.pop("domain", DOMAIN)
    sign_payload = over.pop("sign_payload", payload)
    signature = key.sign(
        proof_message(
            workchain=0,
            address_hash=state_init.hash,
            domain=domain,
            timestamp=timestamp,
            payload=sign_payload,
        )
    ).signature
    body: dict[str, Any] = {
        "address": f"0:{state_init.hash.hex()}",
        "network": "-239",
        "public_key": bytes(key.verify_key).hex(),
        "proof": {
            "timestamp": timestamp,
            "domain": {"lengthBytes": len(domain.encode()), "value": domain},
            "signature": base64.b64encode(signature).decode(),
            "payload": payload,
            "state_init": base64.b64encode(state_init.to_boc()).decode(),
        },
    }
    for name, value in over.items():
        if name in body["proof"]:
            body["proof"][name] = value
        else:
            body[name] = value
    return body, address


@pytest.fixture(autouse=True)
def _domains(settings):
    settings.TON_PROOF_ALLOWED_DOMAINS = [DOMAIN]


def payload_for(client) -> str:
    response = client.post("/api/v1/wallets/ton/payload")
    assert response.status_code == 201
    return response.json()["payload"]


@pytest.mark.parametrize("version", ["v4r2", "v5r1", "v3r2"])
def test_valid_proof_links_the_wallet(auth_client, version) -> None:
    client, user = auth_client()
    body, address = make_proof(payload_for(client), version=version)
    response = client.post("/api/v1/wallets/ton/verify", body, format="json")
    assert response.status_code == 200, response.content
    wallet = TonWallet.objects.get(user=user)
    assert wallet.wallet_version == version
    assert wallet.address == f"0:{address.hash_part.hex()}"
    assert response.json()["address"] == address.to_str(is_user_friendly=True, is_bounceable=False)
    me = client.get("/api/v1/me").json()
    assert me["has_ton_wallet"] is True
    assert me["ton_wallet"]["wallet_version"] == version
    assert client.delete("/api/v1/wallets/ton").status_code == 204
    assert client.get("/api/v1/me").json()["has_ton_wallet"] is False
    assert client.delete("/api/v1/wallets/ton").status_code == 404


def flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[5] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_refusals(auth_client) -> None:
    client, _ = auth_client()
    other_key = SigningKey.generate()
    cases = {}
    p = payload_for(client)
    body, _ = make_proof(p)
    body["proof"]["signature"] = flip(body["proof"]["signature"])
    cases["ton_signature_invalid"] = body

    p = payload_for(client)
    body, _ = make_proof(p, timestamp=int(time.time()) - 10)
    body["proof"]["timestamp"] += 1  # timestamp tampered after signing
    cases["ton_signature_invalid#ts"] = body

    p = payload_for(client)
    cases["ton_domain_not_allowed"] = make_proof(p, domain="evil.example")[0]

    p = payload_for(client)
    body, _ = make_proof(p)
    other, _ = make_proof(p, key=other_key)
    body["address"] = other["address"]  # someone else's address
    cases["ton_address_mismatch"] = body

    p = payload_for(client)
    cases["ton_proof_expired"] = make_proof(p, timestamp=int(time.time()) - 3600)[0]

    p = payload_for(client)
    cases["ton_public_key_mismatch"] = make_proof(p, public_key="00" * 32)[0]

    p = payload_for(client)
    cases["ton_payload_unknown"] = make_proof("f" * 64)[0]

    for expected, body in cases.items():
        response = client.post("/api/v1/wallets/ton/verify", body, format="json")
        assert response.status_code == 400, (expected, response.content)
        assert response.json()["code"] == expected.split("#")[0], expected
    assert not TonWallet.objects.exists()


def test_payload_is_single_use_and_personal(auth_client) -> None:
    client, _ = auth_client()
    payload = payload_for(client)
    body, _ = make_proof(payload)
    assert client.post("/api/v1/wallets/ton/verify", body, format="json").status_code == 200
    again = client.post("/api/v1/wallets/ton/verify", body, format="json")
    assert again.json()["code"] == "ton_payload_used"

    thief, _ = auth_client()
    stolen = make_proof(payload_for(client))[0]
    assert thief.post("/api/v1/wallets/ton/verify", stolen, format="json").json()["code"] == (
        "ton_payload_unknown"
    )


def test_expired_payload(auth_client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client, _ = auth_client()
    payload = payload_for(client)
    TonProofPayload.objects.filter(pk=payload).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    body, _ = make_proof(payload)
    assert client.post("/api/v1/wallets/ton/verify", body, format="json").json()["code"] == (
        "ton_payload_expired"
    )


def test_one_wallet_one_player(auth_client) -> None:
    key = SigningKey.generate()
    first, _ = auth_client()
    second, _ = auth_client()
    assert (
        first.post(
            "/api/v1/wallets/ton/verify", make_proof(payload_for(first), key=key)[0], format="json"
        ).status_code
        == 200
    )
    response = second.post(
        "/api/v1/wallets/ton/verify", make_proof(payload_for(second), key=key)[0], format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "ton_wallet_taken")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.update(proof="x"),
        lambda b: b["proof"].update(state_init="bm90IGEgYm9j"),
        lambda b: b["proof"].update(domain={"lengthBytes": "x"}),
        lambda b: b.update(address="not-an-address"),
        lambda b: b.update(network="1"),
        lambda b: b["proof"].update(timestamp=-1),
        lambda b: b["proof"]["domain"].update(lengthBytes=3),
    ],
)
def test_malformed_bodies_are_400_with_a_code(auth_client, mutate) -> None:
    client, _ = auth_client()
    body, _ = make_proof(payload_for(client))
    mutate(body)
    response = client.post("/api/v1/wallets/ton/verify", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"]
    assert not TonWallet.objects.exists()
