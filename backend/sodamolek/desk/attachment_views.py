"""A request's attachments for its office's staff: read one, or add photos at the counter with
the same photo component residents use at /ajukan. Here rather than in attachments/: reading
one is scoped by the request's office, which this domain owns."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sodamolek.attachments import service
from sodamolek.core.roles import Role, require_roles
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.channels import Channel
from sodamolek.letters import service as letters

COUNTER = require_roles(Role.OPERATOR, Role.LURAH)
MAX_BODY = service.MAX_FILES * service.MAX_FILE_BYTES + 64 * 1024


async def _scoped_request(request: Request, request_id: int) -> dict:
    """The request if it is in the reader's offices; 404 otherwise (same answer either way)."""
    try:
        return await requests.get_request(request.user, request_id)
    except requests.RequestNotFound:
        raise NotFoundException() from None


@get(
    "/permohonan/{request_id:int}/lampiran/{attachment_id:int}",
    guards=[COUNTER],  # the office's own staff: not the camat's or the city's overview
    name="attachment",
    include_in_schema=False,
)
async def read_attachment(
    request: Request, request_id: FromPath[int], attachment_id: FromPath[int]
) -> Response:
    await _scoped_request(request, request_id)
    found = await service.read(request_id, attachment_id, request.app.state.settings.data_dir)
    if found is None:
        raise NotFoundException()
    row, data = found
    extension = "pdf" if row["media_type"] == service.PDF else "jpg"
    disposition = "attachment" if row["media_type"] == service.PDF else "inline"
    filename = f"lampiran-{attachment_id}.{extension}"
    return Response(
        data,
        media_type=row["media_type"],
        headers={
            # A resident's KTP or KK: never in a shared or the browser's disk cache.
            "Cache-Control": "no-store",
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@post(
    "/permohonan/{request_id:int}/lampiran",
    guards=[COUNTER],
    name="attach_at_counter",
    request_max_body_size=MAX_BODY,
    include_in_schema=False,
)
async def attach_at_counter(request: Request, request_id: FromPath[int]) -> Response | Template:
    item = await _scoped_request(request, request_id)
    try:
        form = await request.form()
        uploads = []
        letter_type = await letters.get_letter_type(item["letter_type_code"]) or {}
        for index, requirement in enumerate(
            (letter_type.get("requirements") or [])[: service.MAX_FILES]
        ):
            for upload in form.getall(f"foto_{index}", []):
                if isinstance(upload, UploadFile) and upload.filename:
                    uploads.append((requirement, await upload.read(service.MAX_FILE_BYTES + 1)))
        files = await service.clean_files_in_thread(uploads)
        await service.attach(
            request_id,
            files,
            request.app.state.settings.data_dir,
            Channel.COUNTER.value,
            uploaded_by=request.user.id,
        )
    except (service.FileRefused, ClientException) as refused:
        text = str(refused) if isinstance(refused, service.FileRefused) else None
        return Template(
            "errors/error.html",
            context={
                "status": 422,
                "title": "Lampiran tidak disimpan",
                "text": text or "Formulir tidak terbaca. Muat ulang halaman lalu kirim lagi.",
            },
            status_code=422,
        )
    return Redirect(f"/permohonan/{request_id}#lampiran", status_code=303)
