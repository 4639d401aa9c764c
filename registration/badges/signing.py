"""The badge token: what is in a QR code and how it is signed.

Layout (23 bytes, big-endian), then a 64-byte Ed25519 signature over them:

    version u8 | key_id u8 | forum_id u32 | registration_id u32 | badge_id u32
    | category u8 | valid_from u32 (Unix s) | valid_until u32 (Unix s)

The 87 bytes are written in Base45 (RFC 9285, as in the EU COVID certificates):
131 characters from the QR alphanumeric set (0-9, A-Z, space and $%*+-./:),
which QR encodes at 5.5 bits a character instead of 8, so the code fits in
version 5 (37 × 37 modules) at error correction level L, or version 6 at M.
Base64url would need byte mode and a version more. The upper-case alphabet
also survives keyboard-wedge scanners that "type" the code.

Ed25519 because the signature is small (64 bytes), verification is fast and
needs no parameters, and browsers verify it offline (WebCrypto "Ed25519"),
so a scanner with the forum's public key can check badges without network.

The private key is stored encrypted (Fernet; the key comes from
BADGE_SIGNING_SECRET or, failing that, SECRET_KEY), so a database dump alone
cannot forge badges.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from registration.models import RegistrationType

VERSION = 1
PAYLOAD = struct.Struct(">BBIIIBII")
SIGNATURE_SIZE = 64
TOKEN_BYTES = PAYLOAD.size + SIGNATURE_SIZE

# Category <-> one byte; append only (printed badges keep their numbers).
CATEGORY_CODES = {value: index + 1 for index, value in enumerate(RegistrationType.Category.values)}
CATEGORY_BY_CODE = {code: value for value, code in CATEGORY_CODES.items()}


class TokenError(ValueError):
    """The token is not a badge token (garbled, truncated, unknown version)."""


@dataclass(frozen=True)
class TokenClaims:
    key_id: int
    forum_id: int
    registration_id: int
    badge_id: int
    category: str
    valid_from: datetime
    valid_until: datetime


# ---- Base45 (RFC 9285) -------------------------------------------------------

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_INDEX = {c: i for i, c in enumerate(BASE45)}


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (BASE45[c], BASE45[d], BASE45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (BASE45[c], BASE45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_BASE45_INDEX[c] for c in text]
    except KeyError:
        raise TokenError("not base45") from None
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise TokenError("not base45")
            out += n.to_bytes(2, "big")
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise TokenError("not base45")
            out.append(n)
        else:
            raise TokenError("not base45")
    return bytes(out)


# ---- Keys ----------------------------------------------------------------------


def _fernet() -> Fernet:
    secret = getattr(settings, "BADGE_SIGNING_SECRET", "") or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"badge-signing-key:" + secret.encode()).digest()))


def key_pair_new() -> tuple[bytes, bytes]:
    """A fresh (raw public key, encrypted private key)."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw_public, _fernet().encrypt(raw_private)


# Keys never change once made, so the decoded objects are kept per process.
_private_cache: dict[bytes, Ed25519PrivateKey] = {}
_public_cache: dict[bytes, Ed25519PublicKey] = {}


def private_key(signing_key) -> Ed25519PrivateKey:
    # Cached by the stored ciphertext, not the row id: ids may be reused (tests, restores).
    encrypted = bytes(signing_key.private_key_encrypted)
    cached = _private_cache.get(encrypted)
    if cached is None:
        cached = _private_cache[encrypted] = Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(encrypted))
    return cached


def public_key(raw: bytes) -> Ed25519PublicKey:
    raw = bytes(raw)
    cached = _public_cache.get(raw)
    if cached is None:
        cached = _public_cache[raw] = Ed25519PublicKey.from_public_bytes(raw)
    return cached


# ---- Tokens --------------------------------------------------------------------


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def token_sign(*, signing_key, registration_id: int, badge_id: int, category: str,
               valid_from: datetime, valid_until: datetime) -> str:
    payload = PAYLOAD.pack(
        VERSION, signing_key.key_id, signing_key.forum_id, registration_id, badge_id,
        CATEGORY_CODES.get(category, 0), _ts(valid_from), _ts(valid_until),
    )
    return b45encode(payload + private_key(signing_key).sign(payload))


def token_parse(token: str) -> tuple[TokenClaims, bytes, bytes]:
    """Claims, signed bytes and signature, without checking the signature yet."""
    raw = b45decode(token.strip())
    if len(raw) != TOKEN_BYTES:
        raise TokenError("wrong length")
    payload, signature = raw[:PAYLOAD.size], raw[PAYLOAD.size:]
    version, key_id, forum_id, registration_id, badge_id, category, nbf, exp = PAYLOAD.unpack(payload)
    if version != VERSION:
        raise TokenError("unknown version")
    claims = TokenClaims(
        key_id=key_id, forum_id=forum_id, registration_id=registration_id, badge_id=badge_id,
        category=CATEGORY_BY_CODE.get(category, ""),
        valid_from=datetime.fromtimestamp(nbf, tz=UTC), valid_until=datetime.fromtimestamp(exp, tz=UTC),
    )
    return claims, payload, signature


def signature_valid(raw_public_key: bytes, payload: bytes, signature: bytes) -> bool:
    try:
        public_key(raw_public_key).verify(signature, payload)
    except InvalidSignature:
        return False
    return True
