"""The lurah signs: numbers, PDF, verification, revocation, camat countersign."""

import asyncio
import datetime as dt
import io
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from sodamolek.accounts.service import load_user
from sodamolek.accounts.tables import Account
from sodamolek.core.formatting import WITA
from sodamolek.documents.signing import signing_key_for
from sodamolek.issuing import service as issuing
from sodamolek.issuing.tables import Letter
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.tte import pades
from sodamolek.tte import service as tte
from tests.conftest import csrf_from, login
from tests.integration.test_request_service import submission
from tests.tte_support import TEST_PASSPHRASE, session_for, sign_as


async def actor(username):
    row = await Account.select(Account.id).where(Account.username == username).first()
    return await load_user(row["id"])


async def awaiting(staff, count=1, verified=True, **overrides) -> list[int]:
    operator = await actor(staff.operator)
    ids = []
    for _ in range(count):
        created = await requests.create_request(operator, submission(**overrides))
        rid = created.request["id"]
        if verified:  # as if the registry had answered with the same name
            await LetterRequest.update(
                {LetterRequest.applicant_verified: True, LetterRequest.verification_note: "ok"}
            ).where(LetterRequest.id == rid)
        await requests.change_status(operator, rid, "awaiting_signature")
        ids.append(rid)
    return ids


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_identity_from_the_registry_prints_in_the_letter(app, staff):
    """Agama, pekerjaan, status perkawinan and kewarganegaraan travel from the counter's form
    (filled by the registry) to the request and into the letter's identity table."""
    identity = {
        "applicant_religion": "KATOLIK",
        "applicant_occupation": "GURU",
        "applicant_marital_status": "KAWIN",
        "applicant_citizenship": "WNI",
    }
    operator = await actor(staff.operator)
    form = submission()
    form.applicant.update(identity)
    created = await requests.create_request(operator, form)
    stored = await requests.get_request(operator, created.request["id"])
    assert {k: stored[k] for k in identity} == identity
    await LetterRequest.update({LetterRequest.applicant_verified: True}).where(
        LetterRequest.id == stored["id"]
    )
    await requests.change_status(operator, stored["id"], "awaiting_signature")
    lurah = await actor(staff.lurah)
    letter = await sign_as(app, lurah, stored["id"])
    _, pdf = await issuing.letter_pdf(lurah, letter["id"], "https://x")
    text = " ".join(pdf_text(pdf).split())
    for line in (
        "Agama : KATOLIK",
        "Status Perkawinan : KAWIN",
        "Pekerjaan : GURU",
        "Kewarganegaraan : WNI",
    ):
        assert line in text, line
    bad = submission()
    bad.applicant["applicant_citizenship"] = "MARS"
    with pytest.raises(requests.RequestInvalid) as refused:
        await requests.create_request(operator, bad)
    assert "WNI atau WNA" in str(refused.value)


async def test_signing_gives_number_pdf_and_ready(app, staff):
    (rid,) = await awaiting(staff)
    lurah = await actor(staff.lurah)
    key = app.state.signing_key
    letter = await issuing.sign_request(
        lurah, rid, key, "https://surat.example", session=await session_for(app, lurah)
    )
    year = dt.datetime.now(WITA).year
    assert letter["number"].startswith("470/001/53.71.04.1001/")
    assert letter["number"].endswith(f"/{year}")
    assert letter["signer_name"] == "Lurah Oebobo" and letter["signer_nip"] == "197805122005011003"
    assert (await requests.get_request(lurah, rid))["status"] == "ready"
    _, pdf = await issuing.letter_pdf(lurah, letter["id"], "https://x")
    [signature] = await pades.validate_pdf(pdf, tte.trust_roots(app.state.settings))
    assert signature.ok and signature.covers_whole_file  # a PAdES letter, trusted by the city CA
    assert signature.signer_name == "Lurah Oebobo"
    text = pdf_text(pdf)
    assert "Lurah Oebobo Oebobo" not in text  # the title is not doubled in the body
    assert "bawah ini, Lurah Oebobo, Kecamatan Oebobo" in " ".join(text.split())
    for expected in [
        letter["number"],
        "Maria Ndun",
        "5371045708900003",
        "PEMERINTAH KOTA KUPANG",
        "KELURAHAN OEBOBO",
        "Lurah Oebobo",
        "untuk keperluan melamar pekerjaan",  # typed with a capital, mid-sentence
    ]:
        assert expected in text, expected
    second = await issuing.sign_request(
        lurah, (await awaiting(staff))[0], key, "https://x", session=await session_for(app, lurah)
    )
    assert second["number"].startswith("470/002/")


async def test_signing_something_not_awaiting_is_refused(app, staff):
    operator, lurah = await actor(staff.operator), await actor(staff.lurah)
    rid = (await requests.create_request(operator, submission())).request["id"]
    with pytest.raises(issuing.SigningRefused, match="tidak menunggu tanda tangan"):
        await sign_as(app, lurah, rid)
    assert await Letter.count() == 0


async def test_missing_template_value_names_it_and_signs_nothing(app, staff):
    (rid,) = await awaiting(staff)
    await LetterRequest.update({LetterRequest.data: json.dumps({"keperluan": "x"})}).where(
        LetterRequest.id == rid
    )
    lurah = await actor(staff.lurah)
    with pytest.raises(issuing.SigningRefused, match="data.alamat_domisili"):
        await sign_as(app, lurah, rid)
    assert await Letter.count() == 0
    assert (await requests.get_request(lurah, rid))["status"] == "awaiting_signature"
    # The number was not used up either: the next letter still gets 001.
    (other,) = await awaiting(staff)
    letter = await sign_as(app, lurah, other)
    assert "/001/" in letter["number"]


async def test_lurah_of_another_kelurahan_cannot_sign(app, staff):
    from sodamolek.accounts.service import create_account

    (rid,) = await awaiting(staff)
    await create_account(
        username="lurah.namosain",
        full_name="Lurah Namosain",
        role="lurah",
        password="kata-sandi-uji-123",
        kelurahan="53.71.01.1001",
    )
    other = await actor("lurah.namosain")
    with pytest.raises(requests.RequestNotFound):
        await sign_as(app, other, rid)


async def test_fifty_concurrent_signings_give_fifty_numbers_without_gaps(app, staff):
    ids = await awaiting(staff, 50)
    lurah = await actor(staff.lurah)
    key = app.state.signing_key
    letters = await asyncio.gather(
        *[
            issuing.sign_request(lurah, i, key, "https://x", session=await session_for(app, lurah))
            for i in ids
        ]
    )
    assert sorted(letter["sequence"] for letter in letters) == list(range(1, 51))
    assert len({letter["number"] for letter in letters}) == 50


def _sign_in_process(database_url: str, data_dir: str, lurah_id: int, ids: list[int]) -> list[int]:
    """A separate process with its own engine and pool, as a second server worker would be."""

    async def run():
        from sodamolek import db
        from sodamolek.settings import Settings
        from sodamolek.tte import service as tte

        settings = Settings(database_url=database_url, data_dir=Path(data_dir))
        engine = db.use_engine(db.build_engine(settings))
        await db.start_engine(engine)
        try:
            lurah = await load_user(lurah_id)
            key = signing_key_for(settings)
            session = await tte.open_session(settings, lurah_id, TEST_PASSPHRASE)
            letters = [
                await issuing.sign_request(lurah, i, key, "https://x", session=session) for i in ids
            ]
            return [letter["sequence"] for letter in letters]
        finally:
            await db.stop_engine(engine)

    return asyncio.run(run())


async def test_fifty_signings_from_three_processes_give_fifty_numbers(app, staff, settings):
    ids = await awaiting(staff, 50)
    lurah = await actor(staff.lurah)
    await session_for(app, lurah)  # the lurah's certificate, opened again in each process
    chunks = [ids[i::3] for i in range(3)]
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=3, mp_context=context) as pool:
        results = await asyncio.gather(
            *[
                loop.run_in_executor(
                    pool,
                    _sign_in_process,
                    settings.database_url,
                    str(settings.data_dir),
                    lurah.id,
                    chunk,
                )
                for chunk in chunks
            ]
        )
    sequences = sorted(s for chunk in results for s in chunk)
    assert sequences == list(range(1, 51))
    assert await Letter.count() == 50


async def test_camat_countersign_makes_it_ready(app, staff):
    pindah = dict(
        letter_type="pindah",
        data={
            "alamat_tujuan": "Jl. Sudirman 1, Soe",
            "alasan_pindah": "Pekerjaan",
            "jumlah_pengikut": "2",
        },
        requirements_checked=[],
    )
    (rid,) = await awaiting(staff, **pindah)
    lurah, camat = await actor(staff.lurah), await actor(staff.camat)
    letter = await sign_as(app, lurah, rid)
    assert letter["countersign_needed"] == "camat" and letter["state"] == "pending"
    assert (await requests.get_request(lurah, rid))["status"] == "awaiting_countersign"
    assert [row["id"] for row in await issuing.awaiting_countersign(camat)] == [letter["id"]]
    done = await issuing.countersign(
        camat, letter["id"], "https://x", session=await session_for(app, camat)
    )
    assert done["countersigner_name"] == "Camat Oebobo" and done["state"] == "valid"
    assert (await requests.get_request(lurah, rid))["status"] == "ready"
    _, pdf = await issuing.letter_pdf(lurah, letter["id"], "https://x")
    assert "Camat Oebobo" in pdf_text(pdf) and "Mengetahui" in pdf_text(pdf)
    # Two PAdES signatures, the camat's appended after the lurah's, both valid.
    lurah_signature, camat_signature = await pades.validate_pdf(
        pdf, tte.trust_roots(app.state.settings)
    )
    assert lurah_signature.ok and camat_signature.ok and camat_signature.covers_whole_file
    assert (lurah_signature.signer_name, camat_signature.signer_name) == (
        "Lurah Oebobo",
        "Camat Oebobo",
    )


async def test_verification_page_valid_tampered_revoked_unknown(app, staff, client):
    (rid,) = await awaiting(staff)
    lurah = await actor(staff.lurah)
    letter = await sign_as(app, lurah, rid)
    url = f"/verifikasi/{letter['verification_token']}"
    page = await client.get(url)
    assert page.status_code == 200
    assert "SAH" in page.text and letter["number"] in page.text
    assert "M**** N***" in page.text and "Maria" not in page.text
    assert "5371045708900003" not in page.text

    content = dict(letter["content"]) | {"pemohon": "Orang Lain"}
    await Letter.update({Letter.content: json.dumps(content)}).where(Letter.id == letter["id"])
    assert "TIDAK SAH" in (await client.get(url)).text
    await Letter.update({Letter.content: json.dumps(letter["content"])}).where(
        Letter.id == letter["id"]
    )

    await login(client, staff.lurah)
    detail = await client.get(f"/permohonan/{rid}")
    revoked = await client.post(
        f"/permohonan/{rid}/status",
        data={
            "_csrf_token": csrf_from(detail.text),
            "to": "revoked",
            "reason": "Salah nama ayah",
            "confirmed": "1",
        },
    )
    assert revoked.status_code == 303
    page = await client.get(url)
    assert "DICABUT" in page.text and "Salah nama ayah" in page.text

    assert (await client.get("/verifikasi/a/../../etc")).status_code == 404  # never a 500
    for bad in ["A" * 24, letter["verification_token"][:-3], "x" * 100]:
        response = await client.get(f"/verifikasi/{bad}")
        assert response.status_code == 404
        assert "tidak ditemukan / tidak sah" in response.text
    # Refused before any handler by the input guard, in words: a NUL (400), an overlong
    # path segment (404).
    assert (await client.get("/verifikasi/%00")).status_code == 400
    assert (await client.get("/verifikasi/" + "x" * 500)).status_code == 404


async def test_public_key_verifies_a_signature(app, staff, client):
    from sodamolek.documents import signing

    (rid,) = await awaiting(staff)
    letter = await sign_as(app, await actor(staff.lurah), rid, "x")
    published = (await client.get("/kunci-publik")).json()
    key = signing.load_public_key_pem(published["pem"])
    assert signing.verify(key, signing.canonical_content(letter["content"]), letter["signature"])


async def test_signing_desk_batch_over_http(app, staff, client):
    ids = await awaiting(staff, 3)
    await session_for(app, await actor(staff.lurah))  # the lurah's certificate
    await login(client, staff.lurah)
    desk = await client.get("/tanda-tangan")
    assert all(f'value="{i}"' in desk.text for i in ids)
    preview = await client.get(f"/tanda-tangan/{ids[0]}/pratinjau")
    assert preview.headers["content-type"] == "application/pdf"
    assert "PRATINJAU" in pdf_text(preview.content)
    token, chosen = csrf_from(desk.text), [str(i) for i in ids]
    signed = await client.post(
        "/tanda-tangan", data={"_csrf_token": token, "ids": chosen, "passphrase": TEST_PASSPHRASE}
    )
    assert signed.status_code == 200 and "3 surat ditandatangani" in signed.text
    again = await client.post(
        "/tanda-tangan",
        data={"_csrf_token": token, "ids": [str(ids[0])], "passphrase": TEST_PASSPHRASE},
    )
    assert again.status_code == 409 and "tidak menunggu tanda tangan" in again.text
    letter = await Letter.select(Letter.id).first()
    pdf = await client.get(f"/surat/{letter['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_other_office_cannot_open_pdf_or_preview(app, staff, client):
    (rid,) = await awaiting(staff)
    letter = await sign_as(app, await actor(staff.lurah), rid, "x")
    await login(client, staff.other_operator)
    assert (await client.get(f"/surat/{letter['id']}/pdf")).status_code == 404


# --- Who signs -----------------------------------------------------------------------------------


async def _second_lurah(username: str, full_name: str, nip: str):
    from sodamolek.accounts.service import create_account

    await create_account(
        username=username,
        full_name=full_name,
        role="lurah",
        password="kata-sandi-uji-123",
        kelurahan="53.71.04.1001",
        nip=nip,
    )
    return await actor(username)


async def test_a_signer_needs_a_full_name_and_a_nip(app, staff):
    (rid,) = await awaiting(staff)
    without_nip = await _second_lurah("sekretaris.oebobo", "Ana Bele, S.IP", "")
    with pytest.raises(issuing.SigningRefused) as refused:
        await sign_as(app, without_nip, rid)
    assert "NIP yang sah (18 angka) wajib diisi" in str(refused.value)
    assert "sekretaris.oebobo" in str(refused.value)
    nameless = await _second_lurah("lurah.dua", "lurah.dua", "198001012005011002")
    with pytest.raises(issuing.SigningRefused, match="nama lengkap wajib diisi"):
        await sign_as(app, nameless, rid)
    assert await Letter.count() == 0  # nothing was written, no number taken
    assert (await requests.get_request(nameless, rid))["status"] == "awaiting_signature"


async def test_the_letter_prints_the_holder_and_an_when_not_the_offices_lurah(app, staff):
    from sodamolek.regions import service as regions

    lurah = await actor(staff.lurah)  # the office's lurah: signs as "Lurah Oebobo"
    await regions.set_lurah(lurah.kelurahan_id, "Lurah Oebobo", "197805122005011003")
    first, second = await awaiting(staff, count=2)
    own = await sign_as(app, lurah, first)
    assert own["signer_title"] == "Lurah Oebobo"
    secretary = await _second_lurah("sekretaris.oebobo", "Ana Bele, S.IP", "198503152010012003")
    other = await sign_as(app, secretary, second)
    assert other["signer_name"] == "Ana Bele, S.IP" and other["signer_nip"] == "198503152010012003"
    assert other["signer_title"] == "a.n. Lurah Oebobo"
    _, pdf = await issuing.letter_pdf(secretary, other["id"], "https://x")
    text = " ".join(pdf_text(pdf).split())
    assert "a.n. Lurah Oebobo" in text and "Ana Bele, S.IP" in text
    assert "NIP. 19850315 201001 2 003" in text
    _, own_pdf = await issuing.letter_pdf(lurah, own["id"], "https://x")
    assert "a.n." not in pdf_text(own_pdf)
