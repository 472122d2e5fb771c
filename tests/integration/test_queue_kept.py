"""The queue's list kept between refreshes (desk.queue_list): read again only when something it
shows changed — in the office's requests or counters (the database's stamp triggers, whoever
wrote), in a letter type's name, or on the clock (a row falling due) — and never another
office's."""

import asyncio
import datetime as dt

import pytest

from sodamolek.desk import queue_list
from sodamolek.letter_requests import service
from sodamolek.letter_requests.tables import LetterRequest, QueueStamp, RequestCounter
from sodamolek.letters import service as letters
from tests.conftest import csrf_from, login
from tests.integration.test_request_service import submission, user

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def reads(monkeypatch):
    """How many times the queue's rows were read (not served as kept)."""
    calls = []
    real = service.queue

    async def counted(*args, **kwargs):
        calls.append(kwargs.get("status"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "queue", counted)
    queue_list.KEPT.clear()
    return calls


async def _refresh(client, csrf: str, status: str = "", q: str = "") -> str:
    answer = await client.post(
        "/permohonan/daftar", data={"_csrf_token": csrf, "status": status, "q": q}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def _stamp(kelurahan_id: int) -> str | None:
    row = await QueueStamp.select(QueueStamp.stamp).where(QueueStamp.kelurahan == kelurahan_id)
    return row[0]["stamp"] if row else None


async def test_a_refresh_with_nothing_changed_reads_nothing_and_any_change_reads_again(
    client, staff, reads
):
    operator = await user(staff.operator)
    maria = (await service.create_request(operator, submission())).request
    await login(client, staff.operator)
    csrf = csrf_from((await client.get("/permohonan")).text)
    assert len(reads) == 1
    first = await _refresh(client, csrf)
    assert await _refresh(client, csrf) == first and len(reads) == 1  # kept: no read
    assert maria["tracking_code"] in first and "belum terverifikasi" in first

    # A write the service did not make (another tool, a fix by hand): the trigger sees it.
    await LetterRequest.update({LetterRequest.applicant_verified: True}).where(
        LetterRequest.id == maria["id"]
    )
    changed = await _refresh(client, csrf)
    assert len(reads) == 2 and "belum terverifikasi" not in changed
    # A status move, through the service: the list and its tab counts follow.
    await service.change_status(operator, maria["id"], "incomplete", "Foto KTP buram")
    moved = await _refresh(client, csrf)
    assert len(reads) == 3 and "status-incomplete" in moved
    assert 'Belum Lengkap <span class="count">1</span>' in moved
    assert await _refresh(client, csrf) == moved and len(reads) == 3
    # A search is read every time (never kept: it is typed, and may be a NIK).
    await _refresh(client, csrf, q=maria["tracking_code"])
    await _refresh(client, csrf, q=maria["tracking_code"])
    assert len(reads) == 5


async def test_another_offices_changes_keep_this_offices_list_and_never_show_in_it(
    client, staff, reads
):
    operator = await user(staff.operator)
    elsewhere = await user(staff.other_operator)
    await service.create_request(operator, submission())
    await login(client, staff.operator)
    csrf = csrf_from((await client.get("/permohonan")).text)
    kept = await _refresh(client, csrf)
    assert len(reads) == 1
    theirs = (
        await service.create_request(
            elsewhere, submission(applicant={"applicant_name": "Yakobus Elsewhere"})
        )
    ).request
    assert await _refresh(client, csrf) == kept and len(reads) == 1
    assert theirs["tracking_code"] not in kept and "Yakobus" not in kept

    # Their operator gets their own list, never this one (the key is the office).
    await client.post("/keluar", data={"_csrf_token": csrf})
    await login(client, staff.other_operator)
    theirs_csrf = csrf_from((await client.get("/permohonan")).text)
    listed = await _refresh(client, theirs_csrf)
    assert theirs["tracking_code"] in listed and "Maria" not in listed


async def test_the_districts_and_the_citys_lists_follow_each_of_their_offices(client, staff, reads):
    operator = await user(staff.operator)
    await login(client, staff.camat)
    csrf = csrf_from((await client.get("/permohonan")).text)
    before = await _refresh(client, csrf)
    created = (await service.create_request(operator, submission())).request
    after = await _refresh(client, csrf)
    assert created["tracking_code"] not in before and created["tracking_code"] in after
    assert "Kel. Oebobo" in after  # several offices: each row names its own
    await client.post("/keluar", data={"_csrf_token": csrf})
    await login(client, staff.admin)
    csrf = csrf_from((await client.get("/permohonan")).text)
    assert created["tracking_code"] in await _refresh(client, csrf)
    await service.change_status(operator, created["id"], "cancelled", "Pemohon tidak jadi")
    assert created["tracking_code"] not in await _refresh(client, csrf)  # not active any more


async def test_a_renamed_letter_type_shows_in_the_kept_list(client, staff, reads):
    operator = await user(staff.operator)
    await service.create_request(operator, submission())
    await login(client, staff.operator)
    csrf = csrf_from((await client.get("/permohonan")).text)
    kept = await _refresh(client, csrf)
    letter_type = await letters.get_letter_type("domisili")
    assert letter_type["name"] in kept
    renamed = letters.LetterTypeInput.from_dict(letter_type | {"name": "Keterangan Tinggal"})
    await letters.update_letter_type("domisili", renamed)
    assert "Keterangan Tinggal" in await _refresh(client, csrf)


async def test_a_row_falling_due_is_shown_late_though_nothing_was_written(client, staff, reads):
    operator = await user(staff.operator)
    maria = (await service.create_request(operator, submission())).request
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.5)
    await LetterRequest.update({LetterRequest.due_at: soon}).where(LetterRequest.id == maria["id"])
    await login(client, staff.operator)
    csrf = csrf_from((await client.get("/permohonan")).text)
    assert "lewat batas" not in await _refresh(client, csrf)
    kept = len(reads)
    assert "lewat batas" not in await _refresh(client, csrf) and len(reads) == kept
    await asyncio.sleep(max(0.0, (soon - dt.datetime.now(dt.UTC)).total_seconds()) + 0.1)
    assert "lewat batas" in await _refresh(client, csrf)
    assert len(reads) == kept + 1


async def test_the_database_stamps_an_office_for_every_write_to_its_requests_or_counters(
    app, staff
):
    """The triggers (SQLite and PostgreSQL): a request inserted or updated, a counter made or
    dropped (a recount), each gives its office a new stamp; another office's stays."""
    operator = await user(staff.operator)
    elsewhere = await user(staff.other_operator)
    other = (await service.create_request(elsewhere, submission())).request
    theirs = await _stamp(other["kelurahan"])
    seen = [await _stamp(operator.kelurahan_id)]

    async def new_stamp() -> None:
        stamp = await _stamp(operator.kelurahan_id)
        assert stamp is not None and len(stamp) == 32 and stamp not in seen, seen
        seen.append(stamp)

    created = (await service.create_request(operator, submission())).request
    await new_stamp()
    await LetterRequest.update({LetterRequest.notes: "ditulis di luar aplikasi"}).where(
        LetterRequest.id == created["id"]
    )
    await new_stamp()
    await service.rebuild_counters()  # every counter dropped and made again
    await new_stamp()
    await RequestCounter.delete().where(RequestCounter.kelurahan == operator.kelurahan_id)
    await new_stamp()
    assert await _stamp(other["kelurahan"]) != theirs  # the recount touched every office
    theirs = await _stamp(other["kelurahan"])
    await service.create_request(operator, submission())
    await new_stamp()
    assert await _stamp(other["kelurahan"]) == theirs
    # A request moved to another office (by hand: the app never does) leaves both lists.
    await LetterRequest.update({LetterRequest.kelurahan: other["kelurahan"]}).where(
        LetterRequest.id == created["id"]
    )
    await new_stamp()
    assert await _stamp(other["kelurahan"]) != theirs
