"""VAPID keys (RFC 8292): generated, stored and checked with py_vapid and cryptography.

Format, as browsers and push services expect it: the private key is the 32-byte P-256 scalar,
the public key the 65-byte uncompressed point (the page's `applicationServerKey`), both
base64url without padding."""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

VAPID_FILE_NAME = "vapid_private_key"
SUBJECT_PATTERN = re.compile(r"(mailto:[^@\s]+@[^@\s]+|https://[^\s/]+.*)")


@dataclass(frozen=True)
class VapidKeys:
    private_key: str
    public_key: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_key_of(vapid: Vapid) -> str:
    return b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def generate_keys() -> VapidKeys:
    vapid = Vapid()
    vapid.generate_keys()
    scalar = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return VapidKeys(private_key=b64url(scalar), public_key=_public_key_of(vapid))


def load_signer(private_key: str) -> Vapid:
    """The py_vapid signer for a stored private key; ValueError if the key is unusable."""
    try:
        return Vapid.from_string(private_key=private_key)
    except Exception as exc:  # py_vapid raises whatever cryptography or base64 raise
        raise ValueError("kunci privat VAPID tidak dapat dibaca") from exc


def public_key_for(private_key: str) -> str:
    return _public_key_of(load_signer(private_key))


def key_problem(private_key: str, public_key: str) -> str | None:
    """Why this pair cannot be used, or None."""
    try:
        derived = public_key_for(private_key)
    except ValueError as exc:
        return str(exc)
    if derived != public_key.strip().rstrip("="):
        return "kunci publik VAPID bukan pasangan kunci privatnya"
    return None


def subject_problem(subject: str) -> str | None:
    if not SUBJECT_PATTERN.fullmatch(subject or ""):
        return "subjek VAPID harus berupa mailto:alamat@domain atau https://…"
    return None


def load_or_create_keys(data_dir: Path) -> VapidKeys:
    """Embedded mode: one pair generated into the data folder, then kept (subscriptions are made
    against the public key, so a new pair would silence every phone)."""
    path = data_dir / VAPID_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        keys = generate_keys()
        # Written whole to a temporary file, then linked into place: link() fails if another
        # process got there first, and nobody ever reads a half-written key.
        temporary = data_dir / f".{VAPID_FILE_NAME}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(keys.private_key)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        else:
            return keys
        finally:
            temporary.unlink()
    private_key = path.read_text().strip()
    return VapidKeys(private_key=private_key, public_key=public_key_for(private_key))
