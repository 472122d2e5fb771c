"""JSON API for other city systems: /api/v1/permohonan. Same service functions as the counter."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, cast

import msgspec
from litestar import Request, Response, Router, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from sodamolek.accounts.api_auth import api_actor
from sodamolek.accounts.service import CurrentUser
from sodamolek.core.roles import Role
from sodamolek.letter_requests import corrections, service
from sodamolek.letter_requests.api_schema import (
    NO_CONTROL,
    CorrectionBody,
    CreateBody,
    Problem,
    QueuePage,
    RequestOut,
    TransitionBody,
)
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


def _shaped(body: dict) -> RequestOut:
    """serialise()'s dict has RequestOut's shape: the handlers are annotated with the Struct for
    the OpenAPI document, and the dict is encoded as it is."""
    return cast(RequestOut, body)


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


def _problems(*statuses: int) -> dict[int, ResponseSpec]:
    words = {
        400: "Body or parameters of the wrong shape or type",
        401: "No valid API token or session",
        403: "Not allowed for this account or token, or the CSRF header is missing",
        404: "No such request in the caller's office",
        409: "Refused by the request's state, or the Idempotency-Key was used for other content "
        "or elsewhere",
        412: "If-Match names an older version",
        422: "Values that are not valid, or a body or parameter of the wrong type (named in "
        "errors)",
        428: "If-Match is missing",
    }
    return {
        status: ResponseSpec(data_container=Problem, description=words[status])
        for status in statuses
    }


@post(
    "/permohonan",
    status_code=201,
    summary="Buat permohonan (idempoten)",
    responses={
        200: ResponseSpec(
            RequestOut, description="The same key and body again: the request made the first time"
        )
    }
    | _problems(400, 401, 403, 409, 422),
)
async def create(
    request: Request,
    actor: NamedDependency[CurrentUser],
    data: JSONBody[CreateBody],
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(
            name="Idempotency-Key",
            required=True,
            description="A UUID made by the client for this request; required (422 without)",
        ),
    ] = None,
) -> Response[RequestOut]:
    """The Idempotency-Key header (a UUID) is the request's client_request_id: sending the same
    key and body again returns the same request; the same key with another body is a 409."""
    raw: dict[str, Any] = msgspec.to_builtins(data)
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
    body_key = raw.get("client_request_id")
    if body_key is not None and str(body_key) != key:
        return _problem(422, "client_request_id harus sama dengan Idempotency-Key.")
    raw_applicant, raw_answers = raw.get("applicant"), raw.get("data")
    applicant = raw_applicant if isinstance(raw_applicant, dict) else {}
    answers = raw_answers if isinstance(raw_answers, dict) else {}
    submission = service.Submission(
        client_request_id=key,
        letter_type=str(raw.get("letter_type", "")),
        applicant={f"applicant_{k}": str(v) for k, v in applicant.items() if v is not None},
        data={str(k): str(v) for k, v in answers.items()},
        requirements_checked=[str(r) for r in raw.get("requirements_checked") or []]
        if isinstance(raw.get("requirements_checked"), list)
        else [],
        notes=str(raw.get("notes") or ""),
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
        _shaped(item),
        status_code=201 if result.created else 200,
        headers={"Location": f"/api/v1/permohonan/{item['id']}"},
    )


@get("/permohonan", summary="Daftar permohonan kantor sendiri", responses=_problems(400, 401, 422))
async def list_requests(
    actor: NamedDependency[CurrentUser],
    status: Annotated[
        str | None, QueryParameter(name="status", max_length=40, pattern=NO_CONTROL)
    ] = None,
    page: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
) -> QueuePage:
    result = await service.queue(actor, status=status, page=page)
    return msgspec.convert(
        {
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
        },
        QueuePage,
    )


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


@get(
    "/permohonan/{request_id:int}",
    summary="Satu permohonan dengan riwayatnya",
    responses=_problems(400, 401, 404, 422),
)
async def read(
    actor: NamedDependency[CurrentUser], request_id: FromPath[int]
) -> Response[RequestOut]:
    try:
        item = await service.get_request(actor, request_id)
    except service.RequestNotFound:
        return _problem(404, "Permohonan tidak ditemukan.")
    return Response(_shaped(await _with_corrections(item)), headers={"ETag": etag(item["version"])})


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
    responses=_problems(400, 401, 403, 404, 409, 412, 422, 428),
)
async def correct(
    request: Request,
    actor: NamedDependency[CurrentUser],
    request_id: FromPath[int],
    data: JSONBody[CorrectionBody],
    if_match: Annotated[
        str | None,
        HeaderParameter(name="If-Match", required=True, description="The ETag from GET"),
    ] = None,
) -> Response[RequestOut]:
    raw: dict[str, Any] = msgspec.to_builtins(data)
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
    applicant = raw.get("applicant")
    if applicant is not None and not isinstance(applicant, dict):
        return _problem(422, "applicant harus berupa objek.", {"applicant": "Harus berupa objek."})
    answers = raw.get("data")
    if answers is not None and not isinstance(answers, dict):
        return _problem(422, "data harus berupa objek.", {"data": "Harus berupa objek."})
    requirements = raw.get("requirements_checked")
    if requirements is not None and not isinstance(requirements, list):
        return _problem(
            422,
            "requirements_checked harus berupa daftar.",
            {"requirements_checked": "Harus berupa daftar."},
        )
    notes = raw.get("notes")
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
    return Response(_shaped(body), headers={"ETag": etag(result.request["version"])})


@post(
    "/permohonan/{request_id:int}/transisi",
    status_code=200,
    summary="Ubah status",
    responses=_problems(400, 401, 403, 404, 409, 422),
)
async def transition(
    actor: NamedDependency[CurrentUser],
    request_id: FromPath[int],
    data: JSONBody[TransitionBody],
) -> Response[RequestOut]:
    raw: dict[str, Any] = msgspec.to_builtins(data)
    version = raw.get("version")
    try:
        # Moves that change a letter (a send-back from the camat's desk, a revocation) are made
        # on the request page, where issuing voids or revokes the letter with them; here they
        # are refused in words (letter_requests cannot call issuing, which sits above it).
        item = await service.change_status(
            actor,
            request_id,
            str(raw.get("to", "")),
            str(raw.get("reason") or ""),
            expected_version=version if isinstance(version, int) else None,
        )
    except service.RequestNotFound:
        return _problem(404, "Permohonan tidak ditemukan.")
    except (TransitionRefused, service.VersionConflict) as refused:
        return _problem(409, str(refused))
    except ReasonRequired as missing:
        return _problem(422, str(missing), {"reason": str(missing)})
    return Response(_shaped(serialise(item)))


api_router = Router(
    path="/api/v1",
    route_handlers=[create, list_requests, read, correct, transition],
    dependencies={"actor": Provide(api_actor)},
    # api_actor authenticates (token or session) and checks CSRF for sessions itself.
    opt={"exclude_from_auth": True, "exclude_from_csrf": True},
    tags=["permohonan"],
    include_in_schema=True,  # the pages are not an API: the app leaves them out
    security=[{"tokenApi": []}, {"sessionCookie": []}],
)


REQUEST_BODIES = ("Applicant", "CreateBody", "CorrectionBody", "TransitionBody")


def document_strictly(document: dict[str, Any]) -> None:
    """What the bodies' Structs and the input guard enforce but Litestar's schema leaves out:
    no properties besides the declared ones (forbid_unknown_fields), and no control characters
    in any text, the names of `data`'s answers included. On the OpenAPI document as JSON;
    applying it twice changes nothing."""

    def strict_text(node: object) -> None:
        if not isinstance(node, dict):
            return
        if node.get("type") == OpenAPIType.STRING.value and "pattern" not in node:
            node["pattern"] = NO_CONTROL
        for child in (*node.get("oneOf", ()), *node.get("anyOf", ()), node.get("items")):
            strict_text(child)
        for child in node.get("properties", {}).values():
            strict_text(child)
        strict_text(node.get("additionalProperties"))

    schemas = document.get("components", {}).get("schemas", {})
    for name in REQUEST_BODIES:
        schema = schemas.get(name)
        if schema is None:
            continue
        schema["additionalProperties"] = False
        data = schema.get("properties", {}).get("data")
        options = [data, *(data.get("oneOf", ()) if isinstance(data, dict) else ())]
        for option in options:
            if isinstance(option, dict) and option.get("type") == OpenAPIType.OBJECT.value:
                option["propertyNames"] = {
                    "type": OpenAPIType.STRING.value,
                    "maxLength": 200,
                    "pattern": NO_CONTROL,
                }
                if not isinstance(option.get("additionalProperties"), dict):
                    option["additionalProperties"] = {
                        "type": OpenAPIType.STRING.value,
                        "maxLength": 2000,
                        "pattern": NO_CONTROL,
                    }
        strict_text(schema)


class StrictJsonRenderPlugin(JsonRenderPlugin):
    """/schema/openapi.json with document_strictly applied, when the schema is first asked for:
    Litestar builds the document on first use, which an app that nobody asks for its schema
    (every test's, a server starting) then never pays (~0.3 s cold, ~10 ms warm)."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        document_strictly(openapi_schema)
        return super().render(request, openapi_schema)
