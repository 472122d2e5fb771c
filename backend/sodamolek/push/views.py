"""The tracking page's push endpoints: subscribe and unsubscribe a phone, and the service
worker's push handler script.

No login: a resident has only the tracking code. CSRF stays on: the tracking page sets the CSRF
cookie and its script sends the token in X-CSRFToken, like htmx does elsewhere.

The tracking code is resolved to a request id by `app.state.resolve_tracking_code` (an async
callable str -> int | None), which the tracking domain installs; until then every code is
unknown (404). Both endpoints count against the tracking page's rate limit
(`app.state.tracking_rate_limit`) and check the body before the code: a bad body gets the same
422 for a real code as for an invented one, so they are no faster oracle than /lacak itself."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import File

from sodamolek.core.paths import SERVICE_WORKER_DIR
from sodamolek.core.roles import Role, require_roles
from sodamolek.push import service

TrackingCodeResolver = Callable[[str], Awaitable[int | None]]
MAX_BODY = 8 * 1024  # a subscription is a few hundred bytes
UNKNOWN_CODE = "Kode lacak tidak ditemukan."
# Who gets staff alerts: the lurah and camat (signatures waiting), operators (returned, applied).
STAFF_ALERTED = require_roles(Role.OPERATOR, Role.LURAH, Role.CAMAT)


async def no_tracking_codes(code: str) -> int | None:
    """Default resolver until the tracking domain provides one."""
    return None


def _answer(status: int, **body: Any) -> Response:
    return Response(body, status_code=status, headers={"Cache-Control": "no-store"})


async def _read_json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise service.InvalidSubscription("Data langganan notifikasi terlalu besar.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise service.InvalidSubscription("Data langganan notifikasi tidak terbaca.") from None


async def _rate_limited(request: Request) -> Response | None:
    limit = getattr(request.app.state, "tracking_rate_limit", None)
    retry_after = await limit(request) if limit else None
    if retry_after is None:
        return None
    response = _answer(429, detail="Terlalu banyak percobaan dari perangkat ini. Coba lagi nanti.")
    response.headers["Retry-After"] = str(retry_after)
    return response


async def _request_id(request: Request, code: str) -> int | None:
    resolve: TrackingCodeResolver = getattr(
        request.app.state, "resolve_tracking_code", no_tracking_codes
    )
    return await resolve(code)


@post("/lacak/{code:str}/langganan", exclude_from_auth=True, name="push_subscribe")
async def subscribe(request: Request, code: FromPath[str]) -> Response:
    """Body: the browser's PushSubscription.toJSON(). 201 when stored (again: the same row)."""
    if limited := await _rate_limited(request):
        return limited
    try:
        clean = service.validate_subscription(
            await _read_json(request), request.app.state.settings.push_allowed_hosts
        )
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    request_id = await _request_id(request, code)
    if request_id is None:
        return _answer(404, detail=UNKNOWN_CODE)
    await service.subscribe(request_id, clean)
    return _answer(201, detail="Notifikasi aktif untuk permohonan ini.")


@post("/lacak/{code:str}/berhenti", exclude_from_auth=True, name="push_unsubscribe")
async def unsubscribe(request: Request, code: FromPath[str]) -> Response:
    """Body: {"endpoint": "..."} (or the whole subscription). Idempotent: 200 either way."""
    if limited := await _rate_limited(request):
        return limited
    try:
        body = await _read_json(request)
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        return _answer(422, detail="Alamat langganan (endpoint) tidak ada.")
    request_id = await _request_id(request, code)
    if request_id is None:
        return _answer(404, detail=UNKNOWN_CODE)
    removed = await service.unsubscribe(endpoint, request_id)
    _, remaining = await service.following(endpoint, request_id)
    return _answer(
        200,
        detail="Notifikasi dimatikan untuk permohonan ini.",
        removed=removed,
        remaining=remaining,  # 0: the page unsubscribes the browser itself
    )


@post("/lacak/{code:str}/langganan/cek", exclude_from_auth=True, name="push_following")
async def check_following(request: Request, code: FromPath[str]) -> Response:
    """Body: {"endpoint": "..."}. Does this browser follow this request, and how many in all?
    The endpoint is the browser's own secret: it learns only about itself."""
    if limited := await _rate_limited(request):
        return limited
    try:
        body = await _read_json(request)
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > service.MAX_ENDPOINT_LENGTH:
        return _answer(422, detail="Alamat langganan (endpoint) tidak ada.")
    request_id = await _request_id(request, code)
    if request_id is None:
        return _answer(404, detail=UNKNOWN_CODE)
    this, total = await service.following(endpoint, request_id)
    return _answer(200, following=this, total=total)


# The service worker sends this on `pushsubscriptionchange`; it cannot read the CSRF cookie, so
# CSRF is off here. Knowing the old endpoint (a secret URL only that browser has) is the proof.
@post("/langganan-push/ganti", exclude_from_auth=True, exclude_from_csrf=True, name="push_renew")
async def renew(request: Request) -> Response:
    """Body: {"old_endpoint": "...", "subscription": PushSubscription.toJSON()}."""
    if limited := await _rate_limited(request):
        return limited
    try:
        body = await _read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("old_endpoint"), str):
            raise service.InvalidSubscription("Alamat langganan lama (old_endpoint) tidak ada.")
        clean = service.validate_subscription(
            body.get("subscription") or {}, request.app.state.settings.push_allowed_hosts
        )
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    moved = await service.replace_endpoint(body["old_endpoint"], clean)
    return _answer(200, detail="Langganan notifikasi diperbarui.", moved=moved)


@get("/langganan-push/kunci", exclude_from_auth=True, include_in_schema=False)
async def public_key(request: Request) -> Response:
    """The VAPID public key, for a service worker that must subscribe again by itself."""
    return Response(
        request.app.state.settings.vapid_public_key,
        media_type="text/plain",
        headers={"Cache-Control": "no-cache"},
    )


@get("/sw-push.js", exclude_from_auth=True, include_in_schema=False)
async def push_handler_script() -> File:
    """The service worker's push and notificationclick handlers; sw.js importScripts() it."""
    return File(
        SERVICE_WORKER_DIR / "push.js",
        media_type="text/javascript",
        content_disposition_type="inline",
        headers={"Cache-Control": "no-cache"},
    )


# ---------------------------------------------------------------------------------------------
# Staff alerts: a signed-in staff member turns them on for this device


async def _endpoint_of(request: Request) -> str | None:
    body = await _read_json(request)
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > service.MAX_ENDPOINT_LENGTH:
        return None
    return endpoint


@post("/akun/notifikasi", guards=[STAFF_ALERTED], name="staff_push_subscribe")
async def staff_subscribe(request: Request) -> Response:
    """Body: PushSubscription.toJSON() of this device."""
    try:
        clean = service.validate_subscription(
            await _read_json(request), request.app.state.settings.push_allowed_hosts
        )
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    await service.subscribe_staff(request.user.id, clean)
    return _answer(201, detail="Notifikasi petugas aktif di perangkat ini.")


@post("/akun/notifikasi/cek", guards=[STAFF_ALERTED], name="staff_push_check")
async def staff_check(request: Request) -> Response:
    try:
        endpoint = await _endpoint_of(request)
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    if endpoint is None:
        return _answer(422, detail="Alamat langganan (endpoint) tidak ada.")
    return _answer(200, on=await service.staff_device_on(request.user.id, endpoint))


@post("/akun/notifikasi/berhenti", guards=[STAFF_ALERTED], name="staff_push_unsubscribe")
async def staff_unsubscribe(request: Request) -> Response:
    try:
        endpoint = await _endpoint_of(request)
    except service.InvalidSubscription as problem:
        return _answer(422, detail=str(problem))
    if endpoint is None:
        return _answer(422, detail="Alamat langganan (endpoint) tidak ada.")
    removed = await service.unsubscribe_staff(request.user.id, endpoint)
    return _answer(200, detail="Notifikasi petugas dimatikan di perangkat ini.", removed=removed)
