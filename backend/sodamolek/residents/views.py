"""/ajukan: a resident applies from home. Public (no login), CSRF on, rate limited."""

from __future__ import annotations

import uuid

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from sodamolek.accounts.service import CurrentUser
from sodamolek.attachments import service as attachments
from sodamolek.core.roles import Role
from sodamolek.issuing.service import LetterNotFound, SigningRefused, letter_for_request, letter_pdf
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.channels import Channel
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letters import service as letters
from sodamolek.residents import service
from sodamolek.tracking import service as tracking
from sodamolek.tracking.views import status_page

# Every photo at its largest, and the form: a 50 MB upload stops at the door (413).
MAX_BODY = attachments.MAX_FILES * attachments.MAX_FILE_BYTES + 256 * 1024
IDENTITY_FIELDS = ("nik", "kk", "tanggal_lahir")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@get("/ajukan", exclude_from_auth=True, name="apply_choose")
async def choose(request: Request) -> Template:
    return Template(
        "residents/choose.html",
        context={"letter_types": await letters.list_letter_types()},
        headers={"Cache-Control": "no-cache"},
    )


async def _active_type(code: str) -> dict:
    letter_type = await letters.get_letter_type(code)
    if letter_type is None or not letter_type["is_active"]:
        raise NotFoundException()
    return letter_type


def _form(
    letter_type: dict,
    values: dict,
    errors: dict | None = None,
    refusal: str | None = None,
    status: int = 200,
    retry_after: int | None = None,
) -> Template:
    page = Template(
        "residents/form.html",
        context={
            "letter_type": letter_type,
            "values": values,
            "errors": errors or {},
            "refusal": refusal,
            "max_files": attachments.MAX_FILES,
        },
        status_code=status,
        # What the resident typed (NIK, KK) is on the page: never kept by a cache.
        headers={"Cache-Control": "no-store"},
    )
    if retry_after is not None:
        page.headers["Retry-After"] = str(retry_after)
    return page


@get("/ajukan/{code:str}", exclude_from_auth=True, name="apply_form")
async def form(code: FromPath[str]) -> Template:
    letter_type = await _active_type(code)
    return _form(letter_type, {"client_request_id": str(uuid.uuid4())})


async def _uploads(form_data, letter_type: dict) -> list[tuple[str, bytes]]:
    """The photos, one input per requirement (foto_0, foto_1, …), in the type's order."""
    files = []
    for index, requirement in enumerate(letter_type["requirements"][: attachments.MAX_FILES]):
        for upload in form_data.getall(f"foto_{index}", []):
            if isinstance(upload, UploadFile) and upload.filename:
                files.append((requirement, await upload.read(attachments.MAX_FILE_BYTES + 1)))
    return files


@post(
    "/ajukan/{code:str}",
    exclude_from_auth=True,
    name="apply",
    request_max_body_size=MAX_BODY,
    status_code=200,
)
async def apply(request: Request, code: FromPath[str]) -> Template | Redirect:
    letter_type = await _active_type(code)
    try:
        form_data = await request.form()
    except ClientException:  # a broken multipart body
        return _form(
            letter_type,
            {"client_request_id": str(uuid.uuid4())},
            refusal="Formulir tidak terbaca. Muat ulang halaman lalu kirim lagi.",
            status=400,
        )
    typed = {k: v for k, v in form_data.items() if isinstance(v, str)}
    values = {k: typed.get(k, "") for k in typed if k != "_csrf_token"}
    settings = request.app.state.settings
    try:
        await service.limit(f"ajukan:{_address(request)}", service.ADDRESS_LIMIT)
        identity, identity_errors = service.parse_identity(typed)
        phone = typed.get("applicant_phone", "").strip()
        if not phone:
            identity_errors["applicant_phone"] = "Nomor HP wajib diisi: untuk kabar permohonan."
        if identity is None or identity_errors:
            return _form(letter_type, values, identity_errors, status=422)
        await service.limit(service.nik_key(identity.nik, settings.secret_key), service.NIK_LIMIT)
        record = await service.identify(request.app.state.registry, identity)
        office = await service.office_of(record)
        files = await attachments.clean_files_in_thread(await _uploads(form_data, letter_type))
        submission = requests.Submission(
            client_request_id=typed.get("client_request_id", ""),
            letter_type=letter_type["code"],
            applicant=service.applicant_from(record, phone),
            data={k.removeprefix("data."): v for k, v in typed.items() if k.startswith("data.")},
        )
        created = await requests.create_request(
            None,
            submission,
            service.KnownRecord(record),
            channel=Channel.RESIDENT,
            resident_kelurahan=office["id"],
        )
    except service.ApplicationRefused as refused:
        return _form(
            letter_type,
            values,
            refusal=refused.message,
            status=refused.status,
            retry_after=refused.retry_after,
        )
    except attachments.FileRefused as refused:
        return _form(letter_type, values, refusal=str(refused), status=422)
    except requests.RequestInvalid as invalid:
        beside = {k: v for k, v in invalid.errors.items() if _is_shown(k)}
        above = " ".join(v for k, v in invalid.errors.items() if not _is_shown(k)) or None
        return _form(letter_type, values, beside, refusal=above, status=422)
    except requests.IdempotencyConflict:
        return _form(
            letter_type,
            values | {"client_request_id": str(uuid.uuid4())},
            refusal="Formulir ini sudah pernah dikirim dengan isi lain. Periksa isian "
            "lalu kirim lagi.",
            status=409,
        )
    request_id = created.request["id"]
    await attachments.attach(request_id, files, settings.data_dir, Channel.RESIDENT.value)
    return Redirect(f"/lacak/{created.request['tracking_code']}?baru=1", status_code=303)


def _is_shown(key: str) -> bool:
    """Errors of create_request shown beside their field; any other (there should be none: the
    applicant comes from the registry) is shown at the top."""
    return key == "applicant_phone" or key.startswith("data.")


# ---------------------------------------------------------------------------------------------
# The signed letter on the phone


@post("/lacak/{code:str}/surat", exclude_from_auth=True, name="resident_letter", status_code=200)
async def letter(request: Request, code: FromPath[str]) -> Response | Template:
    """The signed PDF, for the birth date of the applicant (a form post: never in a URL)."""
    form_data = await request.form()
    typed = str(form_data.get("tanggal_lahir", "") or "")
    view = await tracking.track(code)
    if view is None:
        raise NotFoundException()
    try:
        await service.limit(f"surat:{_address(request)}", service.LETTER_LIMIT_ADDRESS)
        await service.limit(f"surat-kode:{view.code}", service.LETTER_LIMIT_CODE)
        if view.status not in (Status.READY, Status.COLLECTED):
            raise service.ApplicationRefused(service.LETTER_NOT_READY, status=409)
        item = await requests.find_by_tracking_code(view.code)
        service.check_birth_date(item or {}, typed)
        issued = await letter_for_request(view.request_id)
        if issued is None or issued.get("state") != "valid":
            raise service.ApplicationRefused(service.LETTER_AT_OFFICE, status=409)
        try:
            _, pdf = await letter_pdf(
                office_reader(issued["kelurahan"]),
                issued["id"],
                request.app.state.settings.base_url,
            )
        except (SigningRefused, LetterNotFound):
            raise service.ApplicationRefused(service.LETTER_AT_OFFICE, status=409) from None
    except service.ApplicationRefused as refused:
        page = status_page(view, refused.status, letter_error=refused.message)
        if refused.retry_after is not None:
            page.headers["Retry-After"] = str(refused.retry_after)
        return page
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Cache-Control": "no-store",  # it holds the full NIK
            "Content-Disposition": f'attachment; filename="surat-{view.code}.pdf"',
        },
    )


def office_reader(kelurahan_id: int) -> CurrentUser:
    """Reading the letter as its own office does, once the resident has proved the request is
    theirs (issuing's reads are scoped to an office)."""
    return CurrentUser(
        id=None,
        username="warga",
        full_name="Pemohon (lewat halaman lacak)",
        role=Role.OPERATOR,
        kelurahan_id=kelurahan_id,
        kecamatan_id=None,
        office_name="",
    )
