"""The buku register surat keluar: the page (search, filter by type and month) and its exports
(CSV and XLSX with Indonesian headers). Office staff see their own office; a camat an office of
the kecamatan, the admin any office (chosen with ?kantor=<kode>)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Template

from sodamolek.core.formatting import WITA
from sodamolek.core.http import user_error
from sodamolek.core.roles import Role, require_roles
from sodamolek.issuing import register
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions

STAFF = require_roles(Role.OPERATOR, Role.LURAH, Role.CAMAT, Role.ADMIN)
PATH = "/buku-register"
NO_STORE = {"Cache-Control": "no-store"}


async def _office(request: Request, kantor: str | None) -> dict:
    user = request.user
    if user.role in (Role.OPERATOR, Role.LURAH):
        office = await regions.get_kelurahan(user.kelurahan_id)
    elif kantor:
        office = await regions.find_kelurahan(kantor)
        if office and user.role is Role.CAMAT and office["kecamatan"] != user.kecamatan_id:
            office = None
    else:
        raise user_error(NotFoundException, "Pilih kantor kelurahan: ?kantor=<kode kelurahan>.")
    if office is None:
        raise user_error(NotFoundException, "Kantor kelurahan tidak ditemukan.")
    return office


def _year(tahun: int | None) -> int:
    return tahun or dt.datetime.now(WITA).year


async def _register(request, kantor, tahun, jenis, bulan, cari):
    office = await _office(request, kantor)
    if tahun is not None and not 2000 <= tahun <= 2100:
        raise user_error(NotFoundException, "Tahun 2000–2100.")
    if bulan is not None and not 1 <= bulan <= 12:
        raise user_error(NotFoundException, "Bulan 1–12.")
    built = await register.build_register(
        office["id"], _year(tahun), letter_type=jenis or "", month=bulan, search=(cari or "")[:100]
    )
    return office, built


Year = Annotated[int | None, QueryParameter(name="tahun")]
Month = Annotated[int | None, QueryParameter(name="bulan")]
Text = Annotated[str | None, QueryParameter(name="cari", max_length=100)]
Type = Annotated[str | None, QueryParameter(name="jenis", max_length=32)]
Office = Annotated[str | None, QueryParameter(name="kantor", max_length=32)]


@get(PATH, guards=[STAFF], name="letter_register")
async def register_page(
    request: Request, kantor: Office = None, tahun: Year = None, jenis: Type = None,
    bulan: Month = None, cari: Text = None,
) -> Template:  # fmt: skip
    office, built = await _register(request, kantor, tahun, jenis, bulan, cari)
    return Template(
        "issuing/register.html",
        context={
            "office": office,
            "register": built,
            "types": await letters.list_letter_types(False),
            "filters": {
                "kantor": kantor or "",
                "tahun": built.year,
                "jenis": jenis or "",
                "bulan": bulan or "",
                "cari": cari or "",
            },
        },  # fmt: skip
        headers=NO_STORE,
    )


@get(PATH + ".csv", guards=[STAFF], name="letter_register_csv")
async def register_csv(
    request: Request, kantor: Office = None, tahun: Year = None, jenis: Type = None,
    bulan: Month = None, cari: Text = None,
) -> Response:  # fmt: skip
    office, built = await _register(request, kantor, tahun, jenis, bulan, cari)
    name = f"register-surat-{office['code']}-{built.year}.csv"
    return Response(
        register.register_csv(built), media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@get(PATH + ".xlsx", guards=[STAFF], name="letter_register_xlsx")
async def register_xlsx(
    request: Request, kantor: Office = None, tahun: Year = None, jenis: Type = None,
    bulan: Month = None, cari: Text = None,
) -> Response:  # fmt: skip
    office, built = await _register(request, kantor, tahun, jenis, bulan, cari)
    name = f"register-surat-{office['code']}-{built.year}.xlsx"
    return Response(
        register.register_xlsx(built, f"Kelurahan {office['name']}"),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
