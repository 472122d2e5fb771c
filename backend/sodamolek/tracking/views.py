"""Public tracking pages: /lacak, /lacak/{kode} and the satisfaction survey answered on it
(POST /lacak/{kode}/survei). No login; rate limited per address."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import MediaType, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from sodamolek.accounts.sessions import SESSION_UNUSED
from sodamolek.core import ratelimit
from sodamolek.letter_requests.codes import normalise_tracking_code
from sodamolek.survey import service as survey
from sodamolek.tracking import service

# A tracking code has 60 random bits: these limits keep a client's load down and guard no
# guessable secret, so they are batched (no write per view; another worker's hits count here
# within a second).
LOOKUP_LIMIT = ratelimit.Limit(hits=30, seconds=60, exact=False)
SURVEY_LIMIT = ratelimit.Limit(hits=10, seconds=60, exact=False)
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def lookup_limit(request: Request) -> int | None:
    """Count one tracking-code use from this address: None, or the seconds to wait. Shared by
    the status page and the push endpoints (installed as app.state.tracking_rate_limit), so a
    code cannot be guessed faster through one than through the other."""
    address = request.client.host if request.client else "unknown"
    try:
        await ratelimit.hit(f"lacak:{address}", LOOKUP_LIMIT)
    except ratelimit.RateLimited as limited:
        return limited.retry_after
    return None


async def _limited(request: Request) -> Template | None:
    if (retry_after := await lookup_limit(request)) is not None:
        page = Template(
            "tracking/lookup.html",
            context={
                "error": "Terlalu banyak pencarian dari perangkat ini. Coba lagi sebentar lagi.",
                "code": "",
            },
            status_code=429,
        )
        page.headers["Retry-After"] = str(retry_after)
        return page
    return None


@get("/lacak", exclude_from_auth=True, name="track_form", opt={SESSION_UNUSED: True})
async def lookup_form() -> Template:
    return Template("tracking/lookup.html", context={"error": None, "code": ""})


@post("/lacak", exclude_from_auth=True, status_code=200)
async def lookup(request: Request, data: Form) -> Template | Redirect:
    typed = data.get("kode", "")
    code = normalise_tracking_code(typed)
    if code is None:
        return Template(
            "tracking/lookup.html",
            context={
                "error": "Kode lacak tidak sah. Contoh: KPG-7F3K-9QX2-M4TD (lihat tanda terima).",
                "code": typed[:40],
            },
            status_code=422,
        )
    return Redirect(f"/lacak/{code}", status_code=303)


@get("/lacak/{code:str}", exclude_from_auth=True, name="track", opt={SESSION_UNUSED: True})
async def track(request: Request, code: FromPath[str]) -> Template:
    if limited := await _limited(request):
        return limited
    view = await service.track(code)
    if view is None:
        # The same page shape for a code that does not exist as for a malformed one.
        return Template(
            "tracking/lookup.html",
            context={
                "error": "Kode lacak tidak ditemukan. Periksa kembali kode pada tanda terima.",
                "code": code[:40],
            },
            status_code=404,
        )
    # Straight after /ajukan: the code is new to the resident, say to keep it.
    return status_page(view, just_applied=request.query_params.get("baru") == "1")


def status_page(view: service.TrackingView, status_code: int = 200, **context) -> Template:
    """The resident's status page; the survey's answers re-render it with their messages."""
    return Template(
        "tracking/status.html",
        context={
            "view": view,
            "elements": survey.ELEMENTS,
            "max_comment": survey.MAX_COMMENT,
            "errors": {},
            "answers": {},
            "notice": None,
            "just_applied": False,
            "letter_error": None,
            "rendered_at": dt.datetime.now(dt.UTC),
        }
        | context,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        status_code=status_code,
        media_type=MediaType.HTML,  # else guessed from the template's name on every response
    )


@post("/lacak/{code:str}/survei", exclude_from_auth=True, status_code=200)
async def answer_survey(request: Request, code: FromPath[str], data: Form) -> Template | Redirect:
    address = request.client.host if request.client else "unknown"
    try:
        await ratelimit.hit(f"survei:{address}", SURVEY_LIMIT)
    except ratelimit.RateLimited as limited:
        page = Template(
            "errors/error.html",
            context={
                "status": 429,
                "title": "Terlalu banyak percobaan",
                "text": "Tunggu sebentar sebelum mengirim lagi.",
            },
            status_code=429,
        )
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    normalised = normalise_tracking_code(code)
    view = await service.track(normalised) if normalised else None
    if view is None:
        return Template(
            "tracking/lookup.html",
            context={
                "error": "Kode lacak tidak ditemukan. Periksa kembali kode pada tanda terima.",
                "code": code[:40],
            },
            status_code=404,
        )
    try:
        await survey.submit(view.code, data, data.get("comment", ""))
    except survey.SurveyInvalid as invalid:
        answers = {k: v for k, v in data.items() if k in survey.COLUMNS or k == "comment"}
        return status_page(view, 422, errors=invalid.errors, answers=answers)
    except survey.SurveyRefused as refused:
        return status_page(view, 409, notice=str(refused))
    return Redirect(f"/lacak/{view.code}#survei", status_code=303)
