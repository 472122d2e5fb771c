"""JSON API for other city systems: /api/v1/permohonan. Same service functions as the counter."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, Router, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from sodamolek.accounts.api_auth import api_actor
from sodamolek.accounts.service import CurrentUser
from sodamolek.core.roles import Role
from sodamolek.letter_requests import corrections, service
from sodamolek.letter_requests.lifecycle import ReasonRequired, Status, TransitionRefused

APPLICANT_FIELDS = (
    "nik",
    "kk",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "rt",
    "rw",
    "phone",
    "religion",
    "occupation",
    "marital_status",
    "citizenship",
)


def _problem(status: int, detail: str, errors: dict | None = None) -> Response:
    body: dict[str, Any] = {"status_code": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status)


def _public_field(name: str) -> str:
    return "applicant." + name.removeprefix("applicant_") if name.startswith("applicant_") else name


def serialise(item: dict) -> dict:
    return {
        "id": item["id"],
        "tracking_code": item["tracking_code"],
        "client_request_id": str(item["client_request_id"]),
        "status": item["status"],
        "status_label": Status(item["status"]).label,
        "letter_type": item["letter_type_code"],
        "kelurahan": item["kelurahan_name"],
        "applicant": {key: item.get(f"applicant_{key}") for key in (*APPLICANT_FIELDS, "verified")}
        | {
            "birth_date": item["applicant_birth_date"].isoformat()
            if item.get("applicant_birth_date")
            else None
        },
        "data": item["data"],
        "requirements_checked": item["requirements_checked"],
        "notes": item["notes"],
        "status_reason": item["status_reason"],
        "created_at": item["created_at"].isoformat(),
        "due_at": item["due_at"].isoformat(),
        "ready_at": item["ready_at"].isoformat() if item.get("ready_at") else None,
        "version": item["version"],
        **(
            {
                "events": [
                    {
                        "from": e["from_status"],
                        "to": e["to_status"],
                        "reason": e["reason"],
                        "actor": e["actor_name"],
                        "at": e["at"].isoformat(),
                    }
                    for e in item["events"]
                ]
            }
            if "events" in item
            else {}
        ),
    }


@post("/permohonan", status_code=201, summary="Buat permohonan (idempoten)")
async def create(
    request: Request,
    actor: NamedDependency[CurrentUser],
    data: JSONBody[dict[str, Any]],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
) -> Response:
    """The Idempotency-Key header (a UUID) is the request's client_request_id: sending the same
    key and body again returns the same request; the same key with another body is a 409."""
    if actor.role not in (Role.OPERATOR, Role.LURAH):
        return _problem(403, "Hanya petugas kelurahan yang dapat membuat permohonan.")
    try:
        key = str(uuid.UUID(idempotency_key or ""))
    except ValueError:
        return _problem(
            422,
            "Header Idempotency-Key wajib berisi UUID.",
            {"Idempotency-Key": "Wajib berisi UUID."},
        )
    body_key = data.get("client_request_id")
    if body_key is not None and str(body_key) != key:
        return _problem(422, "client_request_id harus sama dengan Idempotency-Key.")
    raw_applicant, raw_answers = data.get("applicant"), data.get("data")
    applicant = raw_applicant if isinstance(raw_applicant, dict) else {}
    answers = raw_answers if isinstance(raw_answers, dict) else {}
    submission = service.Submission(
        client_request_id=key,
        letter_type=str(data.get("letter_type", "")),
        applicant={f"applicant_{k}": str(v) for k, v in applicant.items() if v is not None},
        data={str(k): str(v) for k, v in answers.items()},
        requirements_checked=[str(r) for r in data.get("requirements_checked") or []]
        if isinstance(data.get("requirements_checked"), list)
        else [],
        notes=str(data.get("notes") or ""),
    )
    try:
        result = await service.create_request(
            actor, submission, getattr(request.app.state, "registry", None)
        )
    except service.RequestInvalid as invalid:
        errors = {_public_field(k): v for k, v in invalid.errors.items()}
        return _problem(422, "Isian belum benar: " + ", ".join(errors), errors)
    except service.IdempotencyConflict as conflict:
        return _problem(409, str(conflict))
    item = serialise(result.request)
    return Response(
        item,
        status_code=201 if result.created else 200,
        headers={"Location": f"/api/v1/permohonan/{item['id']}"},
    )


@get("/permohonan", summary="Daftar permohonan kantor sendiri")
async def list_requests(
    actor: NamedDependency[CurrentUser],
    status: Annotated[str | None, QueryParameter(name="status")] = None,
    page: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
) -> dict:
    result = await service.queue(actor, status=status, page=page)
    return {
        "items": [
            {
                "id": i["id"],
                "tracking_code": i["tracking_code"],
                "status": i["status"],
                "applicant_name": i["applicant_name"],
                "letter_type": i["letter_type_name"],
                "due_at": i["due_at"].isoformat(),
                "overdue": i["overdue"],
            }
            for i in result.items
        ],
        "counts": result.counts,
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


def etag(version: int) -> str:
    """The request's version as an entity tag: what a PATCH sends back in If-Match."""
    return f'"{version}"'


def _matched_version(if_match: str) -> int | None:
    """The version an If-Match names ("3", W/"3"; the first that parses), or None."""
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag.isdigit() and len(tag) < 10:
            return int(tag)
    return None


async def _with_corrections(item: dict) -> dict:
    return serialise(item) | {"corrections": await corrections.corrections_of(item["id"])}


@get("/permohonan/{request_id:int}", summary="Satu permohonan dengan riwayatnya")
async def read(actor: NamedDependency[CurrentUser], request_id: FromPath[int]) -> Response:
    try:
        item = await service.get_request(actor, request_id)
    except service.RequestNotFound:
        return _problem(404, "Permohonan tidak ditemukan.")
    return Response(await _with_corrections(item), headers={"ETag": etag(item["version"])})


@patch(
    "/permohonan/{request_id:int}",
    summary="Koreksi data permohonan (If-Match wajib)",
    description=(
        "Only the parts sent change: `applicant` and `data` key by key, `requirements_checked` "
        "and `notes` as a whole. `If-Match` must carry the ETag of the version being corrected "
        "(from GET): 428 without it, 412 when the request changed since, 409 when its status "
        "no longer allows a correction, 422 with `errors` for invalid values. The tracking "
        "code stays; the answer carries the new ETag."
    ),
)
async def correct(
    request: Request,
    actor: NamedDependency[CurrentUser],
    request_id: FromPath[int],
    data: JSONBody[dict[str, Any]],
    if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
) -> Response:
    version = _matched_version(if_match or "")
    if version is None:
        try:
            await service.get_request(actor, request_id)
        except service.RequestNotFound:
            return _problem(404, "Permohonan tidak ditemukan.")
        return _problem(
            428,
            "Header If-Match wajib berisi ETag permohonan (dari GET) agar perubahan petugas lain "
            "tidak tertimpa.",
        )
    applicant = data.get("applicant")
    if applicant is not None and not isinstance(applicant, dict):
        return _problem(422, "applicant harus berupa objek.", {"applicant": "Harus berupa objek."})
    answers = data.get("data")
    if answers is not None and not isinstance(answers, dict):
        return _problem(422, "data harus berupa objek.", {"data": "Harus berupa objek."})
    requirements = data.get("requirements_checked")
    if requirements is not None and not isinstance(requirements, list):
        return _problem(
            422,
            "requirements_checked harus berupa daftar.",
            {"requirements_checked": "Harus berupa daftar."},
        )
    notes = data.get("notes")
    correction = corrections.Correction(
        applicant=None
        if applicant is None
        else {f"applicant_{k}": "" if v is None else str(v) for k, v in applicant.items()},
        data=None
        if answers is None
        else {str(k): "" if v is None else str(v) for k, v in answers.items()},
        requirements_checked=None if requirements is None else [str(r) for r in requirements],
        notes=None if notes is None else str(notes),
    )
    try:
        result = await corrections.correct_request(
            actor, request_id, correction, version, getattr(request.app.state, "registry", None)
        )
    except service.RequestNotFound:
        return _problem(404, "Permohonan tidak ditemukan.")
    except corrections.CorrectionForbidden as forbidden:
        return _problem(403, str(forbidden))
    except service.VersionConflict as stale:
        return _problem(412, str(stale))
    except corrections.CorrectionRefused as refused:
        return _problem(409, str(refused))
    except service.RequestInvalid as invalid:
        errors = {_public_field(k): v for k, v in invalid.errors.items()}
        return _problem(422, "Isian belum benar: " + ", ".join(errors), errors)
    body = await _with_corrections(result.request) | {
        "changed": [c["label"] for c in result.changes]
    }
    return Response(body, headers={"ETag": etag(result.request["version"])})


@post("/permohonan/{request_id:int}/transisi", status_code=200, summary="Ubah status")
async def transition(
    actor: NamedDependency[CurrentUser], request_id: FromPath[int], data: JSONBody[dict[str, Any]]
) -> Response:
    version = data.get("version")
    try:
        # Moves that change a letter (a send-back from the camat's desk, a revocation) are made
        # on the request page, where issuing voids or revokes the letter with them; here they
        # are refused in words (letter_requests cannot call issuing, which sits above it).
        item = await service.change_status(
            actor,
            request_id,
            str(data.get("to", "")),
            str(data.get("reason") or ""),
            expected_version=version if isinstance(version, int) else None,
        )
    except service.RequestNotFound:
        return _problem(404, "Permohonan tidak ditemukan.")
    except (TransitionRefused, service.VersionConflict) as refused:
        return _problem(409, str(refused))
    except ReasonRequired as missing:
        return _problem(422, str(missing), {"reason": str(missing)})
    return Response(serialise(item))


api_router = Router(
    path="/api/v1",
    route_handlers=[create, list_requests, read, correct, transition],
    dependencies={"actor": Provide(api_actor)},
    # api_actor authenticates (token or session) and checks CSRF for sessions itself.
    opt={"exclude_from_auth": True, "exclude_from_csrf": True},
    tags=["permohonan"],
)
