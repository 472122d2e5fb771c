"""The admin's page of working days: the national holidays and cuti bersama of a year, the
city's own closures and openings, and the next days as this server counts them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from sodamolek.core.formatting import WITA
from sodamolek.core.roles import Role, require_roles
from sodamolek.letter_requests import workdays
from sodamolek.workcalendar import service

ADMIN = require_roles(Role.ADMIN)
FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
DAYS_AHEAD = 14
DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def _today() -> dt.date:
    return dt.datetime.now(WITA).date()


def _year(raw: str | None) -> tuple[int, str]:
    if raw is None or raw == "":
        return _today().year, ""
    if raw.isdigit() and service.FIRST_YEAR <= int(raw) <= service.LAST_YEAR:
        return int(raw), ""
    return _today().year, (
        f"Tahun {raw[:10]!r} tidak valid (harus {service.FIRST_YEAR}–{service.LAST_YEAR}): "
        "ditampilkan tahun ini."
    )


async def _page(
    year: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    notice: str = "",
    problem: str = "",
    status: int = 200,
) -> Template:
    calendar = workdays.current()
    local = await service.list_local_days(year)
    overridden = {row["day"] for row in local}
    national = [
        {
            "day": day,
            "name": name,
            "weekday": DAY_NAMES[day.weekday()],
            "overridden": day in overridden,
        }
        for day, name in workdays.national_holidays(year).items()
    ]
    today = _today()
    ahead = [today + dt.timedelta(days=n) for n in range(DAYS_AHEAD)]
    return Template(
        "workcalendar/admin_days.html",
        context={
            "year": year,
            "local_days": local,
            "national": national,
            "ahead": [
                {
                    "day": d,
                    "weekday": DAY_NAMES[d.weekday()],
                    "closed_because": calendar.closure_reason(d),
                }
                for d in ahead
            ],
            "values": values or {"kind": "tutup"},
            "errors": errors or {},
            "notice": notice,
            "problem": problem,
        },
        status_code=status,
    )


def _moved_notice(what: str, moved: int) -> str:
    if not moved:
        return f"{what} Tidak ada permohonan berjalan yang batas waktunya berubah."
    return f"{what} Batas waktu {moved} permohonan yang masih berjalan disesuaikan."


@get("/admin/hari-libur", guards=[ADMIN], name="admin_work_calendar")
async def work_calendar(
    tahun: Annotated[str | None, QueryParameter(name="tahun")] = None,
    disimpan: Annotated[str | None, QueryParameter(name="disimpan")] = None,
    dihapus: Annotated[str | None, QueryParameter(name="dihapus")] = None,
    digeser: Annotated[str | None, QueryParameter(name="digeser")] = None,
) -> Template:
    year, problem = _year(tahun)
    moved = int(digeser) if digeser and digeser.isdigit() else 0
    notice = ""
    if disimpan:
        notice = _moved_notice("Hari sudah disimpan.", moved)
    elif dihapus:
        notice = _moved_notice("Hari sudah dihapus: berlaku kalender nasional.", moved)
    return await _page(year, notice=notice, problem=problem)


@post("/admin/hari-libur", guards=[ADMIN], status_code=200)
async def save_day(request: Request, data: FormBody) -> Template | Redirect:
    try:
        change = await service.save_local_day(data, changed_by=request.user.username)
    except service.CalendarDayInvalid as invalid:
        year, _ = _year((data.get("day") or "")[:4])
        return await _page(year, values=dict(data), errors=invalid.errors, status=422)
    return Redirect(
        f"/admin/hari-libur?tahun={change.day.year}&disimpan=1&digeser={change.requests_moved}",
        status_code=303,
    )


@post("/admin/hari-libur/{entry_id:int}/hapus", guards=[ADMIN], status_code=303)
async def remove_day(entry_id: FromPath[int]) -> Template | Redirect:
    change = await service.remove_local_day(entry_id)
    if change is None:
        return await _page(_today().year, problem="Hari itu sudah tidak ada.", status=404)
    return Redirect(
        f"/admin/hari-libur?tahun={change.day.year}&dihapus=1&digeser={change.requests_moved}",
        status_code=303,
    )
