"""One life for a letter, over HTTP and through the services: the camat's countersign, sending
back, revocation and replacement, confirmations, the batch, twin signatures, unverified
applicants, the paused service time, the request page."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import re

import httpx
import pytest
from pypdf import PdfReader

from sodamolek.core.formatting import WITA
from sodamolek.issuing import service as issuing
from sodamolek.issuing.tables import Letter
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests import workdays
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letter_requests.tables import LetterRequest, RequestEvent
from tests.conftest import csrf_from, login
from tests.integration.test_request_service import submission
from tests.integration.test_signing import actor, awaiting
from tests.tte_support import TEST_PASSPHRASE, session_for, sign_as

PINDAH = dict(
    letter_type="pindah",
    data={
        "alamat_tujuan": "Jl. Sudirman 1, Soe",
        "alasan_pindah": "Pekerjaan",
        "jumlah_pengikut": "2",
    },
    requirements_checked=[],
)


@pytest.fixture(autouse=True)
async def signers(app, staff):
    """The lurah and the camat have their certificates under the test passphrase."""
    for username in (staff.lurah, staff.camat):
        await session_for(app, await actor(username))


@contextlib.asynccontextmanager
async def signed_in(app, username):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        await login(c, username)
        yield c


async def post_move(c, rid, to, reason="", confirmed=True, hx=False):
    page = await c.get(f"/permohonan/{rid}")
    data = {"_csrf_token": csrf_from(page.text), "to": to, "reason": reason}
    if confirmed:
        data["confirmed"] = "1"
    headers = {"HX-Request": "true"} if hx else {}
    return await c.post(f"/permohonan/{rid}/status", data=data, headers=headers)


async def sign_over_http(c, ids, unverified_ok=()):
    desk = await c.get("/tanda-tangan")
    data = {
        "_csrf_token": csrf_from(desk.text),
        "ids": [str(i) for i in ids],
        "unverified_ok": [str(i) for i in unverified_ok],
        "passphrase": TEST_PASSPHRASE,
    }
    return await c.post("/tanda-tangan", data=data)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def letters_of(rid):
    return await Letter.select().where(Letter.request == rid).order_by(Letter.id)


async def test_countersign_path_end_to_end(app, staff, client):
    (rid,) = await awaiting(staff, **PINDAH)
    async with signed_in(app, staff.lurah) as lurah, signed_in(app, staff.camat) as camat:
        signed = await sign_over_http(lurah, [rid])
        assert signed.status_code == 200 and "menunggu tanda tangan camat" in signed.text
        item = await requests.find_by_tracking_code(
            (await LetterRequest.select().where(LetterRequest.id == rid).first())["tracking_code"]
        )
        assert item["status"] == Status.AWAITING_COUNTERSIGN
        # Off the lurah's desk; signing again is refused in words, never a 500.
        assert f'value="{rid}"' not in (await lurah.get("/tanda-tangan")).text
        again = await sign_over_http(lurah, [rid])
        assert again.status_code == 409 and "tidak menunggu tanda tangan" in again.text
        (letter,) = await letters_of(rid)
        assert letter["state"] == "pending"
        # Not SAH before the camat; the resident reads who it waits for.
        verdict = await client.get(f"/verifikasi/{letter['verification_token']}")
        assert "BELUM SAH" in verdict.text and "tanda tangan camat" in verdict.text
        assert "verdict ok" not in verdict.text
        tracking = await client.get(f"/lacak/{item['tracking_code']}")
        assert "Menunggu Tanda Tangan Camat" in tracking.text
        assert "menunggu tanda tangan camat" in tracking.text
        desk = await camat.get("/tanda-tangan-camat")
        assert letter["number"] in desk.text
        done = await camat.post(
            "/tanda-tangan-camat",
            data={"_csrf_token": csrf_from(desk.text), "ids": [str(letter["id"])],
                  "passphrase": TEST_PASSPHRASE},
        )  # fmt: skip
        assert done.status_code == 200 and "1 surat ditandatangani camat" in done.text
        verdict = await client.get(f"/verifikasi/{letter['verification_token']}")
        assert "verdict ok" in verdict.text and "Camat Oebobo" in verdict.text
        assert "Siap Diambil" in (await client.get(f"/lacak/{item['tracking_code']}")).text
        page = (await lurah.get(f"/permohonan/{rid}")).text
        history = page[page.index("Riwayat") :]
        assert history.count("Ditandatangani lurah") == 1
        assert history.count("Ditandatangani camat (mengetahui)") == 1
        assert "Lurah Oebobo (Lurah)" in history and "Camat Oebobo (Camat)" in history
        assert "Sistem" not in history


async def test_send_back_voids_the_pending_letter_and_keeps_its_number(app, staff, client):
    (rid,) = await awaiting(staff, **PINDAH)
    lurah, camat, operator = [await actor(n) for n in (staff.lurah, staff.camat, staff.operator)]
    key = app.state.signing_key
    first = await issuing.sign_request(
        lurah, rid, key, "https://x", session=await session_for(app, lurah)
    )
    await issuing.move(camat, rid, "in_review", "Alamat tujuan keliru")
    (voided,) = await letters_of(rid)
    assert voided["state"] == "voided" and voided["voided_reason"] == "Alamat tujuan keliru"
    assert await issuing.awaiting_countersign(camat) == []  # gone from the camat's desk
    verdict = await client.get(f"/verifikasi/{first['verification_token']}")
    assert "BATAL" in verdict.text and "verdict ok" not in verdict.text
    with contextlib.suppress(issuing.SigningRefused):
        await issuing.countersign(
            camat, first["id"], "https://x", session=await session_for(app, camat)
        )
    assert (await letters_of(rid))[0]["state"] == "voided"  # no countersign of a stale letter
    # Corrected, forwarded, signed again: a new letter with the next number.
    await requests.change_status(operator, rid, "awaiting_signature")
    second = await issuing.sign_request(
        lurah, rid, key, "https://x", session=await session_for(app, lurah)
    )
    assert second["sequence"] == first["sequence"] + 1 and second["id"] != first["id"]
    states = [r["state"] for r in await letters_of(rid)]
    assert states == ["voided", "pending"]
    # The tracking page does not show the office's send-back reason.
    code = (await requests.get_request(lurah, rid))["tracking_code"]
    assert "Alamat tujuan keliru" not in (await client.get(f"/lacak/{code}")).text


async def test_a_script_cannot_send_back_without_voiding_the_letter(app, staff):
    (rid,) = await awaiting(staff, **PINDAH)
    lurah = await actor(staff.lurah)
    await sign_as(app, lurah, rid)
    try:
        await requests.change_status(lurah, rid, "in_review", "x")
    except requests.TransitionRefused as refused:
        assert "halaman surat" in str(refused)
    else:
        raise AssertionError("a send-back without its letter step went through")
    assert (await letters_of(rid))[0]["state"] == "pending"


async def test_revocation_everywhere_then_a_replacement(app, staff, client):
    (rid,) = await awaiting(staff)
    lurah_user = await actor(staff.lurah)
    first = await sign_as(app, lurah_user, rid)
    code = (await requests.get_request(lurah_user, rid))["tracking_code"]
    async with signed_in(app, staff.lurah) as lurah, signed_in(app, staff.operator) as operator:
        # No confirmation yet: a page that asks, nothing changed.
        asked = await post_move(lurah, rid, "revoked", "Salah nama ayah", confirmed=False)
        assert asked.status_code == 200 and "Ya, cabut surat" in asked.text
        assert 'name="confirmed" value="1"' in asked.text and "Salah nama ayah" in asked.text
        assert (await requests.get_request(lurah_user, rid))["status"] == "ready"
        # No reason: refused before asking.
        assert (await post_move(lurah, rid, "revoked", "", confirmed=False)).status_code == 422
        done = await post_move(lurah, rid, "revoked", "Salah nama ayah")
        assert done.status_code == 303
        tracking = (await client.get(f"/lacak/{code}")).text
        assert "Dicabut" in tracking and "Salah nama ayah" in tracking
        handed = await post_move(operator, rid, "collected")
        assert handed.status_code == 409 and "Dicabut" in handed.text
        pdf = await lurah.get(f"/surat/{first['id']}/pdf")
        assert pdf.status_code == 200 and "DICABUT" in pdf_text(pdf.content)
        page = (await lurah.get(f"/permohonan/{rid}")).text
        history = page[page.index("Riwayat") :]
        assert history.count("Surat dicabut") == 1 and "Salah nama ayah" in history
        verdict = (await client.get(f"/verifikasi/{first['verification_token']}")).text
        assert "DICABUT" in verdict
        # The lurah prepares and signs a replacement that names the revoked letter.
        assert (await post_move(lurah, rid, "awaiting_signature")).status_code == 303
        signed = await sign_over_http(lurah, [rid])
        assert "1 surat ditandatangani" in signed.text
    old, new = await letters_of(rid)
    assert (old["state"], new["state"], new["replaces"]) == ("replaced", "valid", old["id"])
    verdict = (await client.get(f"/verifikasi/{first['verification_token']}")).text
    assert f"Diganti dengan surat nomor {new['number']}" in verdict
    verdict = (await client.get(f"/verifikasi/{new['verification_token']}")).text
    assert "verdict ok" in verdict and old["number"] in verdict
    assert (await requests.get_request(lurah_user, rid))["status"] == "ready"
    # The dashboard counted the request as finished once, not twice.
    from sodamolek.letter_requests.tables import OfficeDay

    assert sum(r["ready"] for r in await OfficeDay.select(OfficeDay.ready)) == 1


async def test_destructive_moves_ask_first_and_the_resident_reads_the_reason(app, staff, client):
    async with signed_in(app, staff.operator) as operator:
        for target in ("cancelled", "rejected"):
            rid = (
                await requests.create_request(
                    await actor(staff.operator),
                    submission(),
                )
            ).request["id"]
            asked = await post_move(operator, rid, target, "Bukan warga sini", confirmed=False)
            assert asked.status_code == 200 and "Ya, " in asked.text
            assert (await LetterRequest.select().where(LetterRequest.id == rid).first())[
                "status"
            ] == "in_review"
            # The htmx button confirms in the browser and sends confirmed=1.
            page = (await operator.get(f"/permohonan/{rid}")).text
            assert "hx-confirm=" in page and """hx-vals='{"confirmed": "1"}'""" in page, page
            done = await post_move(operator, rid, target, "Bukan warga sini", hx=True)
            assert done.status_code == 200
            code = (await LetterRequest.select().where(LetterRequest.id == rid).first())[
                "tracking_code"
            ]
            assert "Bukan warga sini" in (await client.get(f"/lacak/{code}")).text


async def test_a_batch_reports_each_request_and_never_fails_as_a_whole(app, staff):
    ids = await awaiting(staff, 3)
    (camat_type,) = await awaiting(staff, **PINDAH)
    (unverified,) = await awaiting(staff, verified=False)
    # One whose template lacks a value.
    await LetterRequest.update({LetterRequest.data: '{"keperluan": "x"}'}).where(
        LetterRequest.id == ids[1]
    )
    async with signed_in(app, staff.lurah) as lurah:
        desk = (await lurah.get("/tanda-tangan")).text
        assert "belum terverifikasi" in desk and "Identitas sudah saya periksa" in desk
        assert "Data kependudukan belum diperiksa" in desk
        result = await sign_over_http(lurah, [*ids, camat_type, unverified])
        assert result.status_code == 200
        assert "3 surat ditandatangani" in result.text
        assert "data.alamat_domisili" in result.text  # refused with its reason
        assert "belum terverifikasi" in result.text and "centang konfirmasi" in result.text
        statuses = {
            r["id"]: r["status"]
            for r in await LetterRequest.select(LetterRequest.id, LetterRequest.status)
        }
        assert statuses[ids[0]] == statuses[ids[2]] == "ready"
        assert statuses[ids[1]] == statuses[unverified] == "awaiting_signature"
        assert statuses[camat_type] == "awaiting_countersign"
        # Confirmed explicitly, the unverified applicant is signed.
        confirmed = await sign_over_http(lurah, [unverified], unverified_ok=[unverified])
        assert "1 surat ditandatangani" in confirmed.text


async def test_two_signatures_of_one_request_at_once(app, staff):
    (rid,) = await awaiting(staff)
    async with signed_in(app, staff.lurah) as one, signed_in(app, staff.lurah) as two:
        desk_one, desk_two = (
            (await one.get("/tanda-tangan")).text,
            (await two.get("/tanda-tangan")).text,
        )
        data = lambda desk: {"_csrf_token": csrf_from(desk), "ids": [str(rid)],  # noqa: E731
                             "passphrase": TEST_PASSPHRASE}  # fmt: skip
        first, second = await asyncio.gather(
            one.post("/tanda-tangan", data=data(desk_one)),
            two.post("/tanda-tangan", data=data(desk_two)),
        )
    codes = sorted([first.status_code, second.status_code])
    assert codes == [200, 409], codes
    loser = first if first.status_code == 409 else second
    assert "Tidak ditandatangani" in loser.text
    assert len(await letters_of(rid)) == 1
    assert [r["sequence"] for r in await letters_of(rid)] == [1]


async def test_the_same_move_twice_at_once_is_one_move(app, staff):
    operator = await actor(staff.operator)
    rid = (await requests.create_request(operator, submission())).request["id"]
    async with signed_in(app, staff.operator) as one, signed_in(app, staff.operator) as two:
        pages = [(await c.get(f"/permohonan/{rid}")).text for c in (one, two)]
        results = await asyncio.gather(
            *[
                c.post(
                    f"/permohonan/{rid}/status",
                    data={"_csrf_token": csrf_from(p), "to": "awaiting_signature"},
                )
                for c, p in ((one, pages[0]), (two, pages[1]))
            ]
        )
    assert sorted(r.status_code for r in results) == [303, 409]
    events = await RequestEvent.select().where(RequestEvent.request == rid)
    assert [e["to_status"] for e in events] == ["in_review", "awaiting_signature"]
    counts = await requests.status_counts(operator)
    assert (counts["in_review"], counts["awaiting_signature"]) == (0, 1)


async def test_service_time_pauses_while_waiting_for_the_resident(app, staff, client):
    workdays.install(())
    operator = await actor(staff.operator)
    monday = dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA).astimezone(dt.UTC)
    request = (await requests.create_request(operator, submission(), now=monday)).request
    due = request["due_at"]
    rid = request["id"]
    await requests.change_status(operator, rid, "incomplete", "KK belum dibawa", now=monday)
    paused = await requests.get_request(operator, rid)
    assert paused["paused_at"] == monday
    assert not requests.is_overdue(paused, due + dt.timedelta(days=30))
    tracking = (await client.get(f"/lacak/{request['tracking_code']}")).text
    assert "menunggu kelengkapan dari Anda" in tracking and "KK belum dibawa" in tracking
    # Back three working days later (Thursday): the due time moves on by three working days.
    thursday = monday + dt.timedelta(days=3)
    await requests.change_status(operator, rid, "in_review", now=thursday)
    resumed = await requests.get_request(operator, rid)
    assert resumed["paused_at"] is None
    assert resumed["due_at"] == workdays.shift_working_days(due, 3)
    assert (
        "menunggu kelengkapan dari Anda"
        not in (await client.get(f"/lacak/{request['tracking_code']}")).text
    )


async def test_request_page_shows_labels_and_indonesian_dates(app, staff):
    (rid,) = await awaiting(staff)
    data = '{"keperluan": "Melamar", "alamat_domisili": "Jl. A", "x": "2026-11-29"}'
    await LetterRequest.update({LetterRequest.data: data}).where(LetterRequest.id == rid)
    async with signed_in(app, staff.lurah) as lurah:
        page = (await lurah.get(f"/permohonan/{rid}")).text
    assert "alamat_domisili" not in page.split("Isian surat")[1].split("</section>")[0]
    assert "Alamat domisili" in page or "Alamat Domisili" in page
    assert "29 November 2026" in page and "2026-11-29" not in page
    assert re.search(r"\d{1,2} \w+ 20\d\d \d{2}\.\d{2} WITA", page)


async def test_the_databases_refusals_are_answered_in_words(app, staff):
    """A UNIQUE violation from either engine is a 409 in words, never a 500."""
    from types import SimpleNamespace

    import pytest

    from sodamolek.db.errors import TWIN_MESSAGE, is_busy, is_unique_violation
    from sodamolek.web.errors import internal_error_handler

    (rid,) = await awaiting(staff)
    letter = await sign_as(app, await actor(staff.lurah), rid, "x")
    row = await Letter.select().where(Letter.id == letter["id"]).first()
    twin = {k: v for k, v in row.items() if k != "id"} | {
        "verification_token": "t" * 43,
        "state": "voided",  # not live: only the number is a twin
    }
    with pytest.raises(Exception) as caught:
        await Letter.insert(Letter(**twin))
    assert is_unique_violation(caught.value) and not is_busy(caught.value)
    request = SimpleNamespace(method="POST", url=SimpleNamespace(path="/api/v1/permohonan"))
    response = internal_error_handler(request, caught.value)
    assert response.status_code == 409 and response.content["detail"] == TWIN_MESSAGE
