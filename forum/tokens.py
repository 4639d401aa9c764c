"""Personal links sent by e-mail (invitations, sign-in links): signed, single-purpose, stored as a hash.

The link carries a token signed with the purpose as salt, so a token made for
one purpose fails for every other; the database keeps only the SHA-256 of the
random nonce inside it, so a copy of the database signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing


def token_hash(nonce: str, *, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}:{nonce}".encode()).hexdigest()


def link_token_make(*, purpose: str) -> tuple[str, str]:
    """(token for the link, hash to store)."""
    nonce = secrets.token_urlsafe(32)
    return signing.dumps({"n": nonce}, salt=purpose, compress=False), token_hash(nonce, purpose=purpose)


def link_token_hash(token: str, *, purpose: str, max_age: timedelta) -> str | None:
    """The stored hash a genuine token of this purpose stands for, or None if it is forged or too old."""
    try:
        nonce = signing.loads(token, salt=purpose, max_age=max_age)["n"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    return token_hash(nonce, purpose=purpose)
