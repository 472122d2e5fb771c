"""Offices: the admin sees every kelurahan office, the camat those of his kecamatan; the admin
edits the offices' details (address, hours, signer, letter number format, paper size)."""

from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from sodamolek.core.roles import Role, require_roles
from sodamolek.regions import service

ADMIN = require_roles(Role.ADMIN)
FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


@get("/kantor", guards=[require_roles(Role.ADMIN, Role.CAMAT)], name="offices")
async def offices(request: Request) -> Template:
    user = request.user
    kecamatan_id = user.kecamatan_id if user.role is Role.CAMAT else None
    return Template(
        "regions/offices.html", context={"offices": await service.list_offices(kecamatan_id)}
    )


@get("/admin/kantor", guards=[ADMIN], name="admin_offices")
async def admin_offices(
    disimpan: Annotated[str | None, QueryParameter(name="disimpan")] = None,
) -> Template:
    return Template(
        "regions/admin_offices.html",
        context={
            "kecamatan": await service.list_kecamatan(),
            "offices": await service.list_offices(),
            "saved": bool(disimpan),
        },
    )


def _kelurahan_page(office: dict, values: dict, errors: dict, status: int = 200) -> Template:
    return Template(
        "regions/kelurahan_form.html",
        context={
            "office": office,
            "values": values,
            "errors": errors,
            "paper_sizes": service.PAPER_SIZES,
            "placeholders": service.NUMBER_PLACEHOLDERS,
        },
        status_code=status,
    )


@get("/admin/kantor/kelurahan/{office_id:int}", guards=[ADMIN], name="admin_kelurahan")
async def kelurahan_form(office_id: FromPath[int]) -> Template:
    office = await service.get_kelurahan(office_id)
    if office is None:
        raise NotFoundException()
    return _kelurahan_page(office, office, {})


@post("/admin/kantor/kelurahan/{office_id:int}", guards=[ADMIN], status_code=200)
async def save_kelurahan(office_id: FromPath[int], data: FormBody) -> Template | Redirect:
    office = await service.get_kelurahan(office_id)
    if office is None:
        raise NotFoundException()
    try:
        await service.update_kelurahan(office_id, data)
    except service.OfficeInvalid as invalid:
        return _kelurahan_page(office, dict(data), invalid.errors, 422)
    return Redirect("/admin/kantor?disimpan=1", status_code=303)


def _kecamatan_page(office: dict, values: dict, errors: dict, status: int = 200) -> Template:
    return Template(
        "regions/kecamatan_form.html",
        context={"office": office, "values": values, "errors": errors},
        status_code=status,
    )


@get("/admin/kantor/kecamatan/{office_id:int}", guards=[ADMIN], name="admin_kecamatan")
async def kecamatan_form(office_id: FromPath[int]) -> Template:
    office = await service.get_kecamatan(office_id)
    if office is None:
        raise NotFoundException()
    return _kecamatan_page(office, office, {})


@post("/admin/kantor/kecamatan/{office_id:int}", guards=[ADMIN], status_code=200)
async def save_kecamatan(office_id: FromPath[int], data: FormBody) -> Template | Redirect:
    office = await service.get_kecamatan(office_id)
    if office is None:
        raise NotFoundException()
    try:
        await service.update_kecamatan(office_id, data)
    except service.OfficeInvalid as invalid:
        return _kecamatan_page(office, dict(data), invalid.errors, 422)
    return Redirect("/admin/kantor?disimpan=1", status_code=303)
