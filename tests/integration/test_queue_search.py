"""The queue: the chosen status tab survives refreshes and searches; an exact tracking code or NIK
finds a request in every status; part of a name matches whatever its case."""

import datetime as dt
import json
import re

from sodamolek import db
from sodamolek.core import formatting
from sodamolek.letter_requests import service
from sodamolek.letter_requests.tables import LetterRequest
from tests.conftest import csrf_from, login
from tests.integration.test_request_service import submission, user

OTHER_NIK = "5371041203900001"


async def _three_requests(staff):
    """Maria in review, Yosef incomplete (Belum Lengkap), Ester cancelled (finished)."""
    operator = await user(staff.operator)
    maria = (await service.create_request(operator, submission())).request
    yosef_submission = submission(
        applicant={"applicant_nik": OTHER_NIK, "applicant_name": "Yosef Tefa"}
    )
    yosef = (await service.create_request(operator, yosef_submission)).request
    await service.change_status(operator, yosef["id"], "incomplete", "KK belum dibawa")
    ester_submission = submission(
        applicant={"applicant_nik": "5371045708900003", "applicant_name": "Ester Ndun Lay"}
    )
    ester = (await service.create_request(operator, ester_submission)).request
    await service.change_status(operator, ester["id"], "cancelled", "Pemohon tidak jadi")
    return operator, maria, yosef, ester


def _ids(page) -> set[int]:
    return {item["id"] for item in page.items}


async def test_exact_code_and_nik_find_requests_in_every_status(app, staff):
    operator, maria, yosef, ester = await _three_requests(staff)
    # The default list shows the running ones only.
    assert _ids(await service.queue(operator)) == {maria["id"], yosef["id"]}
    for tab in (None, "in_review", "incomplete"):
        by_code = await service.queue(operator, status=tab, query=ester["tracking_code"].lower())
        assert _ids(by_code) == {ester["id"]} and by_code.every_status
        assert by_code.total == 1
    by_nik = await service.queue(operator, status="in_review", query="5371 0457 0890 0003")
    assert _ids(by_nik) == {maria["id"], ester["id"]}  # the same NIK, one request finished
    assert by_nik.status == "in_review"  # the tab stays chosen


async def test_a_name_matches_in_part_whatever_its_case(app, staff):
    operator, maria, yosef, ester = await _three_requests(staff)
    # No tab chosen: every status, the cancelled one too.
    assert _ids(await service.queue(operator, query="NDUN")) == {maria["id"], ester["id"]}
    assert _ids(await service.queue(operator, query="osef te")) == {yosef["id"]}
    # Within a tab: that tab only.
    in_review = await service.queue(operator, status="in_review", query="ndun")
    assert _ids(in_review) == {maria["id"]} and not in_review.every_status
    assert in_review.total == 1
    assert _ids(await service.queue(operator, status="incomplete", query="ndun")) == set()


async def test_another_office_never_finds_them(app, staff):
    _, _, _, ester = await _three_requests(staff)
    other = await user(staff.other_operator)
    assert _ids(await service.queue(other, query=ester["tracking_code"])) == set()
    assert _ids(await service.queue(other, query="5371045708900003")) == set()


HX_VALS = re.compile(r"<section id=\"daftar\"[^>]*hx-vals='([^']*)'")


async def test_the_list_carries_its_tab_into_refreshes_searches_and_the_address(client, staff):
    await _three_requests(staff)
    await login(client, staff.operator)
    page = await client.get("/permohonan")
    token = csrf_from(page.text)
    # The search form takes the tab from the list, not from a value fixed at page load.
    assert 'hx-include="#daftar-status"' in page.text
    assert 'name="status" value="{{' not in page.text

    tab = await client.post(
        "/permohonan/daftar",
        data={"_csrf_token": token, "status": "incomplete", "q": ""},
        headers={"HX-Request": "true"},
    )
    assert tab.status_code == 200
    assert tab.headers["HX-Replace-Url"] == "/permohonan?status=incomplete"
    assert "Yosef Tefa" in tab.text and "Maria Ndun" not in tab.text
    assert 'id="daftar-status" name="status" value="incomplete"' in tab.text
    refresh_values = json.loads(HX_VALS.search(tab.text).group(1))
    assert refresh_values == {"halaman": "1", "status": "incomplete"}

    # The 30-second refresh sends the list's own values: the same tab comes back.
    refresh = await client.post(
        "/permohonan/daftar",
        data={"_csrf_token": token, "q": "", **refresh_values},
        headers={"HX-Request": "true"},
    )
    assert "Yosef Tefa" in refresh.text and "Maria Ndun" not in refresh.text
    assert re.search(r'class="tab active"[^>]*>\s*Belum Lengkap', refresh.text)

    # A reload of the address the list put in the bar opens the same tab.
    reloaded = await client.get("/permohonan?status=incomplete")
    assert "Yosef Tefa" in reloaded.text and "Maria Ndun" not in reloaded.text
    assert 'id="daftar-status" name="status" value="incomplete"' in reloaded.text

    # Nothing of a search goes into the address: a NIK never lands in a URL.
    search = await client.post(
        "/permohonan/daftar",
        data={"_csrf_token": token, "status": "incomplete", "q": "5371045708900003"},
        headers={"HX-Request": "true"},
    )
    assert search.headers["HX-Replace-Url"] == "/permohonan?status=incomplete"
    assert "Ester Ndun Lay" in search.text and "(semua status)" in search.text

    # An unknown status is the default list, and the address says so.
    unknown = await client.post(
        "/permohonan/daftar",
        data={"_csrf_token": token, "status": "<script>", "q": ""},
        headers={"HX-Request": "true"},
    )
    assert unknown.headers["HX-Replace-Url"] == "/permohonan"
    assert "<script>" not in unknown.text


async def test_each_role_reads_the_queue_of_its_offices_only(app, staff):
    """The queue's statements carry the actor's scope in every shape: default page, tab, name
    search, counts."""
    _, maria, yosef, _ = await _three_requests(staff)
    ours = {maria["id"], yosef["id"]}
    for username, sees in [
        (staff.operator, ours),
        (staff.camat, ours),  # Oebobo's kecamatan
        (staff.admin, ours),  # the city
        (staff.other_operator, set()),  # Namosain, in another kecamatan
    ]:
        actor = await user(username)
        default = await service.queue(actor)
        assert _ids(default) == sees, username
        assert default.total == len(sees)
        assert sum(default.counts.values()) == (3 if sees else 0), username
        assert _ids(await service.queue(actor, status="incomplete")) == sees & {yosef["id"]}
        assert _ids(await service.queue(actor, query="yosef")) == sees & {yosef["id"]}


ROW = re.compile(r'<tr class="([^"]*)">(.*?)</tr>', re.S)


async def test_each_row_shows_its_request_and_escapes_what_a_resident_typed(client, staff):
    """The rows' values are made in Python before the template (desk.views.QueueRow): each one
    still lands in its cell, and a name with markup in it shows as text."""
    operator = await user(staff.operator)
    script_name = "<script>alert(1)</script> Ndun"
    typed = await service.create_request(
        operator, submission(applicant={"applicant_nik": OTHER_NIK, "applicant_name": script_name})
    )
    script_request = typed.request
    _, maria, yosef, _ = await _three_requests(staff)
    # Maria's applied from home and is a day late; Yosef's waits for him, so it is never late.
    late = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    for request_id in (maria["id"], yosef["id"]):
        await LetterRequest.update({LetterRequest.due_at: late}).where(
            LetterRequest.id == request_id
        )
    await LetterRequest.update({LetterRequest.channel: "resident"}).where(
        LetterRequest.id == maria["id"]
    )
    await LetterRequest.update({LetterRequest.applicant_verified: True}).where(
        LetterRequest.id == yosef["id"]
    )

    await login(client, staff.operator)
    page = await client.get("/permohonan")
    assert "<script>alert(1)" not in page.text
    rows = {
        int(re.search(r'href="/permohonan/(\d+)"', cells).group(1)): (css, cells)
        for css, cells in ROW.findall(page.text)
    }
    assert set(rows) == {script_request["id"], maria["id"], yosef["id"]}
    css, cells = rows[script_request["id"]]
    assert css == ""
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ndun" in cells
    assert f">{script_request['tracking_code']}</a>" in cells
    assert "belum terverifikasi" in cells and "Diajukan warga" not in cells
    assert '<span class="status status-in_review">Sedang Diperiksa</span>' in cells
    assert formatting.format_datetime(script_request["due_at"]) in cells
    assert "lewat batas" not in cells and "Kel. " not in cells  # one office: not named
    css, cells = rows[maria["id"]]
    assert css == "overdue" and "lewat batas" in cells and "Diajukan warga" in cells
    assert formatting.format_datetime(late) in cells
    css, cells = rows[yosef["id"]]
    assert css == "" and "lewat batas" not in cells  # incomplete: the clock is paused
    assert '<span class="status status-incomplete">Belum Lengkap</span>' in cells
    assert "belum terverifikasi" not in cells
    assert re.search(r'class="tab"[^>]*>\s*Belum Lengkap <span class="count">1</span>', page.text)

    # The camat sees several offices: each row names its kelurahan.
    await client.post("/keluar", data={"_csrf_token": csrf_from(page.text)})
    await login(client, staff.camat)
    district = await client.get("/permohonan")
    assert district.text.count('<small class="muted">Kel. Oebobo</small>') == 3
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ndun" in district.text


async def test_a_row_shown_before_shows_each_change_made_since(client, staff):
    """The rows are kept by their values (desk.views.row_html): a request that moves, whose
    deadline passes or whose applicant is verified after the list was shown is never shown as
    it was."""
    operator, maria, _, _ = await _three_requests(staff)
    await login(client, staff.operator)

    def maria_row(text: str) -> tuple[str, str]:
        found = [
            (css, cells)
            for css, cells in ROW.findall(text)
            if f'href="/permohonan/{maria["id"]}"' in cells
        ]
        assert len(found) == 1, found
        return found[0]

    css, cells = maria_row((await client.get("/permohonan")).text)
    assert css == "" and "status-in_review" in cells and "belum terverifikasi" in cells
    assert maria_row((await client.get("/permohonan")).text) == (css, cells)  # the kept row

    late = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    await LetterRequest.update(
        {LetterRequest.due_at: late, LetterRequest.applicant_verified: True}
    ).where(LetterRequest.id == maria["id"])
    css, cells = maria_row((await client.get("/permohonan")).text)
    assert css == "overdue" and "lewat batas" in cells
    assert formatting.format_datetime(late) in cells and "belum terverifikasi" not in cells

    await service.change_status(operator, maria["id"], "incomplete", "Foto KTP buram")
    listed = await client.post(
        "/permohonan/daftar",
        data={"status": "", "_csrf_token": csrf_from((await client.get("/permohonan")).text)},
    )
    css, cells = maria_row(listed.text)
    assert css == "" and "lewat batas" not in cells  # waiting for her: the clock is paused
    assert '<span class="status status-incomplete">Belum Lengkap</span>' in cells


async def test_the_queue_reads_the_same_rows_raw_or_decoded(app, staff):
    """SQLite: the queue reads its rows without Piccolo's converters and decodes its due time
    and verified flag itself; inside a reading already open it gets them decoded. Either way
    the same values, of the same types (PostgreSQL: always decoded)."""
    operator, maria, yosef, _ = await _three_requests(staff)
    await LetterRequest.update({LetterRequest.applicant_verified: True}).where(
        LetterRequest.id == yosef["id"]
    )
    raw = await service.queue(operator)
    async with db.reading():  # not raw: the rows come through the converters
        decoded = await service.queue(operator)
    assert raw.items == decoded.items and raw.counts == decoded.counts
    by_id = {item["id"]: item for item in raw.items}
    assert by_id[maria["id"]]["applicant_verified"] is False
    assert by_id[yosef["id"]]["applicant_verified"] is True
    stored = await LetterRequest.select(LetterRequest.due_at).where(LetterRequest.id == maria["id"])
    assert by_id[maria["id"]]["due_at"] == stored[0]["due_at"]
    assert by_id[maria["id"]]["due_at"].utcoffset() == dt.timedelta(0)
