"""The signed letter on the phone: the tracking page offers the PDF once the request is ready,
for the applicant's birth date; the tracking code alone never gives it; rate limited."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from sodamolek.residents import service as residents
from tests.conftest import csrf_from
from tests.integration.test_signing import actor, awaiting
from tests.tte_support import sign_as

BIRTH_DATE = "1990-08-17"  # the NIK 5371045708900003's: the 57th is the 17th, a woman's


async def ready(app, staff) -> str:
    (rid,) = await awaiting(staff)
    lurah = await actor(staff.lurah)
    letter = await sign_as(app, lurah, rid)
    return letter["verification_token"], rid


async def code_of(rid: int) -> str:
    from sodamolek.letter_requests.tables import LetterRequest

    row = await LetterRequest.select(LetterRequest.tracking_code).where(LetterRequest.id == rid)
    return row[0]["tracking_code"]


async def ask(client, code: str, birth_date: str) -> httpx.Response:
    page = await client.get("/lacak")  # a form with the CSRF token, whatever the status
    return await client.post(
        f"/lacak/{code}/surat",
        data={"_csrf_token": csrf_from(page.text), "tanggal_lahir": birth_date},
    )


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_ready_letter_comes_for_the_birth_date_only(app, client, staff):
    _, rid = await ready(app, staff)
    code = await code_of(rid)
    page = await client.get(f"/lacak/{code}")
    assert 'action="/lacak/' + code + '/surat"' in page.text and "Unduh surat (PDF)" in page.text
    assert "5371045708900003" not in page.text  # the page itself never shows the NIK
    wrong = await ask(client, code, "1990-08-18")
    assert wrong.status_code == 422
    assert residents.LETTER_WRONG_DATE in wrong.text
    assert not wrong.content.startswith(b"%PDF")
    right = await ask(client, code, BIRTH_DATE)
    assert right.status_code == 200, right.text
    assert right.headers["content-type"] == "application/pdf"
    assert right.headers["cache-control"] == "no-store"
    assert "attachment" in right.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(right.content)).pages)
    assert "5371045708900003" in text  # the letter itself: why the birth date is asked


async def test_the_code_alone_gives_nothing(app, client, staff):
    _, rid = await ready(app, staff)
    code = await code_of(rid)
    for path in (f"/lacak/{code}/surat", f"/lacak/{code}/surat?tanggal_lahir={BIRTH_DATE}"):
        response = await client.get(path)
        assert response.status_code in (404, 405) and not response.content.startswith(b"%PDF")
    empty = await ask(client, code, "")
    assert empty.status_code == 422 and "Isi tanggal lahir" in empty.text


async def test_not_ready_is_refused_in_words(app, client, staff):
    (rid,) = await awaiting(staff)
    code = await code_of(rid)
    page = await client.get(f"/lacak/{code}")
    assert "Unduh surat (PDF)" not in page.text
    response = await ask(client, code, BIRTH_DATE)
    assert response.status_code == 409 and residents.LETTER_NOT_READY in response.text


async def test_guessing_the_birth_date_is_rate_limited_per_code(app, staff):
    _, rid = await ready(app, staff)
    code = await code_of(rid)
    statuses = []
    for n in range(residents.LETTER_LIMIT_CODE.hits + 1):
        async with client_at(app, f"198.51.100.{10 + n}") as guesser:
            statuses.append((await ask(guesser, code, f"1990-01-{n + 1:02d}")).status_code)
    assert statuses == [422] * residents.LETTER_LIMIT_CODE.hits + [429]
    async with client_at(app, "198.51.100.99") as owner:  # even the right date waits now
        limited = await ask(owner, code, BIRTH_DATE)
    assert limited.status_code == 429 and "Terlalu banyak" in limited.text
    assert int(limited.headers["retry-after"]) > 0


async def test_an_unknown_code_is_404(client):
    page = await client.get("/lacak")
    response = await client.post(
        "/lacak/KPG-0000-0000-0000/surat",
        data={"_csrf_token": csrf_from(page.text), "tanggal_lahir": BIRTH_DATE},
    )
    assert response.status_code == 404
