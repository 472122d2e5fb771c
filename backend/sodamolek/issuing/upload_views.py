"""POST /verifikasi: an uploaded letter PDF judged SAH, TIDAK SAH or DICABUT, from its PAdES
signatures (tte.service.examine_pdf: pyHanko's validator, the city CA, BSrE's roots) and the
letter's fate in our records (found by the hash of a signed revision, or the token its signature
carries)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.handlers import HTTPRouteHandler
from litestar.response import Template

from sodamolek.core import ratelimit
from sodamolek.issuing import service as issuing
from sodamolek.tte import service

VERIFY_UPLOAD_LIMIT = ratelimit.Limit(hits=20, seconds=60)
# The upload is read whole to be hashed and validated: refuse big bodies before they are read.
MAX_UPLOAD_BODY = 12 * 1024 * 1024


def _upload_page(status: int = 200, **context) -> Template:
    context.setdefault("outcome", None)
    return Template(
        "issuing/verify_upload.html",
        context=context,
        status_code=status,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


@get("/verifikasi", exclude_from_auth=True, name="verify_upload_form")
async def verify_upload_form() -> Template:
    return _upload_page()


@post(
    "/verifikasi",
    exclude_from_auth=True,
    status_code=200,
    request_max_body_size=MAX_UPLOAD_BODY,
    # It changes nothing and answers anyone (a bank, a school, a script): no CSRF token asked.
    opt={"exclude_from_csrf": True},
)
async def verify_upload(request: Request) -> Template:
    """SAH / TIDAK SAH / DICABUT for an uploaded letter, from its PAdES signatures (pyHanko's
    validator, the city CA and BSrE's roots) and the letter's fate in our records."""
    settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    try:
        await ratelimit.hit(f"verifikasi-berkas:{address}", VERIFY_UPLOAD_LIMIT)
    except ratelimit.RateLimited as limited:
        page = _upload_page(429, error="Terlalu banyak pemeriksaan dari perangkat ini.")
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - a malformed body is the sender's mistake, said in words
        return _upload_page(422, error="Kiriman tidak dapat dibaca. Pilih berkas PDF surat.")
    upload = form.get("berkas")
    if not isinstance(upload, UploadFile):
        return _upload_page(422, error="Pilih berkas PDF surat yang akan diperiksa.")
    pdf = await upload.read(settings.verify_max_bytes + 1)
    if len(pdf) > settings.verify_max_bytes:
        limit_mb = settings.verify_max_bytes // (1024 * 1024)
        return _upload_page(413, error=f"Berkas terlalu besar (maksimal {limit_mb} MB).")
    if not pdf:
        return _upload_page(422, error="Berkas kosong. Pilih berkas PDF surat.")
    examination = await service.examine_pdf(settings, pdf)
    letter = None
    if examination.verification_token:
        letter = await issuing.verify_token(
            examination.verification_token, request.app.state.signing_key.public_key()
        )
    return _upload_page(
        outcome=_outcome(examination, letter), examination=examination, letter=letter
    )


def _outcome(examination: service.Examination, letter) -> dict:
    """The verdict in words: DICABUT wins over everything the file says, then the file itself,
    then whether the letter has every signature it needs."""
    if letter is not None and letter.revoked_at is not None:
        return {"verdict": "DICABUT", "reason": letter.revoked_reason or ""}
    if examination.problem:
        return {"verdict": "TIDAK SAH", "reason": examination.problem}
    waiting = getattr(letter, "waiting_for", "") if letter is not None else ""
    if waiting:
        return {"verdict": "TIDAK SAH", "reason": f"Surat ini masih menunggu {waiting}."}
    return {"verdict": "SAH", "reason": ""}


ROUTES: list[HTTPRouteHandler] = [verify_upload_form, verify_upload]
