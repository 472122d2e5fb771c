"""Letters signed with PAdES through the signing desks: the passphrase asked once per batch (a
wrong one numbers nothing), the throttle, POST /verifikasi on real letters (SAH, one changed
byte, DICABUT, waiting for the camat), and the BSrE back-end end to end against the fake."""

from __future__ import annotations

import dataclasses
import logging

from sodamolek.issuing import service as issuing
from sodamolek.issuing.tables import Letter, LetterNumberCounter
from sodamolek.letter_requests import service as requests
from sodamolek.tte import fake_bsre, pades
from sodamolek.tte import service as tte
from sodamolek.tte.tables import SignatureRecord
from tests.conftest import csrf_from, login
from tests.integration.test_signing import actor, awaiting
from tests.tte_support import TEST_PASSPHRASE, serve_in_thread, session_for, sign_as

PINDAH = dict(
    letter_type="pindah",
    data={"alamat_tujuan": "Jl. Sudirman 1, Soe", "alasan_pindah": "Pekerjaan",
          "jumlah_pengikut": "2"},
    requirements_checked=[],
)  # fmt: skip


async def desk_post(client, ids, passphrase):
    desk = await client.get("/tanda-tangan")
    return await client.post(
        "/tanda-tangan",
        data={"_csrf_token": csrf_from(desk.text), "ids": [str(i) for i in ids],
              "passphrase": passphrase},
    )  # fmt: skip


async def upload(client, pdf: bytes):
    return await client.post("/verifikasi", files={"berkas": ("surat.pdf", pdf, "application/pdf")})


async def test_a_wrong_passphrase_signs_nothing_and_uses_up_no_number(app, staff, client, caplog):
    caplog.set_level(logging.DEBUG)
    ids = await awaiting(staff, 2)
    lurah = await actor(staff.lurah)
    await session_for(app, lurah)
    await login(client, staff.lurah)
    wrong = "passphrase-yang-keliru-9"
    refused = await desk_post(client, ids, wrong)
    assert refused.status_code == 422 and "Passphrase TTE salah" in refused.text
    assert "tidak ada nomor yang terpakai" in refused.text
    assert await Letter.count() == 0 and await LetterNumberCounter.count() == 0
    for request_id in ids:
        assert (await requests.get_request(lurah, request_id))["status"] == "awaiting_signature"
    done = await desk_post(client, ids, TEST_PASSPHRASE)
    assert done.status_code == 200 and "2 surat ditandatangani" in done.text
    numbers = sorted(r["sequence"] for r in await Letter.select(Letter.sequence))
    assert numbers == [1, 2]  # the refused batch took none
    for text in (refused.text, done.text, caplog.text):
        assert wrong not in text and TEST_PASSPHRASE not in text


async def test_repeated_wrong_passphrases_lock_the_desk_for_a_while(app, staff, client):
    ids = await awaiting(staff, 1)
    await session_for(app, await actor(staff.lurah))
    await login(client, staff.lurah)
    for attempt in range(tte.MAX_PASSPHRASE_FAILURES):
        answer = await desk_post(client, ids, f"salah-{attempt}-passphrase")
        assert answer.status_code == 422
    locked = await desk_post(client, ids, TEST_PASSPHRASE)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "dikunci sementara" in locked.text and await Letter.count() == 0


async def test_uploaded_letters_are_judged_sah_changed_or_revoked(app, staff, client):
    (rid,) = await awaiting(staff)
    lurah = await actor(staff.lurah)
    letter = await sign_as(app, lurah, rid)
    _, pdf = await issuing.letter_pdf(lurah, letter["id"], "https://x")
    assert await SignatureRecord.count() == 1
    good = await upload(client, pdf)
    assert "SAH — berkas ini" in good.text and letter["number"] in good.text
    assert "Maria Ndun" not in good.text  # the applicant's name masked, as on the QR page
    changed = bytearray(pdf)
    changed[len(pdf) // 2] ^= 0x01
    bad = await upload(client, bytes(changed))
    assert bad.status_code == 200 and "TIDAK SAH" in bad.text and "SAH — berkas" not in bad.text
    await issuing.revoke(lurah, letter["id"], "Salah tulis nama ayah")
    revoked = await upload(client, pdf)
    assert "DICABUT" in revoked.text and "Salah tulis nama ayah" in revoked.text


async def test_a_countersigned_letter_verifies_with_two_signatures_and_not_before(
    app, staff, client
):
    (rid,) = await awaiting(staff, **PINDAH)
    lurah, camat = await actor(staff.lurah), await actor(staff.camat)
    letter = await sign_as(app, lurah, rid)
    lurah_only = bytes((await Letter.select(Letter.pdf).first())["pdf"])
    waiting = await upload(client, lurah_only)
    assert "TIDAK SAH" in waiting.text and "menunggu tanda tangan camat" in waiting.text
    await session_for(app, camat)
    await login(client, staff.camat)
    desk = await client.get("/tanda-tangan-camat")
    wrong = await client.post(
        "/tanda-tangan-camat",
        data={"_csrf_token": csrf_from(desk.text), "ids": [str(letter["id"])],
              "passphrase": "bukan-passphrase-camat"},
    )  # fmt: skip
    assert wrong.status_code == 422 and "Passphrase TTE salah" in wrong.text
    assert (await issuing.scoped_letter(camat, letter["id"]))["state"] == "pending"
    done = await client.post(
        "/tanda-tangan-camat",
        data={"_csrf_token": csrf_from(desk.text), "ids": [str(letter["id"])],
              "passphrase": TEST_PASSPHRASE},
    )  # fmt: skip
    assert done.status_code == 200
    both = bytes((await Letter.select(Letter.pdf).first())["pdf"])
    assert both.startswith(lurah_only)  # the camat's signature is an incremental update
    first, second = await pades.validate_pdf(both, tte.trust_roots(app.state.settings))
    assert first.ok and second.ok
    answer = await upload(client, both)
    assert "SAH — berkas ini" in answer.text
    assert "Lurah Oebobo" in answer.text and "Camat Oebobo" in answer.text


async def test_the_bsre_back_end_signs_a_batch_in_one_call(app, staff, client, settings, tmp_path):
    state = fake_bsre.new_fake_state(tmp_path / "bsre")
    fake = fake_bsre.create_fake_bsre(state, "aplikasi", "rahasia-bsre")
    ids = await awaiting(staff, 3)
    lurah = await actor(staff.lurah)
    await tte.set_bsre_nik(lurah.id, fake_bsre.DEMO_SIGNERS["lurah.oebobo"][0])
    roots = tmp_path / "bsre-roots.pem"
    fake_bsre.write_roots(state, roots)
    with serve_in_thread(fake) as url:
        app.state.settings = dataclasses.replace(
            settings, tte_backend="bsre", bsre_url=url, bsre_user="aplikasi",
            bsre_password="rahasia-bsre", bsre_roots_file=roots,
        )  # fmt: skip
        await login(client, staff.lurah)
        wrong = await desk_post(client, ids, "passphrase-keliru-bsre")
        assert wrong.status_code == 422 and "Passphrase TTE salah" in wrong.text
        assert await Letter.count() == 0
        done = await desk_post(client, ids, fake_bsre.DEMO_PASSPHRASE)
        assert done.status_code == 200 and "3 surat ditandatangani" in done.text
    # One call proved the passphrase (a one-line probe), one signed the whole batch.
    assert state.sign_calls == 2 and state.files_signed == 1 + 3
    for row in await Letter.select(Letter.pdf):
        [signature] = await pades.validate_pdf(bytes(row["pdf"]), [*state.authority.certificates])
        assert signature.ok and signature.signer_name == "Yohanes Ndun"
    answer = await upload(client, bytes(row["pdf"]))
    assert "SAH — berkas ini" in answer.text
