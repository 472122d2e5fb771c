"""The counter's NIK check: the registry's answer for the applicant inputs of the request form."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from sodamolek.core.roles import Role, require_roles
from sodamolek.people import service

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


# POST, not GET: a NIK in a query string would end up in access logs and browser history.
@post(
    "/penduduk/cek-nik",
    guards=[require_roles(Role.OPERATOR, Role.LURAH)],
    status_code=200,  # an invalid NIK too: htmx swaps only 2xx here, and the reason must show
    name="check_nik",
    include_in_schema=False,
)
async def check_nik(request: Request, data: FormBody) -> Template:
    # `nik` when posted on its own; `applicant_nik` when htmx posts the request form around it.
    nik_text = data.get("nik") or data.get("applicant_nik") or ""
    lookup = await service.lookup_applicant(request.app.state.registry, nik_text)
    # Only a status element comes back, never the inputs: swapping those would replace the one
    # the operator is typing in (a keystroke lost, what was typed meanwhile gone). The values
    # ride along in it, and js/applicant-lookup.js fills the empty inputs with them.
    return Template(
        "people/_lookup_result.html",
        context={
            "lookup": lookup,
            "nik": service.answered_nik(lookup, nik_text),
            "values": service.registry_values(lookup),
        },
        headers={"Cache-Control": "no-store"},  # personal data
    )
