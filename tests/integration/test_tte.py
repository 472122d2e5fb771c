"""Electronic signatures with the database: the signer's certificate and passphrase, the throttle,
revocation when an account is disabled, the city CA's public files, the BSrE back-end against the
fake service over HTTP, and POST /verifikasi on files that are not letters of ours."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from cryptography import x509

from sodamolek.accounts.service import load_user
from sodamolek.accounts.tables import Account
from sodamolek.documents.pdf import render_letter_pdf
from sodamolek.tte import bsre, ca, fake_bsre, pades, service
from sodamolek.tte.tables import PassphraseFailure, SignerCertificate
from tests.conftest import csrf_from, login
from tests.tte_support import make_tsa, serve_in_thread, tsa_app
from tests.unit.test_tte_pades import LETTER

PASSPHRASE = "passphrase-uji-tte-01"
APPEARANCE = pades.Appearance(field_name="TTE-Lurah")


async def account(username: str):
    row = await Account.select(Account.id).where(Account.username == username).first()
    return await load_user(row["id"])


async def give_certificate(settings, username: str, passphrase: str = PASSPHRASE):
    user = await account(username)
    await service.set_passphrase(settings, user.id, await service.signer_identity(user), passphrase)
    return user


async def test_a_signer_gets_a_certificate_under_a_passphrase_only_they_know(
    app, staff, settings, client, caplog
):
    caplog.set_level(logging.DEBUG)
    await login(client, staff.lurah)
    page = await client.get("/akun/tte")
    assert page.status_code == 200 and "belum mempunyai sertifikat" in page.text
    token = csrf_from(page.text)
    wrong = await client.post(
        "/akun/tte",
        data={
            "_csrf_token": token,
            "password": "bukan-kata-sandinya",
            "passphrase": PASSPHRASE,
            "passphrase_confirm": PASSPHRASE,
        },
    )
    assert wrong.status_code == 422 and "Kata sandi masuk salah" in wrong.text
    assert await SignerCertificate.count() == 0
    done = await client.post(
        "/akun/tte",
        data={
            "_csrf_token": token,
            "password": staff.password,
            "passphrase": PASSPHRASE,
            "passphrase_confirm": PASSPHRASE,
        },
    )
    assert done.status_code == 200 and "sertifikat TTE baru" in done.text
    assert PASSPHRASE not in done.text and PASSPHRASE not in wrong.text
    assert done.headers["cache-control"] == "no-store"
    row = await SignerCertificate.select().first()
    certificate = x509.load_pem_x509_certificate(row["certificate_pem"].encode())
    assert "CN=Lurah Oebobo" in certificate.subject.rfc4514_string()
    assert "NIP:197805122005011003" in certificate.subject.rfc4514_string()
    authority = service.city_ca(settings)
    assert authority.issuer_of(certificate) is not None
    # The key is kept only encrypted under the passphrase; the passphrase itself nowhere.
    ca.check_passphrase(bytes(row["key_archive"]), PASSPHRASE)
    assert PASSPHRASE.encode() not in bytes(row["key_archive"])
    if settings.engine == "sqlite":
        assert PASSPHRASE.encode() not in settings.sqlite_path.read_bytes()
    assert PASSPHRASE not in caplog.text


async def test_a_wrong_passphrase_opens_nothing_and_repeated_ones_lock_signing(
    app, staff, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    lurah = await give_certificate(settings, staff.lurah)
    session = await service.open_session(settings, lurah.id, PASSPHRASE)
    assert session.backend == "embedded"
    for attempt in range(service.MAX_PASSPHRASE_FAILURES):
        with pytest.raises(service.PassphraseRefused) as refused:
            await service.open_session(settings, lurah.id, f"salah-{attempt}-passphrase")
        assert "tidak ada nomor yang terpakai" in str(refused.value)
    assert await PassphraseFailure.count() == service.MAX_PASSPHRASE_FAILURES
    # Locked now, even for the right passphrase, with the wait in words.
    with pytest.raises(service.SigningThrottled, match="coba lagi dalam") as locked:
        await service.open_session(settings, lurah.id, PASSPHRASE)
    assert 0 < locked.value.retry_after <= service.FAILURE_WINDOW.total_seconds()
    # Another signer is not locked by it.
    camat = await give_certificate(settings, staff.camat)
    await service.open_session(settings, camat.id, PASSPHRASE)
    assert "salah-0-passphrase" not in caplog.text and PASSPHRASE not in caplog.text


async def test_an_opened_session_signs_letters_that_validate(app, staff, settings):
    lurah = await give_certificate(settings, staff.lurah)
    session = await service.open_session(settings, lurah.id, PASSPHRASE)
    pdfs = [render_letter_pdf(dataclasses.replace(LETTER, number=f"470/{i}")) for i in range(3)]
    signed = await session.sign_pdfs(pdfs, APPEARANCE, "Penerbitan surat", "Kupang")
    for pdf in signed:
        [report] = await pades.validate_pdf(pdf, service.trust_roots(settings))
        assert report.ok and report.signer_name == "Lurah Oebobo"


async def test_with_a_timestamp_service_configured_it_is_asked_before_anything(
    app, staff, settings
):
    lurah = await give_certificate(settings, staff.lurah)
    down = dataclasses.replace(settings, tsa_url="http://127.0.0.1:9/tsa")
    with pytest.raises(service.SigningUnavailable, match="cap waktu"):
        await service.open_session(down, lurah.id, PASSPHRASE)
    assert await PassphraseFailure.count() == 0  # not the signer's mistake
    authority = service.city_ca(settings)
    stamper = make_tsa(authority, settings.city_ca_passphrase)
    with serve_in_thread(tsa_app(stamper)) as url:
        up = dataclasses.replace(settings, tsa_url=f"{url}/tsa")
        session = await service.open_session(up, lurah.id, PASSPHRASE)
        signed = await session.sign_pdfs(
            [render_letter_pdf(LETTER)] * 2, APPEARANCE, "Penerbitan surat", "Kupang"
        )
    for pdf in signed:
        [report] = await pades.validate_pdf(pdf, service.trust_roots(settings))
        assert report.ok and report.timestamped  # PAdES B-T


async def test_no_certificate_or_an_expired_one_is_told_in_words(app, staff, settings):
    lurah = await account(staff.lurah)
    with pytest.raises(service.SigningUnavailable, match="belum mempunyai sertifikat"):
        await service.open_session(settings, lurah.id, PASSPHRASE)
    await give_certificate(settings, staff.lurah)
    await SignerCertificate.update(
        {SignerCertificate.not_after: SignerCertificate.not_before}, force=True
    )
    with pytest.raises(service.SigningUnavailable, match="kedaluwarsa"):
        await service.open_session(settings, lurah.id, PASSPHRASE)


async def test_disabling_an_account_revokes_its_certificate_for_later_signatures(
    app, staff, settings, client
):
    lurah = await give_certificate(settings, staff.lurah)
    session = await service.open_session(settings, lurah.id, PASSPHRASE)
    before = await session.sign_pdf(render_letter_pdf(LETTER), APPEARANCE, "r", "Kupang")
    await login(client, staff.admin)
    users = await client.get("/admin/pengguna")
    disabled = await client.post(
        f"/admin/pengguna/{lurah.id}/nonaktifkan", data={"_csrf_token": csrf_from(users.text)}
    )
    assert disabled.status_code == 303
    row = await SignerCertificate.select().first()
    assert row["revoked_at"] is not None and row["key_archive"] is None
    # A signature made after the revocation (with a key copied before it) is refused...
    import asyncio

    await asyncio.sleep(1.1)
    after = await session.sign_pdf(render_letter_pdf(LETTER), APPEARANCE, "r", "Kupang")
    late = await service.examine_pdf(settings, after)
    assert "dicabut" in late.problem
    # ...while the letter signed before stays valid.
    early = await service.examine_pdf(settings, before)
    assert early.problem == "" and early.signatures[0].ok
    page = await client.get(f"/admin/pengguna/{lurah.id}/tte")
    assert "dicabut" in page.text and "Akun dinonaktifkan" in page.text
    crl_page = await client.get(f"/kunci-publik/crl/ca-{row['issuer_label']}.crl")
    certificate = x509.load_pem_x509_certificate(row["certificate_pem"].encode())
    [point] = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert point.full_name[0].value.endswith(f"/kunci-publik/crl/ca-{row['issuer_label']}.crl")
    crl = x509.load_der_x509_crl(crl_page.content)
    assert crl.get_revoked_certificate_by_serial_number(int(row["serial"], 16)) is not None


async def test_the_admin_sees_the_certificates_expiry(app, staff, settings, client):
    lurah = await give_certificate(settings, staff.lurah)
    row = await service.current_certificate(lurah.id)
    await login(client, staff.admin)
    page = await client.get(f"/admin/pengguna/{lurah.id}/tte")
    assert page.status_code == 200 and "berlaku" in page.text
    from sodamolek.core.formatting import format_date

    assert format_date(row["not_after"]) in page.text
    listing = await client.get("/admin/pengguna")
    assert f"/admin/pengguna/{lurah.id}/tte" in listing.text


async def test_the_city_ca_certificate_is_published_with_every_generation(app, client, settings):
    page = await client.get("/kunci-publik/ca.pem")
    assert page.status_code == 200 and page.headers["content-type"].startswith(
        "application/x-pem-file"
    )
    [first] = x509.load_pem_x509_certificates(page.content)
    ca.init_ca(settings.data_dir, settings.city_ca_passphrase, rotate=True)
    again = await client.get("/kunci-publik/ca.pem")
    certificates = x509.load_pem_x509_certificates(again.content)
    assert len(certificates) == 2 and first in certificates  # old letters keep their root


async def test_verification_of_uploads_that_are_not_our_letters(app, staff, settings, client):
    lurah = await give_certificate(settings, staff.lurah)
    session = await service.open_session(settings, lurah.id, PASSPHRASE)
    signed = await session.sign_pdf(render_letter_pdf(LETTER), APPEARANCE, "r", "Kupang")

    async def upload(content: bytes, name="surat.pdf"):
        return await client.post(
            "/verifikasi", files={"berkas": (name, content, "application/pdf")}
        )

    good = await upload(signed)
    assert good.status_code == 200 and "SAH — berkas ini" in good.text
    assert "Lurah Oebobo" in good.text and good.headers["cache-control"] == "no-store"
    changed = bytearray(signed)
    changed[len(changed) // 3] ^= 0x01
    assert "TIDAK SAH" in (await upload(bytes(changed))).text
    unsigned = await upload(render_letter_pdf(LETTER))
    assert "tidak memuat tanda tangan" in unsigned.text
    assert "bukan PDF" in (await upload(b"GIF89a not a pdf")).text
    other = ca.init_ca(settings.data_dir / "lain", "ca-passphrase-lain-123")
    stranger_cert, stranger_key = ca.issue_signer_certificate(
        other, "ca-passphrase-lain-123", ca.SignerIdentity("Orang Lain", "", "-", "-")
    )
    from pyhanko.sign.signers.pdf_cms import SimpleSigner

    archive = ca.lock_key(stranger_key, stranger_cert, other.certificates, "x" * 12, 1000)
    stranger = SimpleSigner.load_pkcs12_data(archive, [], b"x" * 12)
    foreign = await pades.sign_pdf(
        render_letter_pdf(LETTER), stranger, appearance=APPEARANCE, reason="", location=""
    )
    unknown = await upload(foreign)
    assert "TIDAK SAH" in unknown.text and "tidak dikenal" in unknown.text
    missing = await client.post("/verifikasi", data={"x": "y"})
    assert missing.status_code in (400, 422) and "Pilih berkas" in missing.text


async def test_an_oversized_upload_is_refused_in_words(app, client, settings):
    app.state.settings = dataclasses.replace(settings, verify_max_bytes=2048)
    big = b"%PDF-1.7\n" + b"0" * 4096
    answer = await client.post("/verifikasi", files={"berkas": ("a.pdf", big, "application/pdf")})
    assert answer.status_code == 413 and "terlalu besar" in answer.text


# ---------------------------------------------------------------------------------------------
# BSrE


@pytest.fixture
def fake(tmp_path):
    return fake_bsre.new_fake_state(tmp_path / "bsre")


def client_for(url: str, timeout: float = 5.0, retries: int = 1) -> bsre.BsreClient:
    return bsre.BsreClient(
        bsre.BsreConfig(url, "aplikasi", "rahasia-bsre", timeout, retries, retry_pause_seconds=0)
    )


LURAH_NIK = fake_bsre.DEMO_SIGNERS["lurah.oebobo"][0]


async def test_bsre_client_against_the_fake_service(fake):
    app = fake_bsre.create_fake_bsre(fake, "aplikasi", "rahasia-bsre")
    with serve_in_thread(app) as url:
        client = client_for(url)
        assert await client.check_status(LURAH_NIK) == "ISSUE"
        pdfs = [render_letter_pdf(dataclasses.replace(LETTER, number=f"1/{i}")) for i in range(3)]
        signed = await client.sign_pdfs(
            LURAH_NIK,
            pdfs,
            bsre.SignatureProperties(reason="Surat", location="Kupang"),
            passphrase=fake_bsre.DEMO_PASSPHRASE,
        )
        assert len(signed) == 3 and fake.sign_calls == 1  # one call, one passphrase, a batch
        for pdf in signed:
            [report] = await pades.validate_pdf(pdf, fake.authority.certificates)
            assert report.ok and report.signer_name == "Yohanes Ndun"
        assert (await client.verify_pdf(signed[0]))["conclusion"] == "VALID"
        with pytest.raises(bsre.WrongPassphrase, match="Passphrase TTE salah"):
            await client.sign_pdfs(LURAH_NIK, pdfs[:1], bsre.SignatureProperties(), passphrase="x")
        with pytest.raises(bsre.UnknownNik, match="belum terdaftar"):
            await client.check_status("5371000000000000")
        with pytest.raises(bsre.UnknownNik):
            await client.sign_pdfs(
                "5371000000000000",
                pdfs[:1],
                bsre.SignatureProperties(),
                passphrase=fake_bsre.DEMO_PASSPHRASE,
            )
        with pytest.raises(bsre.CertificateExpired, match="kedaluwarsa"):
            await client.check_status(fake_bsre.EXPIRED_NIK)
        refused = client_for(url)
        refused.config = dataclasses.replace(refused.config, password="salah")
        with pytest.raises(bsre.ServiceRefused, match="SODAMOLEK_BSRE_USER"):
            await refused.check_status(LURAH_NIK)


async def test_bsre_client_times_out_retries_network_errors_only_and_says_so(fake):
    app = fake_bsre.create_fake_bsre(fake, "aplikasi", "rahasia-bsre")
    with serve_in_thread(app) as url:
        fake.latency_ms = 1500
        slow = client_for(url, timeout=0.3, retries=1)
        with pytest.raises(bsre.ServiceUnavailable, match="batas waktu habis"):
            await slow.check_status(LURAH_NIK)
        fake.latency_ms = 0
        fake.fail_rate = 1.0
        calls_before = fake.sign_calls
        with pytest.raises(bsre.ServiceUnavailable, match="HTTP 503"):
            await client_for(url, retries=3).sign_pdfs(
                LURAH_NIK,
                [render_letter_pdf(LETTER)],
                bsre.SignatureProperties(),
                passphrase=fake_bsre.DEMO_PASSPHRASE,
            )
        assert fake.sign_calls == calls_before
    # Nobody listening: a network error, retried, then the same words.
    with pytest.raises(bsre.ServiceUnavailable, match="tidak dapat dihubungi"):
        await client_for(url, timeout=1, retries=1).check_status(LURAH_NIK)


async def test_the_bsre_back_end_checks_the_passphrase_before_anything_is_numbered(
    app, staff, settings, fake, caplog
):
    caplog.set_level(logging.DEBUG)
    fake_app = fake_bsre.create_fake_bsre(fake, "aplikasi", "rahasia-bsre")
    with serve_in_thread(fake_app) as url:
        bsre_settings = dataclasses.replace(
            settings,
            tte_backend="bsre",
            bsre_url=url,
            bsre_user="aplikasi",
            bsre_password="rahasia-bsre",
            bsre_retries=0,
        )
        lurah = await account(staff.lurah)
        with pytest.raises(service.SigningUnavailable, match="NIK Anda untuk TTE BSrE"):
            await service.open_session(bsre_settings, lurah.id, fake_bsre.DEMO_PASSPHRASE)
        await service.set_bsre_nik(lurah.id, LURAH_NIK)
        with pytest.raises(service.PassphraseRefused):
            await service.open_session(bsre_settings, lurah.id, "passphrase-keliru-1")
        assert await PassphraseFailure.count() == 1 and fake.files_signed == 0
        session = await service.open_session(bsre_settings, lurah.id, fake_bsre.DEMO_PASSPHRASE)
        signed = await session.sign_pdfs(
            [render_letter_pdf(LETTER)] * 2, APPEARANCE, "Penerbitan surat", "Kupang"
        )
        assert len(signed) == 2
        bsre_settings = dataclasses.replace(
            bsre_settings, bsre_roots_file=settings.data_dir / "r.pem"
        )
        fake_bsre.write_roots(fake, bsre_settings.bsre_roots_file)
        examination = await service.examine_pdf(bsre_settings, signed[0])
        assert examination.problem == ""  # BSrE's roots are trusted when configured
        assert (await service.examine_pdf(settings, signed[0])).problem  # and only then
    assert fake_bsre.DEMO_PASSPHRASE not in caplog.text and "passphrase-keliru-1" not in caplog.text
    assert LURAH_NIK not in caplog.text
