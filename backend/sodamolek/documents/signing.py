"""Ed25519 signatures over a letter's canonical content, and the key that makes them.

The verification page recomputes canonical_content() from the stored letter and checks the stored
signature with the published public key, so a row edited in the database no longer verifies.

Key handling: outside production a key is generated once into the data folder (like the session
secret). In production nothing is generated silently: the key file must exist, made once by
`sodamolek signing-key` (or `openssl genpkey -algorithm ed25519`), at <data dir>/signing_key.pem
or at SODAMOLEK_SIGNING_KEY_FILE.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from sodamolek.core.files import create_private_file
from sodamolek.settings import SIGNING_KEY_FILE_NAME, Settings, SettingsError

SIGNATURE_LENGTH = 64  # bytes of an Ed25519 signature


class SigningKeyError(SettingsError):
    """The signing key is missing or unusable; the message names the file and the fix."""


# -- canonical content -------------------------------------------------------------------------


def canonical_content(fields: dict[str, Any]) -> bytes:
    """Deterministic JSON of the fields: what gets signed.

    Sorted keys, no whitespace, UTF-8 (not \\u escapes), every string (keys too) NFC-normalised
    so the same name typed on two keyboards signs the same. Dates are ISO 8601; datetimes are
    converted to UTC (naive ones are taken as UTC, as the database stores them). Floats and other
    types are refused: their text form is not something to build a signature on.
    """
    if not isinstance(fields, dict):
        raise TypeError("canonical_content needs a dict")
    return json.dumps(
        _canonical(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical_content: key {key!r} is not a string")
            name = unicodedata.normalize("NFC", key)
            if name in result:
                raise ValueError(f"canonical_content: key {name!r} appears twice after NFC")
            result[name] = _canonical(item)
        return result
    raise TypeError(f"canonical_content: {type(value).__name__} is not signable")


# -- signatures --------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(private_key: Ed25519PrivateKey, content: bytes) -> str:
    """The Ed25519 signature of content, base64url without padding (86 characters)."""
    return _b64url(private_key.sign(content))


def verify(public_key: Ed25519PublicKey, content: bytes, signature: str) -> bool:
    """True only if signature is a well-formed Ed25519 signature of exactly this content."""
    if not isinstance(signature, str) or not signature.isascii():
        return False
    try:
        raw = _b64url_decode(signature)
    except (binascii.Error, ValueError):
        return False
    # Only the canonical spelling: two strings must never pass for the same signature.
    if len(raw) != SIGNATURE_LENGTH or _b64url(raw) != signature:
        return False
    try:
        public_key.verify(raw, content)
    except InvalidSignature:
        return False
    return True


# -- publishing the public key -----------------------------------------------------------------


def _public(key: Ed25519PrivateKey | Ed25519PublicKey) -> Ed25519PublicKey:
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def _raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    return _public(key).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----")."""
    return (
        _public(key)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def load_public_key_pem(text: str | bytes) -> Ed25519PublicKey:
    data = text.encode("ascii") if isinstance(text, str) else text
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint: a stable name for the key, stored beside each signature so that
    letters signed before a key change still find their key."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw_public(key))}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode("ascii")).digest()
    return _b64url(digest)


def public_jwk(key: Ed25519PrivateKey | Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), for a published JWKS document."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw_public(key)),
        "kid": key_id(key),
        "use": "sig",
        "alg": "EdDSA",
    }


def public_key_from_jwk(jwk: dict[str, str]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 JWK")
    return Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"]))


# -- the key file ------------------------------------------------------------------------------


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Read an unencrypted PKCS#8 PEM Ed25519 private key; SigningKeyError says what is wrong."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise SigningKeyError(f"Berkas kunci tanda tangan surat tidak ada: {path}.") from exc
    except OSError as exc:
        raise SigningKeyError(
            f"Berkas kunci tanda tangan surat {path} tidak dapat dibaca: {exc.strerror}."
        ) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"Berkas {path} bukan kunci privat PEM yang tidak terenkripsi."
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"Kunci di {path} bukan kunci Ed25519.")
    return key


def create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Write a new key to path (0600), never over an existing file: FileExistsError then."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    create_private_file(path, _private_pem(key))
    return key


def load_or_create_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """Embedded mode: the key in <data_dir>/signing_key.pem, generated there on first use."""
    path = Path(data_dir) / SIGNING_KEY_FILE_NAME
    if path.exists():
        return load_signing_key(path)
    try:
        return create_signing_key(path)
    except FileExistsError:  # another worker made it first: use theirs
        return load_signing_key(path)


def signing_key_for(settings: Settings) -> Ed25519PrivateKey:
    """The key the server signs with. Generated only outside production, only in the data
    folder; a SODAMOLEK_SIGNING_KEY_FILE that does not exist is an error in every mode."""
    if settings.signing_key_file is not None:
        try:
            return load_signing_key(settings.signing_key_file)
        except SigningKeyError as exc:
            raise SigningKeyError(f"SODAMOLEK_SIGNING_KEY_FILE: {exc}") from exc
    if settings.is_production:
        path = settings.signing_key_path
        if not path.exists():
            raise SigningKeyError(
                f"Kunci tanda tangan surat belum ada ({path}): mode production tidak membuat "
                "kunci otomatis. Buat sekali dengan `sodamolek signing-key`, atau isi "
                "SODAMOLEK_SIGNING_KEY_FILE dengan berkas PEM Ed25519 "
                "(`openssl genpkey -algorithm ed25519 -out signing_key.pem`)."
            )
        return load_signing_key(path)
    return load_or_create_signing_key(settings.data_dir)
