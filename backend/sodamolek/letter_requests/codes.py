"""Tracking codes: short, readable, unguessable. KPG-XXXX-XXXX-XXXX, Crockford base32, 60 bits."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
GROUPS, GROUP_LEN = 3, 4
PREFIX = "KPG"
BITS = GROUPS * GROUP_LEN * 5
assert len(ALPHABET) == 32, "a code's characters are five bits of a random byte each"
_CLEAN = re.compile(r"[\s\-_.]")
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_FULL = re.compile(rf"{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def new_tracking_code() -> str:
    # One read of the system's random source, five bits of each byte (256 is a multiple of 32,
    # so every character is as likely): secrets.choice read it once a character, ~47 µs a code.
    chars = "".join([ALPHABET[byte & 31] for byte in secrets.token_bytes(GROUPS * GROUP_LEN)])
    groups = [chars[i : i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN)]
    return "-".join([PREFIX, *groups])


def normalise_tracking_code(text: str) -> str | None:
    """What a resident typed (any case, spaces, I for 1, O for 0) as the canonical code, or None
    when it cannot be one."""
    if _FULL.fullmatch(text or ""):
        return text  # already canonical: every link and QR code the app makes
    body = _CLEAN.sub("", (text or "").upper())
    if body.startswith(PREFIX):
        body = body[len(PREFIX) :]
    body = body.translate(_CONFUSABLE)
    if len(body) != GROUPS * GROUP_LEN or any(c not in ALPHABET for c in body):
        return None
    code = "-".join([PREFIX, *(body[i : i + GROUP_LEN] for i in range(0, len(body), GROUP_LEN))])
    return code if _FULL.fullmatch(code) else None
