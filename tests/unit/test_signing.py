"""Ed25519 over canonical content, the key file, and production's refusal to invent a key."""

import copy
import datetime as dt
import json
import os
import stat
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from sodamolek.documents.signing import (
    SigningKeyError,
    canonical_content,
    create_signing_key,
    key_id,
    load_or_create_signing_key,
    load_public_key_pem,
    load_signing_key,
    public_jwk,
    public_key_from_jwk,
    public_key_pem,
    sign,
    signing_key_for,
    verify,
)
from sodamolek.push.vapid import generate_keys
from sodamolek.settings import Settings, SettingsError
from sodamolek.startup import ProcessRole, check_for_production
from sodamolek.tte.ca import init_ca

STRONG = "x" * 20 + "-strong-production-secret-0123456789"

LETTER = {
    "number": "470/007/53.71.04.1005/XI/2026",
    "letter_type": "domisili",
    "kelurahan": "53.71.04.1005",
    "applicant": {"name": "Maria Goreti Ndoen", "nik": "5371045708900003"},
    "data": {"keperluan": "Pendaftaran sekolah", "lama_tinggal": 7},
    "signer": {"name": "Yohanes Benu, S.Sos", "nip": "197805122005011003", "title": "Lurah"},
    "signed_at": dt.datetime(2026, 11, 29, 6, 5, tzinfo=dt.UTC),
    "valid_until": dt.date(2027, 5, 28),
    "countersigned": False,
    "revoked": None,
}


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


# -- canonical content ---------------------------------------------------------------------------


def test_canonical_json_is_compact_sorted_utf8():
    content = canonical_content({"b": 1, "a": "Nusa Tenggara Timur – Kupang", "c": [True, None]})
    assert content == '{"a":"Nusa Tenggara Timur – Kupang","b":1,"c":[true,null]}'.encode()


def test_dates_are_iso_and_datetimes_utc():
    wita = dt.timezone(dt.timedelta(hours=8))
    content = json.loads(
        canonical_content(
            {
                "d": dt.date(2026, 11, 29),
                "t": dt.datetime(2026, 11, 29, 14, 5, tzinfo=wita),
                "naive": dt.datetime(2026, 11, 29, 6, 5),  # stored values are UTC
                "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            }
        )
    )
    assert content == {
        "d": "2026-11-29",
        "t": "2026-11-29T06:05:00+00:00",
        "naive": "2026-11-29T06:05:00+00:00",
        "id": "12345678-1234-5678-1234-567812345678",
    }


def test_strings_and_keys_are_nfc_normalised():
    composed, decomposed = "Jos\u00e9", "Jose\u0301"
    assert canonical_content({"nama": composed}) == canonical_content({"nama": decomposed})
    assert canonical_content({composed: 1}) == canonical_content({decomposed: 1})
    with pytest.raises(ValueError, match="twice"):
        canonical_content({composed: 1, decomposed: 2})


@pytest.mark.parametrize("value", [1.5, b"bytes", {1, 2}, object()])
def test_unsignable_values_are_refused(value):
    with pytest.raises(TypeError):
        canonical_content({"x": value})


def test_non_string_keys_are_refused():
    with pytest.raises(TypeError):
        canonical_content({1: "x"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
flat_dicts = st.dictionaries(
    st.text(alphabet=st.characters(categories=["L", "N"]), max_size=8), json_values, max_size=8
)


@given(flat_dicts, st.randoms())
def test_canonical_content_does_not_depend_on_key_order(fields, rnd):
    items = list(fields.items())
    rnd.shuffle(items)
    assert canonical_content(dict(items)) == canonical_content(fields)


@given(flat_dicts)
def test_canonical_content_is_valid_json_without_whitespace_between_tokens(fields):
    content = canonical_content(fields)
    decoded = json.loads(content)
    assert (
        content
        == json.dumps(decoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


# -- sign and verify -----------------------------------------------------------------------------


def test_signature_verifies(key):
    content = canonical_content(LETTER)
    signature = sign(key, content)
    assert len(signature) == 86 and "=" not in signature
    assert verify(key.public_key(), content, signature)


def _changed(value):
    if isinstance(value, bool) or value is None:
        return "x"
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + " "
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(seconds=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    raise AssertionError(value)


def _leaves(fields, path=()):
    for name, value in fields.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("path", list(_leaves(LETTER)), ids="/".join)
def test_changing_any_field_breaks_the_signature(key, path):
    signature = sign(key, canonical_content(LETTER))
    forged = copy.deepcopy(LETTER)
    target = forged
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = _changed(target[path[-1]])
    assert not verify(key.public_key(), canonical_content(forged), signature)


def test_adding_or_removing_a_field_breaks_the_signature(key):
    signature = sign(key, canonical_content(LETTER))
    assert not verify(key.public_key(), canonical_content({**LETTER, "extra": ""}), signature)
    smaller = {k: v for k, v in LETTER.items() if k != "revoked"}
    assert not verify(key.public_key(), canonical_content(smaller), signature)


def test_another_key_does_not_verify(key):
    content = canonical_content(LETTER)
    signature = sign(key, content)
    assert not verify(Ed25519PrivateKey.generate().public_key(), content, signature)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1],  # truncated
        lambda s: s + "A",
        lambda s: s + "==",  # padded spelling of the same bytes
        lambda s: s[:10] + "!" + s[10:],  # a character base64 would silently skip
        lambda s: s.replace("-", "+").replace("_", "/") if ("-" in s or "_" in s) else s[::-1],
        lambda s: "",
        lambda s: "é" * 86,
        lambda s: None,
        lambda s: s[::-1],
    ],
)
def test_malformed_signatures_are_false_not_errors(key, mangle):
    content = canonical_content(LETTER)
    assert verify(key.public_key(), content, mangle(sign(key, content))) is False


# -- publishing the public key -------------------------------------------------------------------


def test_public_key_pem_and_jwk_round_trip(key):
    content = canonical_content(LETTER)
    signature = sign(key, content)
    pem = public_key_pem(key)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----") and "PRIVATE" not in pem
    assert verify(load_public_key_pem(pem), content, signature)
    jwk = public_jwk(key)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    assert "d" not in jwk  # never the private part
    assert verify(public_key_from_jwk(jwk), content, signature)
    assert jwk["kid"] == key_id(key) == key_id(key.public_key())


def test_key_id_is_the_rfc7638_thumbprint():
    # RFC 8037 appendix A.3: the thumbprint of the example Ed25519 key.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = public_key_from_jwk(
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    )
    assert isinstance(public, Ed25519PublicKey)
    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# -- the key file --------------------------------------------------------------------------------


def test_key_is_generated_once_into_the_data_folder_private(tmp_path):
    first = load_or_create_signing_key(tmp_path)
    path = tmp_path / "signing_key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    again = load_or_create_signing_key(tmp_path)
    assert public_key_pem(again) == public_key_pem(first)
    assert [p.name for p in tmp_path.iterdir()] == ["signing_key.pem"]  # no temporary left


def test_concurrent_first_use_agrees_on_one_key(tmp_path):
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(lambda _: load_or_create_signing_key(tmp_path), range(16)))
    assert len({public_key_pem(k) for k in keys}) == 1


def test_create_never_overwrites(tmp_path):
    path = tmp_path / "k.pem"
    create_signing_key(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        create_signing_key(path)
    assert path.read_bytes() == before


def test_key_made_by_openssl_style_pkcs8_is_accepted(tmp_path):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "external.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert public_key_pem(load_signing_key(path)) == public_key_pem(key)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "tidak ada"),
        (b"not a key", "bukan kunci privat PEM"),
        ("rsa", "bukan kunci Ed25519"),
        ("encrypted", "bukan kunci privat PEM"),
    ],
)
def test_unusable_key_files_say_why(tmp_path, content, reason):
    path = tmp_path / "key.pem"
    if content == "rsa":
        from cryptography.hazmat.primitives.asymmetric import ec

        content = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    elif content == "encrypted":
        content = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"sandi"),
        )
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SigningKeyError, match=reason):
        load_signing_key(path)


# -- settings: where the key comes from, and production --------------------------------------------


def test_setting_names_the_key_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SODAMOLEK_SIGNING_KEY_FILE", raising=False)
    assert Settings.from_env().signing_key_path == tmp_path / "data" / "signing_key.pem"
    monkeypatch.setenv("SODAMOLEK_SIGNING_KEY_FILE", str(tmp_path / "secrets" / "letters.pem"))
    assert Settings.from_env().signing_key_path == tmp_path / "secrets" / "letters.pem"


def test_development_generates_into_the_data_folder(tmp_path):
    key = signing_key_for(Settings(data_dir=tmp_path))
    assert public_key_pem(load_signing_key(tmp_path / "signing_key.pem")) == public_key_pem(key)


def test_override_file_is_used_and_never_generated(tmp_path):
    path = tmp_path / "letters.pem"
    with pytest.raises(SigningKeyError, match="SODAMOLEK_SIGNING_KEY_FILE"):
        signing_key_for(Settings(data_dir=tmp_path, signing_key_file=path))
    assert not path.exists() and not (tmp_path / "signing_key.pem").exists()
    key = create_signing_key(path)
    found = signing_key_for(Settings(data_dir=tmp_path, signing_key_file=path))
    assert public_key_pem(found) == public_key_pem(key)


VAPID = generate_keys()
CA_PASSPHRASE = "ca-passphrase-signing-test"


def production(tmp_path, **kwargs):
    return Settings(
        env="production",
        secret_key=STRONG,
        base_url="https://surat.kupangkota.go.id",
        data_dir=tmp_path,
        vapid_private_key=VAPID.private_key,
        vapid_public_key=VAPID.public_key,
        vapid_subject="mailto:diskominfo@kupangkota.go.id",
        ca_passphrase=CA_PASSPHRASE,
        **kwargs,
    )


def test_production_refuses_to_start_without_a_signing_key(tmp_path):
    with pytest.raises(SettingsError, match="SODAMOLEK_SIGNING_KEY_FILE") as caught:
        check_for_production(production(tmp_path), ProcessRole.SERVE)
    assert "sodamolek signing-key" in str(caught.value)
    assert not (tmp_path / "signing_key.pem").exists()  # nothing generated in production
    with pytest.raises(SigningKeyError):
        signing_key_for(production(tmp_path))
    assert not (tmp_path / "signing_key.pem").exists()


def test_production_refuses_a_missing_or_broken_override(tmp_path):
    path = tmp_path / "letters.pem"
    with pytest.raises(SettingsError, match="SODAMOLEK_SIGNING_KEY_FILE"):
        check_for_production(production(tmp_path, signing_key_file=path), ProcessRole.SERVE)
    path.write_text("-----BEGIN PRIVATE KEY-----\nrusak\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SettingsError, match="bukan kunci privat"):
        check_for_production(production(tmp_path, signing_key_file=path), ProcessRole.SERVE)


def test_production_accepts_a_key_made_beforehand(tmp_path):
    create_signing_key(tmp_path / "signing_key.pem")
    init_ca(tmp_path, CA_PASSPHRASE)  # production's other key (`sodamolek ca init`)
    check_for_production(production(tmp_path), ProcessRole.SERVE)
    other = tmp_path / "elsewhere" / "letters.pem"
    create_signing_key(other)
    check_for_production(production(tmp_path, signing_key_file=other), ProcessRole.SERVE)


def test_create_app_refuses_production_without_a_signing_key(tmp_path):
    from sodamolek.app import create_app

    with pytest.raises(SettingsError, match="SODAMOLEK_SIGNING_KEY_FILE"):
        create_app(production(tmp_path))


def _cli(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_ENV": "production",
        "SODAMOLEK_DATA_DIR": str(tmp_path),
        "SODAMOLEK_SECRET_KEY": STRONG,
        "SODAMOLEK_BASE_URL": "https://surat.kupangkota.go.id",
    }
    return subprocess.run(
        [sys.executable, "-m", "sodamolek.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_signing_key_creates_once_and_prints_the_public_key(tmp_path):
    served = _cli(tmp_path, "serve", "--port", "0")
    assert served.returncode == 2 and "sodamolek signing-key" in served.stderr

    made = _cli(tmp_path, "signing-key")
    assert made.returncode == 0, made.stderr
    key = load_signing_key(tmp_path / "signing_key.pem")
    assert public_key_pem(key) in made.stdout and key_id(key) in made.stdout
    assert "PRIVATE" not in made.stdout

    again = _cli(tmp_path, "signing-key")
    assert again.returncode == 0 and "sudah ada" in again.stdout
    assert public_key_pem(load_signing_key(tmp_path / "signing_key.pem")) == public_key_pem(key)
