"""The buku register surat keluar lists every allocated number with its fate, voided and revoked
ones included; a number without a letter cannot hide; exports carry Indonesian headers."""

import csv
import io
import zipfile

from sodamolek.issuing import service as issuing
from sodamolek.issuing.tables import LetterNumberCounter
from tests.conftest import login
from tests.integration.test_lifecycle_flows import PINDAH
from tests.integration.test_signing import actor, awaiting
from tests.tte_support import session_for


async def _letters(app, staff):
    """Four letters of one office: valid, revoked (and replaced), voided, and the replacement."""
    key = app.state.signing_key
    lurah, camat = await actor(staff.lurah), await actor(staff.camat)
    valid_rid, revoked_rid = await awaiting(staff, count=2)
    valid = await issuing.sign_request(
        lurah, valid_rid, key, "https://x", session=await session_for(app, lurah)
    )
    revoked = await issuing.sign_request(
        lurah, revoked_rid, key, "https://x", session=await session_for(app, lurah)
    )
    await issuing.revoke(lurah, revoked["id"], "Salah nama ayah")
    (pindah_rid,) = await awaiting(staff, **PINDAH)
    voided = await issuing.sign_request(
        lurah, pindah_rid, key, "https://x", session=await session_for(app, lurah)
    )
    await issuing.move(camat, pindah_rid, "in_review", "Alamat tujuan keliru")
    return valid, revoked, voided


async def test_register_lists_voided_and_revoked_numbers(app, client, staff):
    valid, revoked, voided = await _letters(app, staff)
    await login(client, staff.operator)
    page = await client.get("/buku-register")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    for letter in (valid, revoked, voided):
        assert letter["number"] in text
    assert "Dicabut: Salah nama ayah" in text and "Batal: Alamat tujuan keliru" in text
    assert text.index(valid["number"]) < text.index(revoked["number"])  # in number order
    assert "3 nomor dialokasikan, 3 surat" in text

    exported = await client.get("/buku-register.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert [r["Nomor surat"] for r in rows] == [valid["number"], revoked["number"],
                                                voided["number"]]  # fmt: skip
    states = {r["Nomor surat"]: r["Keadaan"] for r in rows}
    assert states[valid["number"]] == "Sah"
    assert states[revoked["number"]] == "Dicabut"
    assert states[voided["number"]] == "Batal sebelum terbit"
    assert rows[0]["Pemohon"] == "Maria Ndun" and rows[0]["Penanda tangan"].startswith("Lurah")

    xlsx = await client.get("/buku-register.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    for piece in ("Nomor surat", "Penanda tangan", "Keadaan", revoked["number"], "Dicabut"):
        assert piece in strings


async def test_a_number_without_a_letter_shows_and_filters_narrow(app, client, staff):
    valid, revoked, voided = await _letters(app, staff)
    # A number given out with no letter (a bug, or a hand edit of the database) is a row.
    await LetterNumberCounter.update({LetterNumberCounter.last_number: 3}).where(
        LetterNumberCounter.classification_code == "470"
    )
    await login(client, staff.lurah)
    page = (await client.get("/buku-register")).text
    assert "1 nomor tanpa surat" in page and "Tanpa surat (nomor dialokasikan)" in page
    only_pindah = (await client.get("/buku-register?jenis=pindah")).text
    assert voided["number"] in only_pindah and valid["number"] not in only_pindah
    assert "Tanpa surat" in only_pindah  # a filter never hides a gap
    found = (await client.get("/buku-register?cari=" + revoked["number"])).text
    assert revoked["number"] in found and valid["number"] not in found
    assert (await client.get("/buku-register?bulan=13")).status_code == 404


async def test_register_is_scoped_to_the_office(app, client, staff):
    await _letters(app, staff)
    await login(client, staff.other_operator)  # Namosain: sees only its own (empty) register
    page = (await client.get("/buku-register")).text
    assert "0 nomor dialokasikan" in page and "Maria Ndun" not in page
    client.cookies.clear()
    await login(client, staff.camat)  # Kecamatan Oebobo: an office of the kecamatan only
    assert (await client.get("/buku-register?kantor=53.71.04.1001")).status_code == 200
    assert (await client.get("/buku-register?kantor=53.71.01.1001")).status_code == 404
