"""What the service worker needs from the server: its version and the app shell to precache.

/sw.js is service_worker/sw.js with one line in front, written here:
    self.SODAMOLEK_BUILD = {"version": ..., "static": [...], "pages": [...], ...};
The version is a hash of everything the shell is made of (the worker's own code, the static files,
the templates, the letter types, SODAMOLEK_RELEASE). Any change gives /sw.js other bytes, so the
browser installs the new worker, which fills a new cache and deletes the old ones. The outbox
lives in IndexedDB, not in a cache, so nothing queued is touched by that.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from sodamolek.core.paths import SERVICE_WORKER_DIR, STATIC_DIR, TEMPLATES_DIR
from sodamolek.web.templating import static_url

# Static files of the operator app, cache-first under their content-hashed URLs.
SHELL_STATIC = (
    "css/app.css",
    "vendor/htmx-2.0.11.min.js",
    "vendor/idb-8.0.4.umd.js",
    "js/sw-register.js",
    "js/app.js",
    "js/outbox-db.js",
    "js/request-form.js",
    "js/applicant-lookup.js",
    "js/outbox-page.js",
    "icons/icon.svg",
)
# Pages with no personal data, served network-first and from the cache with no network. The
# queue page is cached as its shell only (see desk.views.queue_page): its list of
# requests never goes into the cache.
SHELL_PAGES = ("/", "/permohonan", "/permohonan/baru", "/permohonan/antrean-perangkat")
OFFLINE_PAGE = "/luring"


def shell_pages(letter_codes: list[str]) -> list[str]:
    return [*SHELL_PAGES, *(f"/permohonan/baru/{code}" for code in letter_codes)]


@cache
def _code_digest() -> str:
    """The worker, the static files and the templates (read once per process)."""
    digest = hashlib.sha256()
    for folder in (SERVICE_WORKER_DIR, STATIC_DIR, TEMPLATES_DIR):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_info(release: str, letter_codes: list[str]) -> dict:
    pages = shell_pages(letter_codes)
    version = hashlib.sha256(json.dumps([_code_digest(), release, pages]).encode()).hexdigest()[:16]
    return {
        "version": version,
        "static": [static_url(name) for name in SHELL_STATIC] + ["/manifest.webmanifest"],
        "pages": pages,
        "offline": OFFLINE_PAGE,
        "scripts": {
            "idb": static_url("vendor/idb-8.0.4.umd.js"),
            "outbox": static_url("js/outbox-db.js"),
        },
        "css": static_url("css/app.css"),
    }


def service_worker_script(release: str, letter_codes: list[str]) -> str:
    info = build_info(release, letter_codes)
    source = (SERVICE_WORKER_DIR / "sw.js").read_text(encoding="utf-8")
    return (
        "// Written by the server (sodamolek.web.offline): this release's version and shell.\n"
        f"self.SODAMOLEK_BUILD = {json.dumps(info, separators=(',', ':'))};\n" + source
    )
