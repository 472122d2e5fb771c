"""The survey form's answer on the public tracking page: POST /lacak/{kode}/survei."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from sodamolek.core import ratelimit
from sodamolek.letter_requests.codes import normalise_tracking_code
from sodamolek.survey import service
from sodamolek.tracking import service as tracking
from sodamolek.tracking.views import status_page

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SURVEY_LIMIT = ratelimit.Limit(hits=10, seconds=60)


@post("/lacak/{code:str}/survei", exclude_from_auth=True, status_code=200)
async def answer_survey(request: Request, code: FromPath[str], data: Form) -> Template | Redirect:
    address = request.client.host if request.client else "unknown"
    try:
        await ratelimit.hit(f"survei:{address}", SURVEY_LIMIT)
    except ratelimit.RateLimited as limited:
        page = Template(
            "errors/error.html",
            context={"status": 429, "title": "Terlalu banyak percobaan",
                     "text": "Tunggu sebentar sebelum mengirim lagi."},
            status_code=429,
        )  # fmt: skip
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    normalised = normalise_tracking_code(code)
    view = await tracking.track(normalised) if normalised else None
    if view is None:
        return Template(
            "tracking/lookup.html",
            context={"error": "Kode lacak tidak ditemukan. Periksa kembali kode pada tanda "
                     "terima.", "code": code[:40]},
            status_code=404,
        )  # fmt: skip
    try:
        await service.submit(view.code, data, data.get("comment", ""))
    except service.SurveyInvalid as invalid:
        answers = {k: v for k, v in data.items() if k in service.COLUMNS or k == "comment"}
        return status_page(view, 422, errors=invalid.errors, answers=answers)
    except service.SurveyRefused as refused:
        return status_page(view, 409, notice=str(refused))
    return Redirect(f"/lacak/{view.code}#survei", status_code=303)
