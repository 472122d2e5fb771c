"""The counter: queue, new request, request page, status moves, receipt."""

from __future__ import annotations

import uuid
from typing import Annotated

import segno
from jinja2 import Environment
from litestar import MediaType, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Response, Template

from sodamolek.attachments import service as attachments
from sodamolek.core.http import SHELL_HEADER
from sodamolek.core.roles import Role, require_roles
from sodamolek.desk import queue_list
from sodamolek.issuing import service as issuing
from sodamolek.letter_requests import corrections, service, whatsapp
from sodamolek.letter_requests.lifecycle import (
    LetterState,
    ReasonRequired,
    Status,
    TransitionRefused,
    check_move,
    event_title,
    find_move,
    moves_for,
)
from sodamolek.letters import service as letters

STAFF = require_roles(Role.OPERATOR, Role.LURAH, Role.CAMAT, Role.ADMIN)
COUNTER = require_roles(Role.OPERATOR, Role.LURAH)
Form = Annotated[dict[str, str | list[str]], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _redirect(request: Request, url: str) -> Response:
    """htmx follows HX-Redirect; a plain form follows 303."""
    if request.headers.get("hx-request"):
        return Response(b"", status_code=200, headers={"HX-Redirect": url})
    return Redirect(url, status_code=303)


def _one(form: dict, key: str) -> str:
    value = form.get(key, "")
    return value[0] if isinstance(value, list) else value


def _many(form: dict, key: str) -> list[str]:
    value = form.get(key, [])
    return value if isinstance(value, list) else [value]


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


# ---------------------------------------------------------------------------------------------
# Queue


@get("/permohonan", guards=[STAFF], name="queue")
async def queue_page(
    request: Request,
    status: Annotated[str | None, QueryParameter(name="status")] = None,
    halaman: Annotated[str | None, QueryParameter(name="halaman")] = None,
) -> Template:
    if request.headers.get(SHELL_HEADER):
        # The service worker's copy for offline use: the page without its list of requests
        # (names are personal data and stay off the device); the list loads when online.
        return Template(
            "letter_requests/queue.html",
            context={"shell": True},
            headers={"Cache-Control": "no-store", "Vary": SHELL_HEADER},
        )
    listed = await queue_list.queue_list(
        request.user, _templates(request), status=status, page=_page_number(halaman)
    )
    return Template(
        "letter_requests/queue.html",
        context={"list_html": listed.html},
        headers={"Vary": SHELL_HEADER},
        media_type=MediaType.HTML,  # else guessed from the template's name on every response
    )


@post("/permohonan/daftar", guards=[STAFF], status_code=200)
async def queue_list_only(request: Request, data: Form) -> Response:
    """The list alone, for htmx: search, status tabs, paging and the periodic refresh. A POST
    so that a NIK or a name typed in the search box never lands in a URL or a log."""
    listed = await queue_list.queue_list(
        request.user,
        _templates(request),
        status=_one(data, "status") or None,
        query=_one(data, "q"),
        page=_page_number(_one(data, "halaman")),
    )
    # The chosen tab goes into the address bar (never the search text: it may be a NIK), so a
    # reload or a shared link opens the same tab; the tab itself travels in the list's hx-vals.
    return Response(
        listed.html,
        media_type=MediaType.HTML,
        headers={"HX-Replace-Url": queue_url(listed.status)},
    )


def queue_url(status: str | None) -> str:
    return f"/permohonan?status={status}" if status else "/permohonan"


def _templates(request: Request) -> Environment:
    engine = request.app.template_engine
    assert isinstance(engine, JinjaTemplateEngine)  # the app is built with its template_config
    return engine.engine


# ---------------------------------------------------------------------------------------------
# New request


@get("/permohonan/baru", guards=[COUNTER], name="choose_type")
async def choose_type() -> Template:
    return Template(
        "letter_requests/choose_type.html",
        context={"letter_types": await letters.list_letter_types()},
    )


@get("/permohonan/baru/{code:str}", guards=[COUNTER], name="new_request")
async def new_request_form(code: FromPath[str]) -> Template:
    letter_type = await letters.get_letter_type(code)
    if letter_type is None or not letter_type["is_active"]:
        raise NotFoundException()
    return _form(letter_type, {"client_request_id": str(uuid.uuid4())}, {})


def _form(letter_type: dict, values: dict, errors: dict, status: int = 200) -> Template:
    return Template(
        "letter_requests/form.html",
        context={"letter_type": letter_type, "values": values, "errors": errors},
        status_code=status,
    )


def submission_from_form(form: dict) -> service.Submission:
    return service.Submission(
        client_request_id=_one(form, "client_request_id"),
        letter_type=_one(form, "letter_type"),
        applicant={k: _one(form, k) for k in form if k.startswith("applicant_")},
        data={k.removeprefix("data."): _one(form, k) for k in form if k.startswith("data.")},
        requirements_checked=_many(form, "requirements_checked"),
        notes=_one(form, "notes"),
    )


@post("/permohonan", guards=[COUNTER], name="create_request")
async def create_request(request: Request, data: Form) -> Response | Template:
    submission = submission_from_form(data)
    registry = getattr(request.app.state, "registry", None)
    try:
        result = await service.create_request(request.user, submission, registry)
    except service.RequestInvalid as invalid:
        letter_type = await letters.get_letter_type(submission.letter_type)
        if letter_type is None:
            raise NotFoundException() from None
        values = {k: _one(data, k) for k in data} | {
            "requirements_checked": _many(data, "requirements_checked")
        }
        return _form(letter_type, values, invalid.errors, status=422)
    except service.IdempotencyConflict as conflict:
        return Template(
            "errors/error.html",
            context={"status": 409, "title": "Permohonan ganda", "text": str(conflict)},
            status_code=409,
        )
    return _redirect(request, f"/permohonan/{result.request['id']}/tanda-terima")


@get("/permohonan/antrean-perangkat", guards=[COUNTER], name="device_outbox")
async def device_outbox() -> Template:
    """The outbox of this device. Its list lives in the device's IndexedDB and is drawn there by
    js/outbox-page.js; the server sends only the page around it."""
    names = {t["code"]: t["name"] for t in await letters.list_letter_types(active_only=False)}
    return Template("letter_requests/device_outbox.html", context={"letter_names": names})


# ---------------------------------------------------------------------------------------------
# One request


async def _get(request: Request, request_id: int) -> dict:
    try:
        item = await service.get_request(request.user, request_id)
    except service.RequestNotFound:
        raise NotFoundException() from None
    item["letters"] = await issuing.letters_of_request(request_id)
    item["letter"] = item["letters"][-1] if item["letters"] else None
    item["fields"] = await _field_rows(item)
    item["corrections"] = await corrections.corrections_of(request_id)
    item["correctable"] = corrections.can_correct(item["status"])
    item["attachments"] = await attachments.attachments_of(request_id)
    letter_type = await letters.get_letter_type(item["letter_type_code"]) or {}
    item["requirements"] = letter_type.get("requirements") or []
    return item


async def _field_rows(item: dict) -> list[tuple[str, str]]:
    """The type's own fields as (label, value), in the form's order; keys the type no longer
    has are shown under their key."""
    letter_type = await letters.get_letter_type(item["letter_type_code"])
    labels = {f["name"]: f["label"] for f in (letter_type or {}).get("fields", [])}
    ordered = [k for k in labels if k in item["data"]] + [
        k for k in item["data"] if k not in labels
    ]
    return [(labels.get(k, k.replace("_", " ").capitalize()), item["data"][k]) for k in ordered]


def _detail(request: Request, item: dict, error: str | None = None, status: int = 200):
    template = (
        "letter_requests/_detail.html"
        if request.headers.get("hx-request")
        else "letter_requests/detail.html"
    )
    return Template(
        template,
        context={
            "item": item,
            "moves": moves_for(Status(item["status"]), request.user.role),
            "Status": Status,
            "LetterState": LetterState,
            "event_title": event_title,
            "error": error,
            "whatsapp": whatsapp.link(item, request.app.state.settings.base_url),
            "max_files": attachments.MAX_FILES,
        },
        status_code=status,
    )


@get("/permohonan/{request_id:int}", guards=[STAFF], name="request_detail")
async def request_detail(request: Request, request_id: FromPath[int]) -> Template:
    return _detail(request, await _get(request, request_id))


@post("/permohonan/{request_id:int}/status", guards=[STAFF], status_code=200)
async def change_status(
    request: Request, request_id: FromPath[int], data: Form
) -> Template | Response:
    """One move of the lifecycle. A destructive one (cancel, reject, revoke, send back) asks
    first: htmx's confirm dialog sends `confirmed=1`; a plain form gets a confirmation page."""
    version = _one(data, "version")
    target, reason = _one(data, "to"), " ".join(_one(data, "reason").split())
    item = await _get(request, request_id)
    try:
        move = find_move(Status(item["status"]), Status(target))
    except ValueError:
        move = None
    if move is not None and move.confirm and _one(data, "confirmed") != "1":
        try:  # refused moves are refused before asking
            check_move(Status(item["status"]), move.to, request.user.role, reason)
        except TransitionRefused as refused:
            return _detail(request, item, str(refused), 409)
        except ReasonRequired as missing:
            return _detail(request, item, str(missing), 422)
        return Template(
            "letter_requests/confirm.html",
            context={"item": item, "move": move, "reason": reason, "version": version},
        )
    try:
        await issuing.move(
            request.user,
            request_id,
            target,
            reason,
            expected_version=int(version) if version.isdigit() else None,
        )
    except service.RequestNotFound:
        raise NotFoundException() from None
    except (TransitionRefused, service.VersionConflict) as refused:
        return _detail(request, await _get(request, request_id), str(refused), 409)
    except ReasonRequired as missing:
        return _detail(request, await _get(request, request_id), str(missing), 422)
    if request.headers.get("hx-request"):
        return _detail(request, await _get(request, request_id))
    return Redirect(f"/permohonan/{request_id}", status_code=303)


@get("/permohonan/{request_id:int}/tanda-terima", guards=[COUNTER], name="receipt")
async def receipt(request: Request, request_id: FromPath[int]) -> Template:
    item = await _get(request, request_id)
    tracking_url = f"{request.app.state.settings.base_url}/lacak/{item['tracking_code']}"
    qr = segno.make(tracking_url, error="m").svg_inline(scale=4, dark="#000", title="QR lacak")
    return Template(
        "letter_requests/receipt.html",
        context={"item": item, "qr_svg": qr, "tracking_url": tracking_url},
    )


# ---------------------------------------------------------------------------------------------
# Correcting a request (letter_requests.corrections)


@get("/permohonan/{request_id:int}/ubah", guards=[COUNTER], name="correct_request")
async def correction_form(request: Request, request_id: FromPath[int]) -> Template:
    item = await _get(request, request_id)
    if not item["correctable"]:
        return _refused_page(corrections.refusal(item["status"]))
    letter_type = await _letter_type_of(item)
    values = corrections.current_values(item)
    values["applicant_verified"] = "1" if item["applicant_verified"] else "0"
    return _correction_page(item, letter_type, values, {}, version=item["version"])


@post("/permohonan/{request_id:int}/ubah", guards=[COUNTER], status_code=200)
async def correct_request(
    request: Request, request_id: FromPath[int], data: Form
) -> Template | Response:
    version = _one(data, "version")
    values = {k: _one(data, k) for k in data} | {
        "requirements_checked": _many(data, "requirements_checked")
    }
    correction = corrections.Correction(
        applicant={
            k: _one(data, k)
            for k in data
            if k.startswith("applicant_") and k != "applicant_verified"
        },
        data={k.removeprefix("data."): _one(data, k) for k in data if k.startswith("data.")},
        requirements_checked=_many(data, "requirements_checked"),
        notes=_one(data, "notes"),
    )
    try:
        await corrections.correct_request(
            request.user,
            request_id,
            correction,
            expected_version=int(version) if version.isdigit() and len(version) < 10 else -1,
            registry=getattr(request.app.state, "registry", None),
        )
    except service.RequestNotFound:
        raise NotFoundException() from None
    except service.RequestInvalid as invalid:
        # 200: htmx swaps it, and everything typed comes back with the messages under it.
        item = await _get(request, request_id)
        letter_type = await _letter_type_of(item)
        return _correction_page(item, letter_type, values, invalid.errors, version=version)
    except (service.VersionConflict, corrections.CorrectionRefused) as refused:
        item = await _get(request, request_id)
        letter_type = await _letter_type_of(item)
        stale = isinstance(refused, service.VersionConflict)
        return _correction_page(
            item,
            letter_type,
            values,
            {},
            version=version,
            error=str(refused),
            stale=stale,
            status=409,
        )
    return _redirect(request, f"/permohonan/{request_id}")


async def _letter_type_of(item: dict) -> dict:
    letter_type = await letters.get_letter_type(item["letter_type_code"])
    if letter_type is None:
        raise NotFoundException()
    return letter_type


def _correction_page(
    item, letter_type, values, errors, *, version, error=None, stale=False, status=200
) -> Template:
    return Template(
        "letter_requests/correct.html",
        context={
            "item": item,
            "letter_type": letter_type,
            "values": values,
            "errors": errors,
            "version": version,
            "error": error,
            "stale": stale,
            "Status": Status,
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},  # personal data
    )


def _refused_page(text: str) -> Template:
    return Template(
        "errors/error.html",
        context={"status": 409, "title": "Tidak dapat diubah", "text": text},
        status_code=409,
    )
