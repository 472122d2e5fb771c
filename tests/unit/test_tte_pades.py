"""PAdES signatures with pyHanko and the city CA: no database, real PDFs, pyHanko's validator."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from sodamolek.documents.pdf import Block, LetterDocument, Signer, render_letter_pdf
from sodamolek.tte import ca, pades
from tests.tte_support import make_tsa, serve_in_thread, tsa_app

CA_PASS = "ca-passphrase-for-tests"
PASSPHRASE = "kupang-demo-2026"
LURAH = ca.SignerIdentity("Yohanes Ndun", "197805122005011003", "Lurah Oebobo", "Kelurahan Oebobo")
CAMAT = ca.SignerIdentity("Daniel Fanggidae", "197509202000031001", "Camat Oebobo", "Kecamatan")

LETTER = LetterDocument(
    kecamatan="Oebobo",
    kelurahan="Oebobo",
    office_address="Jl. Frans Seda No. 12, Kota Kupang",
    title="SURAT KETERANGAN DOMISILI",
    number="470/001/53.71.04.1001/XII/2026",
    blocks=(
        Block("paragraph", text="Yang bertanda tangan di bawah ini menerangkan bahwa:"),
        Block("table", rows=(("Nama", "Maria Goreti"),)),
        Block("closing", text="Demikian surat ini."),
    ),
    place_date="Kupang, 1 Desember 2026",
    signer=Signer("Lurah Oebobo", "Yohanes Ndun", "197805122005011003"),
    countersigner=Signer("Camat Oebobo", "Daniel Fanggidae", "197509202000031001"),
    verification_url="http://127.0.0.1:8000/verifikasi/AAAAAAAAAAAAAAAAAAAAAAAA",
    issued_at=dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC),
)


@pytest.fixture
def authority(tmp_path) -> ca.CityCA:
    return ca.init_ca(tmp_path, CA_PASS)


CRL_URL = "http://127.0.0.1:8000/kunci-publik/ca.crl"


def signer_for(authority: ca.CityCA, identity=LURAH) -> SimpleSigner:
    certificate, key = ca.issue_signer_certificate(authority, CA_PASS, identity, crl_url=CRL_URL)
    archive = ca.lock_key(key, certificate, [authority.current.certificate], PASSPHRASE, 1000)
    signer = SimpleSigner.load_pkcs12_data(archive, [], PASSPHRASE.encode())
    return signer


async def sign(pdf: bytes, signer, field="TTE-Lurah", **kwargs) -> bytes:
    return await pades.sign_pdf(
        pdf,
        signer,
        appearance=pades.Appearance(field_name=field),
        reason="Penerbitan surat",
        location="Kupang",
        **kwargs,
    )


async def test_a_signed_letter_validates_with_pyhanko_trusted_by_the_city_ca(authority):
    signed = await sign(render_letter_pdf(LETTER), signer_for(authority))
    # pyHanko's own validator, straight: intact, valid, trusted, the whole file covered.
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    context = ValidationContext(trust_roots=[pades.asn1_certificate(authority.current.certificate)])
    status = await async_validate_pdf_signature(embedded[0], signer_validation_context=context)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert "/ETSI.CAdES.detached" in str(embedded[0].sig_object["/SubFilter"])  # PAdES
    [report] = await pades.validate_pdf(signed, authority.certificates)
    assert report.ok and report.covers_whole_file
    assert report.signer_name == "Yohanes Ndun"
    assert report.signer_serial_attr == "NIP:197805122005011003"


async def test_the_same_letter_is_not_trusted_without_the_city_ca(authority, tmp_path):
    signed = await sign(render_letter_pdf(LETTER), signer_for(authority))
    other = ca.init_ca(tmp_path / "lain", CA_PASS)
    [report] = await pades.validate_pdf(signed, other.certificates)
    assert report.intact and report.valid and not report.trusted and not report.ok


async def test_the_countersign_keeps_the_lurahs_signature_valid(authority):
    lurah_signed = await sign(render_letter_pdf(LETTER), signer_for(authority))
    both = await sign(lurah_signed, signer_for(authority, CAMAT), field="TTE-Camat")
    assert both.startswith(lurah_signed)  # an incremental update: the lurah's bytes untouched
    lurah, camat = await pades.validate_pdf(both, authority.certificates)
    assert lurah.ok and camat.ok
    assert (lurah.signer_name, camat.signer_name) == ("Yohanes Ndun", "Daniel Fanggidae")
    assert not lurah.covers_whole_file and camat.covers_whole_file
    assert lurah.revision_sha256 != camat.revision_sha256


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9, -40])
async def test_one_changed_byte_breaks_the_signature(authority, where):
    signed = bytearray(await sign(render_letter_pdf(LETTER), signer_for(authority)))
    at = int(len(signed) * where) if where > 0 else len(signed) + where
    signed[at] ^= 0x01
    try:
        reports = await pades.validate_pdf(bytes(signed), authority.certificates)
    except pades.BrokenPdf:
        return  # also TIDAK SAH: the verification treats an unreadable file so
    assert reports == [] or not all(r.ok for r in reports) or not reports[-1].covers_whole_file


async def test_a_change_appended_after_signing_is_caught(authority):
    signed = await sign(render_letter_pdf(LETTER), signer_for(authority))
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    [report] = await pades.validate_pdf(out.getvalue(), authority.certificates)
    assert report.intact and report.valid  # the signed bytes are still there...
    assert not report.ok and not report.covers_whole_file  # ...but the file was changed after


async def test_a_new_ca_generation_keeps_earlier_letters_valid(authority, tmp_path):
    before = await sign(render_letter_pdf(LETTER), signer_for(authority))
    rotated = ca.init_ca(
        tmp_path, CA_PASS, rotate=True, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    )
    assert len(rotated.generations) == 2
    after = await sign(render_letter_pdf(LETTER), signer_for(rotated))
    for pdf in (before, after):
        [report] = await pades.validate_pdf(pdf, rotated.certificates)
        assert report.ok
    # The new letter's certificate comes from the new generation, the old one's from the old.
    [new] = await pades.validate_pdf(after, [rotated.current.certificate])
    [old] = await pades.validate_pdf(before, [rotated.current.certificate])
    assert new.ok and not old.trusted


async def test_a_revoked_certificate_fails_only_signatures_made_after_its_revocation(authority):
    certificate, key = ca.issue_signer_certificate(authority, CA_PASS, LURAH, crl_url=CRL_URL)
    archive = ca.lock_key(key, certificate, [authority.current.certificate], PASSPHRASE, 1000)
    signer = SimpleSigner.load_pkcs12_data(archive, [], PASSPHRASE.encode())
    before = await sign(render_letter_pdf(LETTER), signer)
    revoked_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    crl = ca.build_crl(
        authority, CA_PASS, authority.current, [(certificate.serial_number, revoked_at)]
    )
    await asyncio.sleep(2.2)  # the next signature's own signing time is after the revocation
    after = await sign(render_letter_pdf(LETTER), signer)
    [early] = await pades.validate_pdf(before, authority.certificates, [crl])
    [late] = await pades.validate_pdf(after, authority.certificates, [crl])
    assert early.ok
    assert late.revoked and not late.ok


def test_a_wrong_passphrase_does_not_open_the_key(authority):
    certificate, key = ca.issue_signer_certificate(authority, CA_PASS, LURAH)
    archive = ca.lock_key(key, certificate, [], PASSPHRASE, 1000)
    ca.check_passphrase(archive, PASSPHRASE)
    with pytest.raises(ca.WrongPassphrase):
        ca.check_passphrase(archive, "kupang-demo-2025")
    assert PASSPHRASE.encode() not in archive


def test_the_ca_key_is_encrypted_and_needs_its_passphrase(authority):
    pem = authority.current.key_path.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    with pytest.raises(ca.CAError):
        authority.private_key("not-the-passphrase")
    with pytest.raises(FileExistsError):
        ca.init_ca(authority.current.key_path.parent.parent, CA_PASS)


def test_the_signer_certificate_names_the_signer_and_chains_to_the_city_ca(authority):
    certificate, _ = ca.issue_signer_certificate(authority, CA_PASS, LURAH)
    subject = certificate.subject.rfc4514_string()
    assert "CN=Yohanes Ndun" in subject and "NIP:197805122005011003" in subject
    assert "OU=Kelurahan Oebobo" in subject
    assert authority.issuer_of(certificate) == authority.current


async def test_with_a_timestamp_service_the_signature_is_pades_b_t(authority):
    stamper = make_tsa(authority, CA_PASS)
    calls: list[int] = []
    with serve_in_thread(tsa_app(stamper, calls)) as url:
        signed = await sign(
            render_letter_pdf(dataclasses.replace(LETTER)),
            signer_for(authority),
            timestamper=pades.HttpxTimeStamper(f"{url}/tsa"),
        )
    assert calls  # the local TSA was asked over HTTP
    [report] = await pades.validate_pdf(signed, authority.certificates)
    assert report.ok and report.timestamped


async def test_an_unreachable_timestamp_service_signs_nothing(authority):
    with pytest.raises(pades.SignatureFailed, match="cap waktu"):
        await sign(
            render_letter_pdf(LETTER),
            signer_for(authority),
            timestamper=pades.HttpxTimeStamper("http://127.0.0.1:9/tsa", timeout=2),
        )


async def test_a_broken_or_unsigned_pdf_is_reported_as_such(authority):
    with pytest.raises(pades.BrokenPdf):
        await pades.validate_pdf(b"%PDF-1.7\nrubbish", authority.certificates)
    assert await pades.validate_pdf(render_letter_pdf(LETTER), authority.certificates) == []
