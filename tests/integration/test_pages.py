"""Health, security headers, error pages, the service worker and page weight."""

import gzip
import re

from tests.conftest import login


async def test_health_reports_engine_and_reachability(client, settings):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["reachable"] is True
    assert body["database"]["engine"] == (
        "postgresql" if settings.engine == "postgres" else "sqlite"
    )


async def test_security_headers_on_pages_and_errors(client):
    for path in ["/masuk", "/halaman-yang-tidak-ada", "/health"]:
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_no_inline_script_in_pages(client, staff):
    await login(client, staff.admin)
    for path in ["/masuk", "/", "/kantor", "/admin/pengguna"]:
        html = (await client.get(path)).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}"
        assert " on" not in " ".join(re.findall(r"<[^>]+ on[a-z]+=", html))


async def test_not_found_page_is_indonesian(client):
    response = await client.get("/tidak-ada")
    assert response.status_code == 404
    assert '<html lang="id">' in response.text
    assert "Halaman tidak ditemukan" in response.text


async def test_server_error_page_is_indonesian_and_hides_details(app, client):
    from litestar import get

    from tests.conftest import not_reused

    @get("/_meledak", exclude_from_auth=True)
    async def explode() -> None:
        raise RuntimeError("rahasia internal")

    not_reused(app).register(explode)
    response = await client.get("/_meledak")
    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.text
    assert "rahasia internal" not in response.text


async def test_service_worker_is_served_from_root_without_cache(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "addEventListener" in response.text


async def test_htmx_is_vendored_not_from_a_cdn(client):
    html = (await client.get("/masuk")).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith("/") for s in sources), sources
    htmx = next(s for s in sources if "htmx" in s)
    body = (await client.get(htmx)).text
    assert 'version:"2.0.' in body.replace(" ", "")


async def test_login_page_first_load_is_under_60_kb_compressed(client):
    """The page and everything it loads, as a browser would fetch it with gzip."""
    html_size, html = await _fetch_on_the_wire(client, "/masuk")
    total = html_size
    resources = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', html.decode()))
    assert len(resources) >= 4  # css, icon, manifest, htmx, app.js
    for url in resources:
        size, _ = await _fetch_on_the_wire(client, url)
        total += size
    print(f"login page first load: {total} bytes compressed")
    assert total <= 60 * 1024


async def _fetch_on_the_wire(client, url) -> tuple[int, bytes]:
    """Bytes as they travelled (compressed when the server compressed) and the decoded body."""
    async with client.stream("GET", url, headers={"accept-encoding": "gzip"}) as response:
        assert response.status_code == 200, url
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        compressed = response.headers.get("content-encoding") == "gzip"
    return len(raw), gzip.decompress(raw) if compressed else raw


async def test_pages_link_their_static_files_by_content(client, staff):
    import hashlib

    from sodamolek.core.paths import STATIC_DIR

    await login(client, staff.operator)
    seen = set()
    for path in ["/", "/permohonan", "/lacak"]:
        html = (await client.get(path)).text
        for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            name, digest = re.fullmatch(r"/static/(.+)\?v=([0-9a-f]{10})", url).groups()
            assert hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10] == digest
            seen.add(name)
    # The staff pages' and the resident's scripts, styles and icons.
    assert {"css/app.css", "js/app.js", "js/tracking.js", "icons/icon.svg"} <= seen
