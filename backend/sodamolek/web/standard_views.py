"""Public pages /layanan and /layanan/{jenis}: the published service standard of every letter
type (no login). Kept apart from the admin's letter-type pages."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from sodamolek.letters import service
from sodamolek.web.standard import build_standard


@get("/layanan", exclude_from_auth=True, name="standards")
async def standards(request: Request) -> Template:
    channel = request.app.state.settings.complaints_channel
    items = [build_standard(t, channel) for t in await service.list_letter_types()]
    return Template("letters/standards.html", context={"standards": items})


@get("/layanan/{code:str}", exclude_from_auth=True, name="standard")
async def standard(request: Request, code: FromPath[str]) -> Template:
    letter_type = await service.get_letter_type(code[:32])
    if letter_type is None or not letter_type["is_active"]:
        raise NotFoundException()
    channel = request.app.state.settings.complaints_channel
    return Template("letters/standard.html", context={"s": build_standard(letter_type, channel)})
