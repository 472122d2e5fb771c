"""/dasbor for the admin (the city, or one kecamatan) and the camat (his kecamatan), and its CSV
export with the same figures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Request, Response, get
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import QueryParameter
from litestar.response import Template

from sodamolek.core.formatting import format_percent
from sodamolek.core.http import user_error
from sodamolek.core.roles import Role, require_roles
from sodamolek.dashboard import charts, export, service
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letter_requests.rollup import local_day
from sodamolek.regions import service as regions

DASHBOARD = require_roles(Role.ADMIN, Role.CAMAT)


def _arg(value: str | None) -> str | None:
    return value[:40] if value else None


async def _figures(request: Request, dari, sampai, kecamatan):
    """(dashboard, None) or (None, the range's error); 404 for a kecamatan out of reach."""
    try:
        scope = await service.resolve_scope(request.user, _arg(kecamatan))
    except service.ScopeNotFound:
        raise NotFoundException() from None
    today = local_day(dt.datetime.now(dt.UTC))
    try:
        start, end = service.parse_range(_arg(dari), _arg(sampai), today)
    except service.RangeInvalid as invalid:
        return scope, None, str(invalid)
    return scope, await service.dashboard(start, end, scope), None


@get("/dasbor", guards=[DASHBOARD], name="dashboard")
async def dashboard_page(
    request: Request,
    dari: Annotated[str | None, QueryParameter(name="dari")] = None,
    sampai: Annotated[str | None, QueryParameter(name="sampai")] = None,
    kecamatan: Annotated[str | None, QueryParameter(name="kecamatan")] = None,
) -> Template:
    scope, data, error = await _figures(request, dari, sampai, kecamatan)
    context = {
        "data": data,
        "error": error,
        "scope": scope,
        "Status": Status,
        "form": {
            "dari": _arg(dari) or "",
            "sampai": _arg(sampai) or "",
            "kecamatan": scope["code"] if scope else "",
        },
        "kecamatan_options": await regions.list_kecamatan()
        if request.user.role is Role.ADMIN
        else [],
    }
    if data is None:
        return Template("dashboard/dashboard.html", context=context, status_code=422)
    if not context["form"]["dari"]:
        context["form"] |= {"dari": data.start.isoformat(), "sampai": data.end.isoformat()}
    context["query"] = f"dari={data.start.isoformat()}&sampai={data.end.isoformat()}" + (
        f"&kecamatan={scope['code']}" if scope else ""
    )
    context["daily_chart"] = charts.line_chart(
        data.days,
        [
            ("series-created", "Permohonan baru", [d.created for d in data.days]),
            ("series-ready", "Selesai (siap diambil)", [d.ready for d in data.days]),
        ],
    )
    ranked = sorted(
        data.offices, key=lambda o: (o.on_time_share is None, o.on_time_share or 0, o.name)
    )
    context["on_time_chart"] = charts.share_bars(
        [(o.name, o.on_time_share, format_percent(o.on_time_share)) for o in ranked]
    )
    return Template("dashboard/dashboard.html", context=context)


@get("/dasbor/kantor.csv", guards=[DASHBOARD], name="dashboard_offices_csv")
async def offices_csv(
    request: Request,
    dari: Annotated[str | None, QueryParameter(name="dari")] = None,
    sampai: Annotated[str | None, QueryParameter(name="sampai")] = None,
    kecamatan: Annotated[str | None, QueryParameter(name="kecamatan")] = None,
) -> Response:
    return await _csv(request, dari, sampai, kecamatan, "kantor", export.offices_csv)


@get("/dasbor/harian.csv", guards=[DASHBOARD], name="dashboard_days_csv")
async def days_csv(
    request: Request,
    dari: Annotated[str | None, QueryParameter(name="dari")] = None,
    sampai: Annotated[str | None, QueryParameter(name="sampai")] = None,
    kecamatan: Annotated[str | None, QueryParameter(name="kecamatan")] = None,
) -> Response:
    return await _csv(request, dari, sampai, kecamatan, "harian", export.days_csv)


async def _csv(request, dari, sampai, kecamatan, kind, render) -> Response:
    scope, data, error = await _figures(request, dari, sampai, kecamatan)
    if data is None:
        raise user_error(HTTPException, error, status_code=422)
    where = f"kec-{scope['code']}" if scope else "kota"
    name = f"dasbor-{kind}-{where}-{data.start.isoformat()}-{data.end.isoformat()}.csv"
    return Response(
        content=render(data).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
