"""The city's own certificate authority (embedded back-end) and the signers' certificates.

The CA is made once by `sodamolek ca init` in <data dir>/tte/: one PEM certificate and one PKCS#8
key, encrypted under the CA passphrase, per generation. A rotation adds a generation and keeps
the older certificates as trust roots, so letters signed before it still verify; the newest
generation issues. Each signer's key travels as a PKCS#12 archive (key and certificate) encrypted
under the signer's own passphrase with PBES2 (PBKDF2-SHA256, AES-256-CBC): the server keeps it but
cannot open it without the person.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sodamolek.core.files import create_private_file

CA_FOLDER = "tte"
CA_NAME = "Sodamolek CA Pemerintah Kota Kupang"
ORGANISATION = "Pemerintah Kota Kupang"
CA_YEARS = 10
SIGNER_YEARS = 2
# PBKDF2 rounds for a signer's archive: the key is opened once per batch, so a slow derivation
# costs the signer nothing noticeable and an attacker with a copy of the database a lot.
SIGNER_KDF_ROUNDS = 200_000


def use_cheap_parameters_for_tests() -> None:
    """For the test suite only (tests/conftest.py calls it), like the passwords' switch: 1,000
    rounds instead of ~50 ms of derivation per lock and per open, which hundreds of signer
    archives in the suite would pay. Archives record their rounds, so they still open."""
    global SIGNER_KDF_ROUNDS
    SIGNER_KDF_ROUNDS = 1000


_GENERATION = re.compile(r"^ca-(\d{20})\.crt$")


class CAError(RuntimeError):
    """The CA is missing, unreadable or its passphrase is wrong; the message says which."""


class WrongPassphrase(ValueError):
    """The passphrase does not open the key (never says more than that)."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Generation:
    """One CA certificate and the file of its encrypted key."""

    certificate: x509.Certificate
    key_path: Path

    @property
    def label(self) -> str:
        return self.key_path.stem.removeprefix("ca-")

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class CityCA:
    """Every generation of the city CA, oldest first; the last one issues."""

    generations: tuple[Generation, ...]

    @property
    def current(self) -> Generation:
        return self.generations[-1]

    @property
    def certificates(self) -> list[x509.Certificate]:
        return [g.certificate for g in self.generations]

    def bundle_pem(self) -> bytes:
        """Every CA certificate, newest first: what a reader adds as trusted roots."""
        return b"".join(g.pem for g in reversed(self.generations))

    def issuer_of(self, certificate: x509.Certificate) -> Generation | None:
        for generation in self.generations:
            if generation.certificate.subject == certificate.issuer:
                try:
                    certificate.verify_directly_issued_by(generation.certificate)
                except (ValueError, TypeError, InvalidSignature):
                    pass  # same name, other key: an older or newer generation
                else:
                    return generation
        return None

    def private_key(self, passphrase: str, generation: Generation | None = None):
        generation = generation or self.current
        try:
            return serialization.load_pem_private_key(
                generation.key_path.read_bytes(), password=passphrase.encode()
            )
        except (ValueError, TypeError) as exc:
            raise CAError(
                "Kata sandi CA kota (SODAMOLEK_CA_PASSPHRASE) tidak membuka kunci CA "
                f"{generation.label}."
            ) from exc


def ca_folder(data_dir: Path) -> Path:
    return Path(data_dir) / CA_FOLDER


def load_ca(data_dir: Path) -> CityCA | None:
    """The CA in the data folder, or None when `sodamolek ca init` has not run."""
    folder = ca_folder(data_dir)
    if not folder.is_dir():
        return None
    generations = []
    for path in sorted(folder.iterdir()):
        if not _GENERATION.match(path.name):
            continue
        key_path = path.with_suffix(".key")
        if not key_path.exists():
            continue
        try:
            certificate = x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError as exc:
            raise CAError(f"Sertifikat CA {path} rusak.") from exc
        generations.append(Generation(certificate, key_path))
    return CityCA(tuple(generations)) if generations else None


def init_ca(
    data_dir: Path, passphrase: str, *, rotate: bool = False, now: dt.datetime | None = None
) -> CityCA:
    """Make the CA (once), or with rotate=True a new generation beside the old ones."""
    if len(passphrase) < 12:
        raise CAError("Kata sandi CA kota minimal 12 karakter.")
    existing = load_ca(data_dir)
    if existing and not rotate:
        raise FileExistsError(existing.current.key_path)
    now = now or _utcnow()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{CA_NAME} {now:%Y-%m}"),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    label = now.strftime("%Y%m%d%H%M%S%f")  # sorts by age; two rotations never collide
    folder = ca_folder(data_dir)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    create_private_file(folder / f"ca-{label}.key", key_pem)
    create_private_file(
        folder / f"ca-{label}.crt", certificate.public_bytes(serialization.Encoding.PEM)
    )
    ca = load_ca(data_dir)
    assert ca is not None
    return ca


@dataclass(frozen=True)
class SignerIdentity:
    """Who a certificate names: the signing account's name, NIP, title and office."""

    name: str
    nip: str
    title: str
    office: str


def issue_signer_certificate(
    ca: CityCA,
    ca_passphrase: str,
    identity: SignerIdentity,
    *,
    now: dt.datetime | None = None,
    years: int = SIGNER_YEARS,
    crl_url: str | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A new key pair for a signer and its certificate from the current CA generation.
    crl_url: where the generation's CRL is published; validators (pyHanko's among them) look
    for revocation only in certificates that name a distribution point."""
    now = now or _utcnow()
    issuer = ca.current
    ca_key = ca.private_key(ca_passphrase, issuer)
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, identity.office[:64] or "-"),
        x509.NameAttribute(NameOID.TITLE, identity.title[:64] or "-"),
        x509.NameAttribute(NameOID.COMMON_NAME, identity.name[:64] or "-"),
    ]
    if identity.nip:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"NIP:{identity.nip}"))
    not_after = min(now + dt.timedelta(days=365 * years), issuer.certificate.not_valid_after_utc)
    builder = x509.CertificateBuilder()
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    certificate = (
        builder.subject_name(x509.Name(attributes))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: what a PAdES signer needs
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return certificate, key


def lock_key(
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    passphrase: str,
    rounds: int | None = None,
) -> bytes:
    """The key and its certificate as a PKCS#12 archive encrypted under the passphrase."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(rounds or SIGNER_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode())
    )
    return pkcs12.serialize_key_and_certificates(
        b"tte", key, certificate, chain or None, encryption
    )


def check_passphrase(archive: bytes, passphrase: str) -> None:
    """Raise WrongPassphrase unless the passphrase opens the archive."""
    try:
        pkcs12.load_key_and_certificates(archive, passphrase.encode())
    except (ValueError, TypeError):
        raise WrongPassphrase() from None


def crl_path(label: str) -> str:
    """Where a generation's CRL is published (under the server's base URL)."""
    return f"/kunci-publik/crl/ca-{label}.crl"


def build_crl(
    ca: CityCA,
    ca_passphrase: str,
    generation: Generation,
    revoked: list[tuple[int, dt.datetime]],
    now: dt.datetime | None = None,
) -> bytes:
    """A CRL (DER) of one CA generation listing (serial, revoked at) pairs."""
    now = now or _utcnow()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(generation.certificate.subject)
        .last_update(now - dt.timedelta(minutes=1))
        .next_update(now + dt.timedelta(days=7))
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
    )
    for serial, revoked_at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .build()
        )
    key = ca.private_key(ca_passphrase, generation)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
