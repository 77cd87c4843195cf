"""TON Connect ``ton_proof`` verification (pure rules over bytes; no Django).

Follows the TON Connect spec: the wallet signs
``sha256(0xffff ‖ "ton-connect" ‖ sha256(message))`` with Ed25519, where
``message = "ton-proof-item-v2/" ‖ workchain (int32 BE) ‖ address hash ‖ domain length (uint32 LE)
‖ domain ‖ timestamp (uint64 LE) ‖ payload``. The public key is read from the wallet's state_init,
whose hash must be the address, and whose code must be a known wallet contract.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pytoniq_core import Address, Cell, StateInit, begin_cell

# sha256 hashes of the code cells of the wallet contracts whose data layout we can read.
WALLET_CODE_HASHES = {
    "b61041a58a7980b946e8fb9e198e3c904d24799ffa36574ea4251c41a566f581": "v3r1",
    "84dafa449f98a6987789ba232358072bc0f76dc4524002a5d0918b9a75d2d599": "v3r2",
    "64dd54805522c5be8a9db59cea0105ccf0d08786ca79beb8cb79e880a8d7322d": "v4r1",
    "feb5ff6820e2ff0d9483e7e0d62c817d846789fb4ae580c878866d959dabd5c0": "v4r2",
    "20834b7b72b112147e1b2fb457b84e74d1a30f04f737d4f62a668e9552d2b72f": "v5r1",
}
NETWORKS = {"-239": "mainnet", "-3": "testnet"}
PROOF_PREFIX = b"ton-proof-item-v2/"
CONNECT_PREFIX = b"ton-connect"


class TonProofError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TonProof:
    address: str  # raw form "<wc>:<hex>"
    network: str  # "-239" or "-3"
    public_key: str  # hex, as the wallet reported it
    timestamp: int
    domain: str
    domain_length: int
    payload: str
    signature: str  # base64
    state_init: str  # base64 BoC


@dataclass(frozen=True)
class VerifiedWallet:
    address: str  # raw "<wc>:<hex>"
    friendly_address: str  # non-bounceable user-friendly form
    public_key: str
    wallet_version: str
    network: str


def proof_message(
    *, workchain: int, address_hash: bytes, domain: str, timestamp: int, payload: str
) -> bytes:
    domain_bytes = domain.encode()
    message = (
        PROOF_PREFIX
        + struct.pack(">i", workchain)
        + address_hash
        + struct.pack("<I", len(domain_bytes))
        + domain_bytes
        + struct.pack("<Q", timestamp)
        + payload.encode()
    )
    return hashlib.sha256(b"\xff\xff" + CONNECT_PREFIX + hashlib.sha256(message).digest()).digest()


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=False)
    except (ValueError, TypeError) as exc:
        raise TonProofError("ton_proof_malformed", "A base64 field is not valid.") from exc


def wallet_public_key(state_init_boc: bytes) -> tuple[bytes, str, bytes]:
    """(public key, wallet version, state_init hash) from a wallet's state_init BoC."""
    try:
        cell = Cell.one_from_boc(state_init_boc)
        state_init = StateInit.deserialize(cell.begin_parse())
    except Exception as exc:  # pytoniq raises many kinds on garbage
        raise TonProofError(
            "ton_state_init_invalid", "The wallet state_init is not valid."
        ) from exc
    code, data = state_init.code, state_init.data
    if code is None or data is None:
        raise TonProofError("ton_state_init_invalid", "The state_init has no code or data.")
    version = WALLET_CODE_HASHES.get(code.hash.hex())
    if version is None:
        raise TonProofError("ton_wallet_unsupported", "This wallet contract is not supported.")
    try:
        reader = data.begin_parse()
        if version == "v5r1":
            reader.load_bit()  # is_signature_allowed
            reader.load_uint(32)  # seqno
            reader.load_uint(32)  # wallet_id
        else:
            reader.load_uint(32)  # seqno
            reader.load_uint(32)  # subwallet id
        public_key = reader.load_bytes(32)
    except Exception as exc:
        raise TonProofError("ton_state_init_invalid", "The wallet data is not valid.") from exc
    return public_key, version, cell.hash


def ton_proof_verify(
    proof: TonProof, *, allowed_domains: frozenset[str], now: int, ttl_seconds: int
) -> VerifiedWallet:
    """Check every rule of a ``ton_proof`` except the payload's origin (the caller's job)."""
    if proof.network not in NETWORKS:
        raise TonProofError("ton_network_invalid", "Unknown TON network.")
    domain = proof.domain
    if "." not in domain or domain not in allowed_domains:
        raise TonProofError("ton_domain_not_allowed", "The proof is for another domain.")
    if proof.domain_length != len(domain.encode()):
        raise TonProofError("ton_proof_malformed", "The domain length does not match.")
    if proof.timestamp > now + 60:
        raise TonProofError("ton_proof_from_future", "The proof timestamp lies in the future.")
    if now - proof.timestamp > ttl_seconds:
        raise TonProofError("ton_proof_expired", "The proof is too old. Connect again.")
    try:
        address = Address(proof.address)
    except Exception as exc:
        raise TonProofError("ton_address_invalid", "The wallet address is not valid.") from exc
    public_key, version, state_hash = wallet_public_key(_b64(proof.state_init))
    if state_hash != address.hash_part:
        raise TonProofError("ton_address_mismatch", "The state_init does not match the address.")
    if proof.public_key and proof.public_key.lower() != public_key.hex():
        raise TonProofError("ton_public_key_mismatch", "The public key does not match the wallet.")
    signature = _b64(proof.signature)
    digest = proof_message(
        workchain=address.wc,
        address_hash=address.hash_part,
        domain=domain,
        timestamp=proof.timestamp,
        payload=proof.payload,
    )
    try:
        VerifyKey(public_key).verify(digest, signature)
    except (BadSignatureError, ValueError) as exc:
        raise TonProofError(
            "ton_signature_invalid", "The wallet signature does not verify."
        ) from exc
    return VerifiedWallet(
        address=f"{address.wc}:{address.hash_part.hex()}",
        friendly_address=address.to_str(
            is_user_friendly=True, is_bounceable=False, is_test_only=proof.network == "-3"
        ),
        public_key=public_key.hex(),
        wallet_version=version,
        network=proof.network,
    )


def comment_payload_boc(comment: str) -> str:
    """The TON Connect message payload: a text comment cell (op 0), base64 BoC."""
    cell = begin_cell().store_uint(0, 32).store_snake_string(comment).end_cell()
    return base64.b64encode(cell.to_boc()).decode()
