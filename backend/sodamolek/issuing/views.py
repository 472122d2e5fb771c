"""The lurah's signing desk, the camat's countersign, letter PDFs, revocation, and the public
verification page."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Template

from sodamolek.core import ratelimit
from sodamolek.core.roles import Role, require_roles
from sodamolek.documents import drawing, signing
from sodamolek.issuing import service
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letters import service as letters
from sodamolek.tte import service as tte

Form = Annotated[dict[str, str | list[str]], Body(media_type=RequestEncodingType.URL_ENCODED)]
LURAH = require_roles(Role.LURAH)
CAMAT = require_roles(Role.CAMAT)
STAFF = require_roles(Role.OPERATOR, Role.LURAH, Role.CAMAT, Role.ADMIN)
VERIFY_LIMIT = ratelimit.Limit(hits=30, seconds=60)


def _ids(form: dict, key: str = "ids") -> list[int]:
    value = form.get(key, [])
    values = value if isinstance(value, list) else [value]
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url


@get("/tanda-tangan", guards=[LURAH], name="signing_desk")
async def signing_desk(request: Request) -> Template:
    return await _desk(request)


async def _desk(request: Request, result: service.BatchResult | None = None, status=200):
    queue = await requests.queue(
        request.user, status=Status.AWAITING_SIGNATURE.value, page_size=200
    )
    return Template(
        "issuing/desk.html", context={"queue": queue, "result": result}, status_code=status
    )


@post("/tanda-tangan", guards=[LURAH], status_code=200)
async def sign(request: Request, data: Form) -> Template:
    """Sign the ticked requests (one or many); the page lists what was signed and what not."""
    ids = _ids(data)
    if not ids:
        nothing = service.BatchResult(refused={0: "Pilih surat yang akan ditandatangani."})
        return await _desk(request, nothing, 422)
    # The passphrase is proved before anything is numbered: a wrong one signs nothing.
    session = await _signing_session(request, data)
    if isinstance(session, Template):
        return session
    result = await service.sign_batch(
        request.user,
        ids,
        request.app.state.signing_key,
        _base_url(request),
        session,
        unverified_confirmed=set(_ids(data, "unverified_ok")),
    )
    return await _desk(request, result, 200 if result.signed or not result.refused else 409)


async def _signing_session(request: Request, data: dict, camat: bool = False):
    """The signer's opened session for this batch, or the desk saying why not (the passphrase
    itself is never put back in the page or a log)."""
    passphrase = data.get("passphrase", "")
    try:
        return await tte.open_session(
            request.app.state.settings,
            request.user.id,
            passphrase if isinstance(passphrase, str) else "",
        )
    except tte.SigningUnavailable as refused:
        status = 429 if isinstance(refused, tte.SigningThrottled) else 422
        if camat:
            page = await _camat_desk(request, errors=[str(refused)], status=status)
        else:
            page = await _desk(request, service.BatchResult(refused={0: str(refused)}), status)
        if isinstance(refused, tte.SigningThrottled):
            page.headers["Retry-After"] = str(refused.retry_after)
        return page


@get("/tanda-tangan/{request_id:int}/pratinjau", guards=[LURAH], name="preview")
async def preview(request: Request, request_id: FromPath[int]) -> Response:
    """The letter as it will print, without a number or a QR yet."""
    try:
        item = await requests.get_request(request.user, request_id)
    except requests.RequestNotFound:
        raise NotFoundException() from None
    letter_type = await service.letter_type_of(item)
    office = await service.office_of(item)
    try:
        nip = await service.signer_nip(request.user)
    except service.SigningRefused as refused:
        return _cannot_sign(str(refused))
    title = service.signature_title(office, nip)
    signer = {"nama": request.user.full_name, "jabatan": office["lurah_title"], "nip": nip}
    now = service._now()
    context = service.template_context(
        item, office, signer, "(nomor)", now, letter_type["validity_days"]
    )
    try:
        body = letters.render_letter_body(letter_type, context)
    except letters.MissingTemplateValue as missing:
        return _cannot_sign(
            f"Isian {', '.join(missing.missing)} kosong. Kembalikan permohonan ke pemeriksaan "
            "untuk dilengkapi."
        )
    except letters.LetterTemplateError as problem:
        return _cannot_sign(
            f"Templat jenis surat ini tidak dapat dipakai ({problem}). Minta admin kota "
            "memperbaikinya."
        )
    letter = {
        "number": None,
        "signed_at": now,
        "signer_title": title,
        "signer_name": signer["nama"],
        "signer_nip": nip,
        "paper_size": office["paper_size"],
        "verification_token": "",
    }
    document = service.letter_document(letter, item, office, body, _base_url(request))
    emblem = await letters.current_emblem()
    document = replace(document, verification_url=None, emblem=emblem)
    pdf = await drawing.letter_pdf(document)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": "inline; filename=pratinjau.pdf",
            "Cache-Control": "no-store",
        },
    )


def _cannot_sign(text: str) -> Template:
    return Template(
        "errors/error.html",
        status_code=409,
        context={"status": 409, "title": "Belum dapat ditandatangani", "text": text},
    )


@get("/tanda-tangan-camat", guards=[CAMAT], name="countersign_desk")
async def countersign_desk(request: Request) -> Template:
    return await _camat_desk(request)


async def _camat_desk(
    request: Request, done: list | None = None, errors: list | None = None, status: int = 200
) -> Template:
    return Template(
        "issuing/camat_desk.html",
        context={
            "letters": await service.awaiting_countersign(request.user),
            "done": done or [],
            "errors": errors or [],
        },
        status_code=status,
    )


@post("/tanda-tangan-camat", guards=[CAMAT], status_code=200)
async def countersign(request: Request, data: Form) -> Template:
    ids = _ids(data)
    if not ids:
        return await _camat_desk(request, errors=["Pilih surat yang akan ditandatangani."],
                                 status=422)  # fmt: skip
    session = await _signing_session(request, data, camat=True)
    if isinstance(session, Template):
        return session
    done, errors = [], []
    for letter_id in ids:
        try:
            done.append(
                await service.countersign(
                    request.user, letter_id, _base_url(request), session=session
                )
            )
        except service.LetterNotFound:
            errors.append("Surat tidak ditemukan.")
        except (service.SigningRefused, tte.SigningUnavailable) as refused:
            errors.append(str(refused))
    return await _camat_desk(request, done, errors, 409 if errors and not done else 200)


@get("/surat/{letter_id:int}/pdf", guards=[STAFF], name="letter_pdf")
async def letter_pdf(request: Request, letter_id: FromPath[int]) -> Response:
    try:
        letter, pdf = await service.letter_pdf(request.user, letter_id, _base_url(request))
    except service.LetterNotFound:
        raise NotFoundException() from None
    except service.SigningRefused as refused:
        return Template(
            "errors/error.html",
            status_code=409,
            context={"status": 409, "title": "PDF belum ada", "text": str(refused)},
        )
    filename = letter["number"].replace("/", "-") + ".pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@get("/verifikasi/{token:str}", exclude_from_auth=True, name="verify")
async def verify(request: Request, token: FromPath[str]) -> Template:
    address = request.client.host if request.client else "unknown"
    try:
        await ratelimit.hit(f"verifikasi:{address}", VERIFY_LIMIT)
    except ratelimit.RateLimited as limited:
        page = Template(
            "issuing/verify.html", context={"result": None, "limited": True}, status_code=429
        )
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    key = request.app.state.signing_key
    result = await service.verify_token(token, key.public_key())
    return Template(
        "issuing/verify.html",
        context={"result": result, "limited": False, "key_id": signing.key_id(key)},
        status_code=200 if result else 404,
        headers={"X-Robots-Tag": "noindex"},
    )


@get("/kunci-publik", exclude_from_auth=True, name="public_key")
async def public_key(request: Request) -> Response:
    """The public half of the signing key, so anyone can check a letter's signature."""
    key = request.app.state.signing_key
    return Response(
        {
            "key_id": signing.key_id(key),
            "algorithm": "Ed25519",
            "pem": signing.public_key_pem(key),
            "jwk": signing.public_jwk(key),
        },
        headers={"Cache-Control": "public, max-age=3600"},
    )
