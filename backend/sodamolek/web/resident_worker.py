"""The resident's own service worker, /sw-warga.js (scope /lacak): the "Lacak Surat" app.

The operator's worker (/sw.js) precaches htmx, idb, the outbox and every counter form: 55 KB a
resident never uses. This one keeps only what the tracking pages need — the stylesheet, their
two small scripts, the icons — plus /lacak, the installed app's start page, and every tracking
page the phone has opened (the first visit included), for use with no network.

/sw-warga.js is service_worker/sw-warga.js with one line in front:
    self.SODAMOLEK_RESIDENT = {"version": ..., "static": [...], "start": "/lacak"};
the version is a hash of the worker, the static files and the resident templates, so a release
that changes them installs a new worker, which drops the old static cache. The tracking pages'
cache keeps its name across versions: a new release does not take a resident's last status away.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from sodamolek.core.paths import SERVICE_WORKER_DIR, STATIC_DIR, TEMPLATES_DIR
from sodamolek.web.templating import static_url

SCOPE = "/lacak"
START_PAGE = "/lacak"
RESIDENT_STATIC = (
    "css/app.css",
    "js/sw-register.js",
    "js/tracking.js",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/badge-72.png",
)
_TEMPLATES = ("public_base.html", "tracking")


@cache
def _digest() -> str:
    digest = hashlib.sha256()
    files = [SERVICE_WORKER_DIR / "sw-warga.js", SERVICE_WORKER_DIR / "push.js"]
    files += [STATIC_DIR / name for name in RESIDENT_STATIC]
    for name in _TEMPLATES:
        path = TEMPLATES_DIR / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def resident_worker_script(release: str) -> str:
    version = hashlib.sha256(f"{_digest()}:{release}".encode()).hexdigest()[:16]
    info = {
        "version": version,
        "static": [static_url(name) for name in RESIDENT_STATIC],
        "start": START_PAGE,
    }
    source = (SERVICE_WORKER_DIR / "sw-warga.js").read_text(encoding="utf-8")
    return (
        "// Written by the server (sodamolek.web.resident_worker): this release's version.\n"
        f"self.SODAMOLEK_RESIDENT = {json.dumps(info, separators=(',', ':'))};\n" + source
    )
