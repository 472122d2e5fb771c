"""Offices: the admin sees every kelurahan office, the camat those of his kecamatan."""

from litestar import Request, get
from litestar.response import Template

from sodamolek.accounts.guards import require_roles
from sodamolek.accounts.roles import Role
from sodamolek.regions import service


@get("/kantor", guards=[require_roles(Role.ADMIN, Role.CAMAT)], name="offices")
async def offices(request: Request) -> Template:
    user = request.user
    kecamatan_id = user.kecamatan_id if user.role is Role.CAMAT else None
    return Template(
        "regions/offices.html", context={"offices": await service.list_offices(kecamatan_id)}
    )
