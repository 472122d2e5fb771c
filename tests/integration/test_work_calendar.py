"""The admin's working-day page (/admin/hari-libur): only the admin, CSRF, clear messages for
bad input; a saved closure counts at once in this process, moves open requests' due dates (not
finished ones) and is picked up by other processes when they re-read the table."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from sodamolek.core.formatting import WITA
from sodamolek.letter_requests import workdays
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.workcalendar import service
from sodamolek.workcalendar.tables import LocalCalendarDay
from tests.conftest import csrf_from, login
from tests.integration.city import make_ready, make_request

PAGE = "/admin/hari-libur"


@pytest.fixture(autouse=True)
def national_calendar_after_each_test():
    """The calendar is this process's, not the app's: the next test starts from the national
    one, whatever this test saved."""
    yield
    workdays.install(())


def _next_working_day(after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while not workdays.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _today() -> dt.date:
    return dt.datetime.now(WITA).date()


async def _post(client, data: dict, path: str = PAGE):
    token = csrf_from((await client.get(PAGE)).text)
    return await client.post(path, data={"_csrf_token": token, **data})


async def _due(request_id: int) -> dt.datetime:
    row = await LetterRequest.select(LetterRequest.due_at).where(LetterRequest.id == request_id)
    return row[0]["due_at"].astimezone(dt.UTC)


@pytest.mark.parametrize("who", ["operator", "lurah", "camat"])
@pytest.mark.parametrize(
    ("method", "path"), [("get", PAGE), ("post", PAGE), ("post", PAGE + "/1/hapus")]
)
async def test_only_the_admin(client, staff, who, method, path):
    await login(client, getattr(staff, who))
    token = csrf_from((await client.get("/")).text)
    if method == "get":
        response = await client.get(path)
    else:
        response = await client.post(
            path, data={"_csrf_token": token, "day": "2026-12-02", "kind": "tutup", "note": "x"}
        )
    assert response.status_code == 403
    assert await LocalCalendarDay.count() == 0


async def test_anonymous_is_sent_to_login(client):
    response = await client.get(PAGE)
    assert response.status_code in (302, 303) and "/masuk" in response.headers["location"]


async def test_posts_need_csrf(client, staff):
    await login(client, staff.admin)
    response = await client.post(PAGE, data={"day": "2026-12-02", "kind": "tutup", "note": "x"})
    assert response.status_code == 403
    assert await LocalCalendarDay.count() == 0


async def test_the_page_lists_the_years_national_holidays_and_cuti_bersama(client, staff):
    await login(client, staff.admin)
    page = await client.get(PAGE + "?tahun=2026")
    assert page.status_code == 200
    assert "Cuti Bersama Hari Raya Natal" in page.text and "Hari Raya Natal" in page.text
    assert "Wafat Yesus Kristus" in page.text
    bad = await client.get(PAGE + "?tahun=dua-ribu")
    assert bad.status_code == 200 and "tidak valid" in bad.text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"day": "", "kind": "tutup", "note": "Rapat"}, "day", "Tanggal wajib diisi."),
        ({"day": "2026-02-30", "kind": "tutup", "note": "Rapat"}, "day", "Tanggal tidak valid"),
        ({"day": "1999-12-01", "kind": "tutup", "note": "Rapat"}, "day", "Tahun harus antara"),
        ({"day": "2026-12-02", "kind": "libur", "note": "Rapat"}, "kind", "Pilih: kantor tutup"),
        ({"day": "2026-12-02", "kind": "tutup", "note": "  "}, "note", "Keterangan wajib diisi"),
        ({"day": "2026-12-02", "kind": "tutup", "note": "x" * 201}, "note", "paling panjang 200"),
        ({"day": "2026-12-25", "kind": "tutup", "note": "Natal"}, "day", "sudah libur (Hari Raya"),
        ({"day": "2026-12-05", "kind": "tutup", "note": "Sabtu"}, "day", "sudah libur (Sabtu)"),
        ({"day": "2026-12-02", "kind": "buka", "note": "Buka"}, "day", "sudah hari kerja"),
    ],
)
async def test_bad_input_gets_a_clear_message_and_nothing_is_stored(
    client, staff, form, field, message
):
    await login(client, staff.admin)
    response = await _post(client, form)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert await LocalCalendarDay.count() == 0
    if form["note"].strip():
        assert form["note"][:50] in response.text  # what was typed is kept


async def test_a_closure_counts_at_once_and_moves_open_due_dates_not_finished_ones(client, staff):
    closed = _next_working_day(_today())
    now = dt.datetime.now(dt.UTC)
    open_request = await make_request(staff.operator, now)
    finished = await make_request(staff.operator, now)
    await make_ready(finished, staff.operator, staff.lurah, now)
    due_before, finished_due = await _due(open_request["id"]), await _due(finished["id"])
    assert due_before.astimezone(WITA).date() == closed  # 1 working day: due that day

    await login(client, staff.admin)
    response = await _post(
        client, {"day": closed.isoformat(), "kind": "tutup", "note": "HUT Kota Kupang"}
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Batas waktu 1 permohonan yang masih berjalan disesuaikan." in page.text
    assert "HUT Kota Kupang" in page.text
    assert f'data-tanggal="{closed.isoformat()}" class="day-off"' in page.text

    assert not workdays.is_working_day(closed)  # this process: at once
    moved = await _due(open_request["id"])
    assert moved.astimezone(WITA).date() == _next_working_day(closed)
    assert moved.astimezone(WITA).time() == due_before.astimezone(WITA).time()
    assert await _due(finished["id"]) == finished_due  # its record stands

    # A request taken now counts the closure too.
    later = await make_request(staff.operator, dt.datetime.now(dt.UTC))
    assert (await _due(later["id"])).astimezone(WITA).date() == _next_working_day(closed)

    # Removed: the day is a working day again and the due date comes back.
    (entry,) = await LocalCalendarDay.select(LocalCalendarDay.id)
    removed = await _post(client, {}, path=f"{PAGE}/{entry['id']}/hapus")
    assert removed.status_code == 303
    assert workdays.is_working_day(closed)
    assert await _due(open_request["id"]) == due_before


async def test_saving_a_day_again_replaces_its_entry(client, staff):
    await login(client, staff.admin)
    await _post(client, {"day": "2027-01-04", "kind": "tutup", "note": "Banjir"})
    await _post(client, {"day": "2027-01-04", "kind": "tutup", "note": "Banjir besar"})
    rows = await LocalCalendarDay.select(LocalCalendarDay.note, LocalCalendarDay.changed_by)
    assert rows == [{"note": "Banjir besar", "changed_by": staff.admin}]


async def test_an_estimated_holiday_can_be_opened(client, staff):
    # 10 March 2027: Idul Fitri as the package estimates it; say the government set another day.
    day = dt.date(2027, 3, 10)
    assert not workdays.is_working_day(day)
    await login(client, staff.admin)
    response = await _post(
        client, {"day": day.isoformat(), "kind": "buka", "note": "Idul Fitri ditetapkan 11 Maret"}
    )
    assert response.status_code == 303
    assert workdays.is_working_day(day)


async def test_removing_an_entry_that_is_gone_says_so(client, staff):
    await login(client, staff.admin)
    response = await _post(client, {}, path=f"{PAGE}/999/hapus")
    assert response.status_code == 404 and "sudah tidak ada" in response.text


async def test_another_processs_edit_is_seen_after_the_next_refresh(app):
    """What another worker wrote reaches this process's calendar within the refresh interval
    (here 0.05 s), not before."""
    day = dt.date(2027, 2, 2)
    await LocalCalendarDay.insert(
        LocalCalendarDay(
            day=day,
            closed=True,
            note="Kantor tutup",
            changed_by="admin",
            changed_at=dt.datetime.now(dt.UTC),
        )
    )  # written straight to the table, as another process's save would be
    assert workdays.is_working_day(day)
    stop = asyncio.Event()
    task = asyncio.create_task(service.keep_fresh(stop, interval=0.05))
    try:
        for _ in range(100):
            if not workdays.is_working_day(day):
                break
            await asyncio.sleep(0.02)
        assert not workdays.is_working_day(day)
    finally:
        stop.set()
        await task
    assert await service.refresh() is False  # nothing new since


async def test_sla_shares_and_overdue_marks_count_christmas_and_its_cuti_bersama(app, staff):
    """Taken Wednesday 23 December 2026 with one working day: due Monday 28 December (24 is
    cuti bersama, 25 Natal, then the weekend), so ready on the 28th is on time."""
    from sodamolek.dashboard import service as dashboard
    from sodamolek.regions.service import find_kelurahan

    taken = dt.datetime(2026, 12, 23, 10, tzinfo=WITA)
    on_time, late, still_open = [await make_request(staff.operator, taken) for _ in range(3)]
    assert (await _due(on_time["id"])).astimezone(WITA) == dt.datetime(
        2026, 12, 28, 10, tzinfo=WITA
    )
    await make_ready(
        on_time, staff.operator, staff.lurah, dt.datetime(2026, 12, 28, 9, tzinfo=WITA)
    )
    await make_ready(late, staff.operator, staff.lurah, dt.datetime(2026, 12, 29, 9, tzinfo=WITA))

    oebobo = (await find_kelurahan("53.71.04.1001"))["id"]
    on_christmas = await dashboard.dashboard(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31), now=dt.datetime(2026, 12, 25, 12, tzinfo=WITA)
    )
    office = next(o for o in on_christmas.offices if o.id == oebobo)
    assert (office.ready, office.ready_on_time) == (2, 1)
    assert office.overdue == 0  # the open one is not late during the holidays
    on_the_30th = await dashboard.dashboard(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31), now=dt.datetime(2026, 12, 30, 12, tzinfo=WITA)
    )
    assert next(o for o in on_the_30th.offices if o.id == oebobo).overdue == 1
    (listed,) = on_the_30th.overdue
    assert listed["tracking_code"] == still_open["tracking_code"]
    assert listed["days_late"] == 2  # the 29th and the 30th, in working days
