"""Electronic signatures (TTE): one interface, two back-ends, the signers' certificates, the
passphrase throttle, revocation, and the examination of an uploaded PDF.

Signing a batch goes:  open_session(account, passphrase)  ->  session.sign_pdfs(pdfs, ...)
The session is opened before any letter number is allocated: a wrong passphrase (the key does not
decrypt, or BSrE refuses it) fails there, signs nothing and uses up nothing. The passphrase lives
in the session object for the batch and nowhere else: it is never stored, never logged, never
put in an exception's message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sodamolek.accounts import service as accounts
from sodamolek.core.roles import Role
from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.settings import Settings
from sodamolek.tte import bsre, ca
from sodamolek.tte.signature_values import Appearance, BrokenPdf, SignatureFailed, SignatureReport
from sodamolek.tte.tables import (
    PassphraseFailure,
    RevocationList,
    SignatureRecord,
    SignerCertificate,
    SignerProfile,
)

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

    from sodamolek.tte import pades as pades_module


def _pades():
    """tte.pades, with pyHanko: imported when the first signature is made or checked, not at
    every process's start (tte.signature_values holds what is passed around meanwhile)."""
    from sodamolek.tte import pades  # ~0.8 s of imports, on first use

    return pades


# Wrong passphrases: this many within the window lock signing for the rest of the window.
MAX_PASSPHRASE_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSPHRASE_LENGTH = 10
DEMO_PASSPHRASE = "kupang-demo-2026"  # noqa: S105 - the documented demo passphrase
SIGNING_ROLES = (Role.LURAH, Role.CAMAT)


class SigningUnavailable(Exception):
    """Signing cannot start; str() is the Indonesian message for the signer."""


class PassphraseRefused(SigningUnavailable):
    def __init__(self, failures_left: int) -> None:
        text = "Passphrase TTE salah. Tidak ada surat yang ditandatangani dan tidak ada nomor "
        text += "yang terpakai."
        if failures_left <= 2:
            text += f" Sisa percobaan sebelum penandatanganan dikunci sementara: {failures_left}."
        super().__init__(text)


class SigningThrottled(SigningUnavailable):
    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(
            "Terlalu banyak passphrase TTE yang salah. Penandatanganan dikunci sementara; coba "
            f"lagi dalam {minutes} menit."
        )
        self.retry_after = retry_after


class CertificateProblem(ValueError):
    """Setting a passphrase or issuing a certificate failed; str() says why."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    """A non-null timestamp column, aware in UTC on both engines."""
    aware = as_utc(value)
    assert aware is not None
    return aware


# ---------------------------------------------------------------------------------------------
# Trust: the city CA (every generation) and, when configured, BSrE's roots


@functools.lru_cache(maxsize=8)
def _load_roots_file(path: str, mtime: float) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))


def bsre_roots(settings: Settings) -> list[x509.Certificate]:
    path = settings.bsre_roots_file
    if path is None or not path.exists():
        return []
    return list(_load_roots_file(str(path), path.stat().st_mtime))


def city_ca(settings: Settings) -> ca.CityCA | None:
    return ca.load_ca(settings.data_dir)


def require_city_ca(settings: Settings) -> ca.CityCA:
    authority = city_ca(settings)
    if authority is None:
        raise SigningUnavailable(
            "CA kota belum dibuat: jalankan `sodamolek ca init` sekali di server."
        )
    return authority


def trust_roots(settings: Settings) -> list[x509.Certificate]:
    authority = city_ca(settings)
    return (authority.certificates if authority else []) + bsre_roots(settings)


def ensure_dev_ca(settings: Settings) -> ca.CityCA:
    """Outside production, `make run` and the tests get a CA without a manual step."""
    authority = city_ca(settings)
    if authority is not None or settings.is_production:
        return require_city_ca(settings)
    try:
        return ca.init_ca(settings.data_dir, settings.city_ca_passphrase)
    except FileExistsError:
        return require_city_ca(settings)


def timestamper(settings: Settings) -> pades_module.HttpxTimeStamper | None:
    if not settings.tsa_url:
        return None
    auth = (settings.tsa_user, settings.tsa_password) if settings.tsa_user else None
    return _pades().HttpxTimeStamper(settings.tsa_url, auth=auth)


def bsre_client(settings: Settings, transport=None) -> bsre.BsreClient:
    if not settings.bsre_url:
        raise SigningUnavailable("SODAMOLEK_BSRE_URL belum diisi: layanan TTE BSrE tidak dikenal.")
    return bsre.BsreClient(
        bsre.BsreConfig(
            base_url=settings.bsre_url,
            user=settings.bsre_user,
            password=settings.bsre_password,
            timeout_seconds=settings.bsre_timeout_seconds,
            retries=settings.bsre_retries,
        ),
        transport=transport,
    )


# ---------------------------------------------------------------------------------------------
# Signers' certificates (embedded back-end)


def _decode_certificate(row: dict) -> dict:
    for key in ("not_before", "not_after", "created_at", "revoked_at"):
        row[key] = as_utc(row.get(key))
    return row


async def current_certificate(account_id: int) -> dict | None:
    """The account's newest certificate row (without the key archive), revoked or not."""
    row = (
        await SignerCertificate.select(
            *SignerCertificate.all_columns(exclude=[SignerCertificate.key_archive])
        )
        .where(SignerCertificate.account == account_id)
        .order_by(SignerCertificate.created_at, ascending=False)
        .first()
    )
    return _decode_certificate(row) if row else None


def certificate_state(row: dict | None, now: dt.datetime | None = None) -> str:
    if row is None:
        return "belum ada"
    if row["revoked_at"]:
        return "dicabut"
    if row["not_after"] <= (now or _now()):
        return "kedaluwarsa"
    return "berlaku"


async def signer_identity(user) -> ca.SignerIdentity:
    """What a signer's certificate names: name, NIP, title and office of the account."""
    title = "Camat" if user.role is Role.CAMAT else "Lurah"
    place = user.office_name.removeprefix("Kelurahan ").removeprefix("Kecamatan ")
    return ca.SignerIdentity(
        name=user.full_name,
        nip=await accounts.account_nip(user.id),
        title=f"{title} {place}",
        office=user.office_name,
    )


def passphrase_problem(passphrase: str) -> str | None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"Passphrase TTE minimal {MIN_PASSPHRASE_LENGTH} karakter."
    if passphrase.strip() != passphrase:
        return "Passphrase TTE tidak boleh diawali atau diakhiri spasi."
    return None


async def set_passphrase(
    settings: Settings,
    account_id: int,
    identity: ca.SignerIdentity,
    passphrase: str,
    now: dt.datetime | None = None,
) -> dict:
    """Issue the account a new key and certificate from the city CA, its key locked under the
    passphrase. The previous certificate's key is destroyed (letters it signed stay valid: the
    certificate itself stays trusted for what it signed before)."""
    if problem := passphrase_problem(passphrase):
        raise CertificateProblem(problem)
    authority = require_city_ca(settings)
    now = now or _now()

    def issue() -> tuple[x509.Certificate, bytes]:
        certificate, key = ca.issue_signer_certificate(
            authority,
            settings.city_ca_passphrase,
            identity,
            now=now,
            crl_url=settings.base_url + ca.crl_path(authority.current.label),
        )
        chain = [authority.current.certificate]
        return certificate, ca.lock_key(key, certificate, chain, passphrase)

    try:
        certificate, archive = await asyncio.to_thread(issue)
    except ca.CAError as exc:
        raise CertificateProblem(str(exc)) from None
    async with write_transaction(current_engine()):
        await SignerCertificate.update({SignerCertificate.key_archive: None}).where(
            SignerCertificate.account == account_id
        )
        await SignerCertificate.insert(
            SignerCertificate(
                account=account_id,
                serial=format(certificate.serial_number, "x"),
                issuer_label=authority.current.label,
                subject=certificate.subject.rfc4514_string()[:300],
                certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
                key_archive=archive,
                not_before=certificate.not_valid_before_utc,
                not_after=certificate.not_valid_after_utc,
                created_at=now,
            )
        )
        await PassphraseFailure.delete().where(PassphraseFailure.account == account_id)
    row = await current_certificate(account_id)
    assert row is not None
    return row


async def revoke_certificates_of(
    settings: Settings, account_id: int, reason: str, now: dt.datetime | None = None
) -> int:
    """Revoke every live certificate of the account (its key is destroyed) and re-issue the
    CRLs, so signatures made after now fail verification. Returns how many were revoked."""
    now = now or _now()
    rows = await SignerCertificate.select(
        SignerCertificate.id, SignerCertificate.issuer_label
    ).where((SignerCertificate.account == account_id) & SignerCertificate.revoked_at.is_null())
    if not rows:
        return 0
    async with write_transaction(current_engine()):
        await SignerCertificate.update(
            {
                SignerCertificate.revoked_at: now,
                SignerCertificate.revoked_reason: reason[:200],
                SignerCertificate.key_archive: None,
            }
        ).where(SignerCertificate.id.is_in([r["id"] for r in rows]))
    for label in {r["issuer_label"] for r in rows}:
        await _reissue_crl(settings, label, now)
    return len(rows)


def account_disabled_hook(settings: Settings):
    async def revoke(account_id: int) -> None:
        await revoke_certificates_of(settings, account_id, "Akun dinonaktifkan")

    return revoke


async def _reissue_crl(settings: Settings, issuer_label: str, now: dt.datetime) -> None:
    authority = city_ca(settings)
    if authority is None:
        return
    generation = next((g for g in authority.generations if g.label == issuer_label), None)
    if generation is None:
        return
    revoked = await SignerCertificate.select(
        SignerCertificate.serial, SignerCertificate.revoked_at
    ).where(
        (SignerCertificate.issuer_label == issuer_label)
        & SignerCertificate.revoked_at.is_not_null()
    )
    entries = [(int(r["serial"], 16), _utc(r["revoked_at"])) for r in revoked]
    crl = await asyncio.to_thread(
        ca.build_crl, authority, settings.city_ca_passphrase, generation, entries, now
    )
    async with write_transaction(current_engine()):
        updated = await RevocationList.update(
            {RevocationList.crl: crl, RevocationList.updated_at: now}
        ).where(RevocationList.issuer_label == issuer_label)
        if not updated:
            await RevocationList.insert(
                RevocationList(issuer_label=issuer_label, crl=crl, updated_at=now)
            )


async def published_crl(settings: Settings, issuer_label: str) -> bytes | None:
    """The generation's current CRL (an empty one is issued the first time it is asked)."""
    row = (
        await RevocationList.select(RevocationList.crl)
        .where(RevocationList.issuer_label == issuer_label)
        .first()
    )
    if row is None:
        authority = city_ca(settings)
        if authority is None or issuer_label not in {g.label for g in authority.generations}:
            return None
        await _reissue_crl(settings, issuer_label, _now())
        return await published_crl(settings, issuer_label)
    return bytes(row["crl"])


async def revocation_lists() -> list[bytes]:
    return [bytes(r["crl"]) for r in await RevocationList.select(RevocationList.crl)]


# ---------------------------------------------------------------------------------------------
# BSrE: the signer's NIK


async def bsre_nik(account_id: int) -> str:
    row = (
        await SignerProfile.select(SignerProfile.bsre_nik)
        .where(SignerProfile.account == account_id)
        .first()
    )
    return row["bsre_nik"] if row else ""


async def set_bsre_nik(account_id: int, nik: str) -> None:
    nik = re.sub(r"\s", "", nik)
    if not re.fullmatch(r"\d{16}", nik):
        raise CertificateProblem("NIK untuk TTE BSrE harus 16 angka.")
    async with write_transaction(current_engine()):
        updated = await SignerProfile.update({SignerProfile.bsre_nik: nik}).where(
            SignerProfile.account == account_id
        )
        if not updated:
            await SignerProfile.insert(SignerProfile(account=account_id, bsre_nik=nik))


# ---------------------------------------------------------------------------------------------
# The passphrase throttle


async def _recent_failures(account_id: int, now: dt.datetime) -> list[dt.datetime]:
    rows = await PassphraseFailure.select(PassphraseFailure.failed_at).where(
        (PassphraseFailure.account == account_id)
        & (PassphraseFailure.failed_at > now - FAILURE_WINDOW)
    )
    return sorted(_utc(r["failed_at"]) for r in rows)


async def _check_throttle(account_id: int, now: dt.datetime) -> list[dt.datetime]:
    failures = await _recent_failures(account_id, now)
    if len(failures) >= MAX_PASSPHRASE_FAILURES:
        unlock_at = failures[-MAX_PASSPHRASE_FAILURES] + FAILURE_WINDOW
        raise SigningThrottled(max(1, int((unlock_at - now).total_seconds())))
    return failures


async def _count_failure(account_id: int, now: dt.datetime, earlier: int) -> PassphraseRefused:
    await PassphraseFailure.insert(PassphraseFailure(account=account_id, failed_at=now))
    await PassphraseFailure.delete().where(PassphraseFailure.failed_at < now - FAILURE_WINDOW)
    return PassphraseRefused(MAX_PASSPHRASE_FAILURES - earlier - 1)


# ---------------------------------------------------------------------------------------------
# Signing sessions: one per batch


@dataclass
class SigningSession:
    """An opened signer for one batch. `sign_pdfs` appends one PAdES signature to each PDF."""

    account_id: int
    backend: str
    certificate_serial: str = ""
    _signer: SimpleSigner | None = field(default=None, repr=False)
    _timestamper: pades_module.HttpxTimeStamper | None = field(default=None, repr=False)
    _bsre: bsre.BsreClient | None = field(default=None, repr=False)
    _nik: str = field(default="", repr=False)
    _passphrase: str = field(default="", repr=False)
    _reserve: int | None = field(default=None, repr=False)  # CMS room, learnt from the first
    # pyHanko's signer and asn1crypto's lazily parsed certificates are not safe to share
    # between threads: one signature at a time per session.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def sign_pdfs(
        self,
        pdfs: list[bytes],
        appearance: Appearance,
        reason: str,
        location: str,
        contact_infos: list[str] | None = None,
    ) -> list[bytes]:
        """Every PDF signed with the one opened key (embedded) or one BSrE call (bsre).
        contact_infos: each letter's verification URL, kept in its signature dictionary."""
        if self.backend == "bsre":
            assert self._bsre is not None
            properties = bsre.SignatureProperties(
                tampilan="INVISIBLE" if appearance.box is None else "VISIBLE",
                location=location,
                reason=reason,
            )
            try:
                return await self._bsre.sign_pdfs(
                    self._nik, pdfs, properties, passphrase=self._passphrase
                )
            except bsre.BsreError as exc:
                raise SigningUnavailable(str(exc)) from None
        assert self._signer is not None
        signer = self._signer
        stamper = self._timestamper
        contacts = contact_infos or [""] * len(pdfs)
        out = []
        for pdf, contact in zip(pdfs, contacts, strict=True):
            async with self._lock:
                job = (pdf, signer, appearance, reason, location, stamper, contact, self._reserve)
                try:
                    signed = await asyncio.to_thread(_sign_in_thread, *job)
                    if self._reserve is None:
                        self._reserve = _pades().reserve_for(signed, stamper is not None)
                except SignatureFailed as exc:
                    raise SigningUnavailable(str(exc)) from None
            out.append(signed)
        return out

    async def sign_pdf(
        self,
        pdf: bytes,
        appearance: Appearance,
        reason: str,
        location: str,
        contact_info: str = "",
    ) -> bytes:
        return (await self.sign_pdfs([pdf], appearance, reason, location, [contact_info]))[0]


def _sign_in_thread(pdf, signer, appearance, reason, location, stamper, contact, reserve) -> bytes:
    """pyHanko's signing is CPU work: run it on a worker thread, off the event loop."""
    return asyncio.run(
        _pades().sign_pdf(
            pdf,
            signer,
            appearance=appearance,
            reason=reason,
            location=location,
            timestamper=stamper,
            contact_info=contact,
            bytes_reserved=reserve,
        )
    )


@functools.lru_cache(maxsize=1)
def _probe_pdf() -> bytes:
    """A one-line PDF that BSrE signs to prove the passphrase before numbers are given."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(text="Sodamolek: uji passphrase TTE (tidak berlaku sebagai surat).")
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return bytes(pdf.output())


async def open_session(
    settings: Settings, account_id: int, passphrase: str, *, transport=None
) -> SigningSession:
    """Prove the passphrase and hold the opened signer for one batch. Raises SigningThrottled,
    PassphraseRefused (counted towards the throttle) or SigningUnavailable (no certificate,
    expired, revoked, BSrE unknown NIK or unreachable)."""
    now = _now()
    earlier = await _check_throttle(account_id, now)
    if not passphrase:
        raise SigningUnavailable("Isi passphrase TTE Anda untuk menandatangani.")
    if settings.tte_backend == "bsre":
        return await _open_bsre(settings, account_id, passphrase, now, len(earlier), transport)
    return await _open_embedded(settings, account_id, passphrase, now, len(earlier))


async def _open_embedded(
    settings: Settings, account_id: int, passphrase: str, now: dt.datetime, earlier: int
) -> SigningSession:
    row = (
        await SignerCertificate.select(
            SignerCertificate.serial,
            SignerCertificate.key_archive,
            SignerCertificate.not_after,
            SignerCertificate.revoked_at,
        )
        .where(SignerCertificate.account == account_id)
        .order_by(SignerCertificate.created_at, ascending=False)
        .first()
    )
    if row is None or row["key_archive"] is None:
        if row is not None and row["revoked_at"]:
            raise SigningUnavailable("Sertifikat TTE Anda sudah dicabut. Hubungi admin kota.")
        raise SigningUnavailable(
            "Anda belum mempunyai sertifikat TTE. Atur passphrase di halaman Akun › TTE."
        )
    if _utc(row["not_after"]) <= now:
        raise SigningUnavailable(
            "Sertifikat TTE Anda sudah kedaluwarsa. Atur passphrase baru di halaman Akun › TTE "
            "untuk mendapat sertifikat baru."
        )
    authority = require_city_ca(settings)
    archive = bytes(row["key_archive"])
    pades = _pades()
    signer = await asyncio.to_thread(pades.load_signer, archive, passphrase)
    if signer is None:
        raise await _count_failure(account_id, now, earlier)
    # The chain goes into every signature, so a reader needs only the root.
    for certificate in authority.certificates:
        signer.cert_registry.register(pades.asn1_certificate(certificate))
    stamper = timestamper(settings)
    if stamper is not None:
        # B-T needs the timestamp service for every letter: ask it once before any number.
        try:
            await stamper.async_timestamp(hashlib.sha256(b"sodamolek").digest(), "sha256")
        except (pades.TimestampRequestError, OSError):
            raise SigningUnavailable(
                "Layanan cap waktu (TSA) tidak dapat dihubungi; tidak ada surat yang "
                "ditandatangani. Coba lagi beberapa saat lagi."
            ) from None
    return SigningSession(
        account_id=account_id,
        backend="embedded",
        certificate_serial=row["serial"],
        _signer=signer,
        _timestamper=stamper,
    )


async def _open_bsre(
    settings: Settings,
    account_id: int,
    passphrase: str,
    now: dt.datetime,
    earlier: int,
    transport=None,
) -> SigningSession:
    nik = await bsre_nik(account_id)
    if not nik:
        raise SigningUnavailable(
            "NIK Anda untuk TTE BSrE belum diisi. Minta admin kota mengisinya di halaman akun."
        )
    client = bsre_client(settings, transport)
    try:
        await client.check_status(nik)
        # check/status says the certificate can sign; only a signature proves the passphrase.
        await client.sign_pdfs(
            nik, [_probe_pdf()], bsre.SignatureProperties(), passphrase=passphrase
        )
    except bsre.WrongPassphrase:
        raise await _count_failure(account_id, now, earlier) from None
    except bsre.BsreError as exc:
        raise SigningUnavailable(str(exc)) from None
    return SigningSession(
        account_id=account_id,
        backend="bsre",
        _bsre=client,
        _nik=nik,
        _passphrase=passphrase,
    )


async def sign_pdf(
    settings: Settings,
    pdf_bytes: bytes,
    account_id: int,
    passphrase: str,
    appearance: Appearance,
    reason: str,
    location: str,
) -> bytes:
    """The one-letter form of the interface: open, sign, done."""
    session = await open_session(settings, account_id, passphrase)
    return await session.sign_pdf(pdf_bytes, appearance, reason, location)


async def record_signature(
    session: SigningSession,
    *,
    letter_id: int,
    verification_token: str,
    role: str,
    signed_pdf: bytes,
    signed_at: dt.datetime,
) -> None:
    """Remember the revision this signature closed, so an uploaded copy finds its letter."""
    await SignatureRecord.insert(
        SignatureRecord(
            letter=letter_id,
            verification_token=verification_token,
            revision_sha256=hashlib.sha256(signed_pdf).hexdigest(),
            role=role,
            account=session.account_id,
            backend=session.backend,
            certificate_serial=session.certificate_serial,
            signed_at=signed_at,
        )
    )


# ---------------------------------------------------------------------------------------------
# Examining an uploaded PDF


_TOKEN_IN_TEXT = re.compile(r"/verifikasi/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])")


@dataclass(frozen=True)
class Examination:
    """What the PDF itself says: its signatures as judged, and which letter it claims to be."""

    problem: str  # "" when every signature holds; else why not, in words
    signatures: list[SignatureReport]
    verification_token: str  # from our records by hash, else from the printed URL; "" if none


def _problem(reports: list[SignatureReport]) -> str:
    if not reports:
        return "Berkas ini tidak memuat tanda tangan elektronik."
    for report in reports:
        if not report.intact or not report.valid:
            return "Isi berkas sudah berubah setelah ditandatangani."
        if report.revoked:
            return f"Sertifikat {report.signer_name} sudah dicabut sebelum tanda tangan ini dibuat."
        if not report.trusted:
            return (
                f"Penanda tangan ({report.signer_name or 'tanpa nama'}) tidak dikenal: "
                "sertifikatnya tidak diterbitkan CA kota atau BSrE."
            )
        if not report.bottom_line:
            return "Berkas ini diubah setelah ditandatangani (revisi tambahan yang tidak sah)."
    if not reports[-1].covers_whole_file:
        return "Berkas ini memuat perubahan setelah tanda tangan terakhir."
    return ""


def _token_from_signatures(reports: list[SignatureReport]) -> str:
    """Our signatures carry the verification URL in their /ContactInfo."""
    for report in reversed(reports):
        if match := _TOKEN_IN_TEXT.search(report.contact_info):
            return match.group(1)
    return ""


async def examine_pdf(settings: Settings, pdf: bytes) -> Examination:
    if not pdf.startswith(b"%PDF-"):
        return Examination("Berkas ini bukan PDF.", [], "")
    roots = trust_roots(settings)
    crls = await revocation_lists()
    try:
        reports = await _pades().validate_pdf(pdf, roots, crls)
    except BrokenPdf:
        return Examination("Berkas PDF rusak atau tanda tangannya tidak dapat dibaca.", [], "")
    token = ""
    hashes = [r.revision_sha256 for r in reports]
    if hashes:
        row = (
            await SignatureRecord.select(SignatureRecord.verification_token)
            .where(SignatureRecord.revision_sha256.is_in(hashes))
            .first()
        )
        token = row["verification_token"] if row else ""
    token = token or _token_from_signatures(reports)
    return Examination(_problem(reports), reports, token)


# ---------------------------------------------------------------------------------------------
# Demo


async def seed_demo_signers(settings: Settings, usernames: dict[str, int]) -> int:
    """Every demo signer gets a certificate under the passphrase kupang-demo-2026 and the NIK
    the fake BSrE service knows them by. usernames: demo username -> account id. Accounts that
    already have a certificate are left alone. Returns how many certificates were issued."""
    from sodamolek.tte.fake_bsre import DEMO_SIGNERS  # the demo's NIKs at the fake service

    ensure_dev_ca(settings)
    issued = 0
    for username, account_id in usernames.items():
        if username in DEMO_SIGNERS and not await bsre_nik(account_id):
            await set_bsre_nik(account_id, DEMO_SIGNERS[username][0])
        if await current_certificate(account_id) is not None:
            continue
        user = await accounts.load_user(account_id)
        if user is None or user.role not in SIGNING_ROLES:
            continue
        await set_passphrase(settings, account_id, await signer_identity(user), DEMO_PASSPHRASE)
        issued += 1
    return issued
