"""Pages that belong to no single domain: home, health, service worker, manifest, offline page."""

from __future__ import annotations

import hashlib

from litestar import Request, Response, get
from litestar.response import File, Template
from piccolo.querystring import QueryString

from sodamolek.core.paths import SERVICE_WORKER_DIR, STATIC_DIR
from sodamolek.core.roles import Role
from sodamolek.db import current_engine, engine_name
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions
from sodamolek.web.offline import service_worker_script
from sodamolek.web.resident_worker import SCOPE, resident_worker_script


@get("/", name="home")
async def home(request: Request) -> Template:
    user = request.user
    office = None
    if user.kelurahan_id is not None:
        office = await regions.get_kelurahan(user.kelurahan_id)
    elif user.kecamatan_id is not None:
        office = await regions.get_kecamatan(user.kecamatan_id)
    letter_types = await letters.list_letter_types()
    return Template(
        "home.html",
        context={"office": office, "letter_types": letter_types, "Role": Role},
    )


@get("/health", exclude_from_auth=True, name="health")
async def health() -> Response:
    engine = current_engine()
    try:
        await engine.run_querystring(QueryString("SELECT 1"))
        reachable = True
    except Exception:  # any failure means "not reachable" for a health probe
        reachable = False
    body = {
        "status": "ok" if reachable else "error",
        "database": {"engine": engine_name(engine), "reachable": reachable},
    }
    return Response(body, status_code=200 if reachable else 503)


def etag(content: str | bytes) -> str:
    """A validator of generated content: an update check that finds it unchanged gets a 304
    (web.http_semantics) instead of the whole script. Weak: it names the content, which the
    compression middleware may send gzipped or not (its gzip bytes carry a time)."""
    data = content.encode() if isinstance(content, str) else content
    return 'W/"' + hashlib.sha256(data).hexdigest()[:32] + '"'


@get("/sw.js", exclude_from_auth=True, include_in_schema=False)
async def service_worker(request: Request) -> Response:
    # The worker controls only paths under its own URL, so it is served from the root; no-cache
    # makes browsers check for a new version on every navigation. Its first line carries the
    # version and the shell to precache (sodamolek.web.offline).
    codes = [t["code"] for t in await letters.list_letter_types()]
    script = service_worker_script(request.app.state.settings.release, codes)
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/", "ETag": etag(script)},
    )


@get("/sw-logic.js", exclude_from_auth=True, include_in_schema=False)
async def service_worker_logic() -> File:
    """The service worker's pure rules (service_worker/logic.js); sw.js importScripts() it. A
    change to it changes the worker's version, so browsers fetch it again with the new worker."""
    return File(
        SERVICE_WORKER_DIR / "logic.js",
        media_type="text/javascript",
        content_disposition_type="inline",
        headers={"Cache-Control": "no-cache"},
    )


@get("/sw-warga.js", exclude_from_auth=True, include_in_schema=False)
async def resident_service_worker(request: Request) -> Response:
    """The resident's app (scope /lacak): only what the tracking pages need."""
    script = resident_worker_script(request.app.state.settings.release)
    return Response(
        script,
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": SCOPE,
            "ETag": etag(script),
        },
    )


@get("/luring", exclude_from_auth=True, include_in_schema=False, name="offline")
async def offline_page() -> Template:
    """What the service worker shows for a page it has not kept when there is no network. Made
    for the cache: nothing about the visitor on it."""
    return Template("offline.html", headers={"Cache-Control": "no-cache"})


@get("/manifest.webmanifest", exclude_from_auth=True, include_in_schema=False)
async def manifest() -> File:
    return File(
        STATIC_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        content_disposition_type="inline",
        headers={"Cache-Control": "no-cache"},
    )


@get("/lacak/manifest.webmanifest", exclude_from_auth=True, include_in_schema=False)
async def resident_manifest() -> File:
    """The resident's installable app: starts at /lacak, stays within it."""
    return File(
        STATIC_DIR / "lacak.webmanifest",
        media_type="application/manifest+json",
        content_disposition_type="inline",
        headers={"Cache-Control": "no-cache"},
    )
