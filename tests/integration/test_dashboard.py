"""The dashboard: who may see what, the date range, the figures, the CSV, the rollup."""

import csv
import datetime as dt
import io
import re

import pytest

from sodamolek.core.formatting import to_wita
from sodamolek.dashboard import service as dashboard
from sodamolek.letter_requests import rollup, workdays
from sodamolek.letter_requests.tables import OfficeDay
from sodamolek.regions.service import find_kecamatan, find_kelurahan
from tests.conftest import login
from tests.integration.city import make_collected, make_ready, make_request

NOW = dt.datetime.now(dt.UTC)
OEBOBO = "53.71.04.1001"
NAMOSAIN = "53.71.01.1001"


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 403), ("lurah", 403), ("camat", 200), ("admin", 200)]
)
@pytest.mark.parametrize("path", ["/dasbor", "/dasbor/kantor.csv", "/dasbor/harian.csv"])
async def test_role_matrix(client, staff, who, status, path):
    await login(client, getattr(staff, who))
    response = await client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "Akses ditolak" in response.text


async def test_anonymous_is_sent_to_login(client):
    response = await client.get("/dasbor")
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/masuk")


async def test_camat_sees_only_his_kecamatan_and_404_for_another(client, staff):
    await make_request(staff.operator, NOW - dt.timedelta(days=1))  # Oebobo, kec. Oebobo
    await make_request(staff.other_operator, NOW - dt.timedelta(days=1))  # Namosain, kec. Alak
    await login(client, staff.camat)
    page = await client.get("/dasbor")
    assert page.status_code == 200
    assert "Kecamatan Oebobo" in page.text
    assert f'id="kantor-{OEBOBO}"' in page.text
    assert f'id="kantor-{NAMOSAIN}"' not in page.text
    assert re.search(r'id="total-baru">1<', page.text)
    assert (await client.get("/dasbor?kecamatan=53.71.04")).status_code == 200
    for other in ["53.71.01", "Alak", "99.99.99"]:
        assert (await client.get(f"/dasbor?kecamatan={other}")).status_code == 404
        assert (await client.get(f"/dasbor/kantor.csv?kecamatan={other}")).status_code == 404


async def test_admin_sees_the_city_or_one_kecamatan(client, staff):
    await make_request(staff.operator, NOW - dt.timedelta(days=1))
    await make_request(staff.other_operator, NOW - dt.timedelta(days=1))
    await login(client, staff.admin)
    city = await client.get("/dasbor")
    assert f'id="kantor-{OEBOBO}"' in city.text and f'id="kantor-{NAMOSAIN}"' in city.text
    assert city.text.count('<tr id="kantor-') == 51
    assert re.search(r'id="total-baru">2<', city.text)
    alak = await client.get("/dasbor?kecamatan=53.71.01")
    assert f'id="kantor-{NAMOSAIN}"' in alak.text and f'id="kantor-{OEBOBO}"' not in alak.text
    assert (await client.get("/dasbor?kecamatan=99.99.99")).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("dari=2026-05-10&sampai=2026-05-01", "Tanggal awal harus sebelum"),
        ("dari=2021-01-01&sampai=2024-01-01", "paling lama 2 tahun"),
        ("dari=1900-01-01&sampai=1900-01-31", "paling awal"),
        ("dari=kemarin", "format TTTT-BB-HH"),
        ("dari=2026-02-30", "format TTTT-BB-HH"),
        ("sampai=2999-01-01", "tidak boleh melewati hari ini"),
    ],
)
async def test_bad_ranges_get_a_clear_message(client, staff, query, message):
    await login(client, staff.admin)
    page = await client.get(f"/dasbor?{query}")
    assert page.status_code == 422
    assert message in page.text
    assert 'id="total-baru"' not in page.text  # no figures for a refused range
    exported = await client.get(f"/dasbor/kantor.csv?{query}")
    assert exported.status_code == 422 and message in exported.text


async def test_figures_rollup_and_csv_agree(client, staff):
    oebobo = await find_kelurahan(OEBOBO)
    # Three received 5 or more days ago: one ready after 3 hours (in time), one after 3 days
    # (late, the letter type's service time is 1 working day), one still open and overdue.
    # Received on a working day followed by another, so the due time is exactly a day later
    # whatever holidays lie around today.
    base = next(
        NOW - dt.timedelta(days=back)
        for back in range(5, 20)
        if all(
            workdays.is_working_day(to_wita(NOW - dt.timedelta(days=back - ahead)).date())
            for ahead in (0, 1)
        )
    )
    fast = await make_request(staff.operator, base)
    slow = await make_request(staff.operator, base)
    await make_request(staff.operator, base)
    await make_ready(fast, staff.operator, staff.lurah, base + dt.timedelta(hours=3))
    await make_collected(slow, staff.operator, staff.lurah, base + dt.timedelta(days=3))
    await make_request(staff.other_operator, NOW - dt.timedelta(days=40))  # outside the range

    data = await dashboard.dashboard(
        rollup.local_day(NOW) - dt.timedelta(days=29), rollup.local_day(NOW)
    )
    office = next(o for o in data.offices if o.id == oebobo["id"])
    assert (office.created, office.ready, office.ready_on_time, office.overdue) == (3, 2, 1, 1)
    assert office.on_time_share == 0.5
    assert 2 <= office.median_hours <= 72
    assert office.statuses["ready"] == 1 and office.statuses["collected"] == 1
    assert office.statuses["in_review"] == 1
    assert data.total.created == 3  # Namosain's request is older than the range
    assert [r["tracking_code"] for r in data.overdue] != []

    # The incremental rollup equals a recount from the requests.
    before = await _rollup()
    assert await rollup.rebuild_rollup(batch=2) == len(before)
    assert await _rollup() == before

    await login(client, staff.admin)
    page = await client.get("/dasbor")
    row = re.search(rf'<tr id="kantor-{re.escape(OEBOBO)}">(.*?)</tr>', page.text, re.S).group(1)
    shown = dict(re.findall(r'data-kolom="(\w+)">([^<]*)<', row))
    exported = await client.get("/dasbor/kantor.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    # For a spreadsheet in Indonesian: a byte-order mark, ";" between cells, decimal commas,
    # headers in words and the statuses by their labels.
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 52  # 51 offices and the total
    line = next(r for r in rows if r["Kode kelurahan"] == OEBOBO)
    assert shown["baru"] == line["Permohonan baru"] == "3"
    assert shown["selesai"] == line["Selesai"] == "2"
    assert shown["terlambat"] == line["Terlambat saat ini"] == "1"
    assert shown["tepat"] == line["Persen tepat waktu"] + "%" == "50,0%"
    assert line["Sedang Diperiksa"] == "1" and line["Sudah Diambil"] == "1"
    assert not any(key.islower() and "_" in key for key in line)  # no code names as headers
    total = rows[-1]
    assert total["Kelurahan"] == "Jumlah" and total["Permohonan baru"] == "3"
    assert re.search(r'id="total-baru">3<', page.text)

    exported_days = (await client.get("/dasbor/harian.csv")).text.lstrip("\ufeff")
    days = list(csv.DictReader(io.StringIO(exported_days), delimiter=";"))
    assert len(days) == 30
    assert sum(int(d["Permohonan baru"]) for d in days) == 3
    assert sum(int(d["Selesai"]) for d in days) == 2
    assert "<svg" in page.text and "<polyline" in page.text
    assert "style=" not in page.text  # the CSP forbids inline style: charts use classes


async def test_overdue_list_has_no_personal_data(client, staff):
    request = await make_request(staff.operator, NOW - dt.timedelta(days=10))
    await login(client, staff.camat)
    page = await client.get("/dasbor")
    assert request["tracking_code"] in page.text
    assert "Maria" not in page.text and "5371045708900003" not in page.text


async def test_range_selects_days(client, staff):
    day = NOW - dt.timedelta(days=100)
    await make_request(staff.operator, day)
    await login(client, staff.admin)
    local = rollup.local_day(day)
    inside = await client.get(f"/dasbor?dari={local}&sampai={local}")
    assert re.search(r'id="total-baru">1<', inside.text)
    before = local - dt.timedelta(days=1)
    outside = await client.get(f"/dasbor?dari={before}&sampai={before}")
    assert re.search(r'id="total-baru">0<', outside.text)


async def test_rollup_rolls_back_with_the_status_change(app, staff):
    """The rollup is written in the status change's transaction: when a later effect fails,
    neither the move nor the rollup's increment stays."""
    from sodamolek.letter_requests import effects, service
    from sodamolek.letter_requests.lifecycle import By
    from tests.integration.city import user

    request = await make_request(staff.operator, NOW - dt.timedelta(hours=5))
    await service.change_status(await user(staff.operator), request["id"], "awaiting_signature")
    before = await _rollup()

    async def failing(change):
        raise RuntimeError("a later effect failed")

    everything = effects.EFFECTS
    effects.EFFECTS = (*everything, failing)
    try:
        with pytest.raises(RuntimeError):
            await service.change_status(
                await user(staff.lurah), request["id"], "ready", by=By.SIGNATURE
            )
    finally:
        effects.EFFECTS = everything
    assert await _rollup() == before
    assert (await service.find_by_tracking_code(request["tracking_code"]))["status"] == (
        "awaiting_signature"
    )
    await service.change_status(await user(staff.lurah), request["id"], "ready", by=By.SIGNATURE)
    assert sum(r["ready"] for r in await _rollup()) == 1


async def test_kecamatan_scope_helper(app, staff):
    from tests.integration.city import user

    camat = await user(staff.camat)
    own = await find_kecamatan("53.71.04")
    assert (await dashboard.resolve_scope(camat, None))["id"] == own["id"]
    with pytest.raises(dashboard.ScopeNotFound):
        await dashboard.resolve_scope(camat, "53.71.01")
    with pytest.raises(dashboard.ScopeNotFound):
        await dashboard.resolve_scope(await user(staff.operator), None)
    assert await dashboard.resolve_scope(await user(staff.admin), None) is None


async def _rollup():
    rows = await OfficeDay.select().order_by(OfficeDay.kelurahan).order_by(OfficeDay.day)
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]
