"""Verification tokens: the random part of /verifikasi/{token} printed in the letter's QR."""

from __future__ import annotations

import re
import secrets

TOKEN_BYTES = 18  # 144 bits; a multiple of 3 gives base64url with no padding and no spare bits
TOKEN_LENGTH = 24  # characters of base64url for TOKEN_BYTES
_TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def new_verification_token() -> str:
    """A fresh unguessable token (144 bits, URL-safe, always 24 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_well_formed_token(text: object) -> bool:
    """Cheap shape check, so a truncated or made-up token is refused before any lookup."""
    return isinstance(text, str) and _TOKEN_RE.fullmatch(text) is not None
