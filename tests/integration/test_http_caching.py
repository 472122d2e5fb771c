"""What browsers may keep: nothing by default (pages and JSON may carry a NIK or a name), only
what opts in (static files, the service worker, manifests, the offline page); logout clears
the HTTP cache but never the site's storage (the offline outbox)."""

from __future__ import annotations

import re
import uuid

from sodamolek.accounts import tokens
from tests.conftest import csrf_from, login

BODY = {
    "letter_type": "domisili",
    "applicant": {"nik": "5371045708900003", "name": "Maria Ndun", "address": "Jl. El Tari 5"},
    "data": {"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5, Oebobo"},
    "requirements_checked": ["Surat pengantar RT/RW"],
}


async def test_every_page_and_json_with_personal_data_is_no_store(client, staff):
    _, token = await tokens.create_token(None, "SIAK Kota", "53.71.04.1001")
    bearer = {"Authorization": f"Bearer {token}"}
    created = await client.post(
        "/api/v1/permohonan", json=BODY, headers=bearer | {"Idempotency-Key": str(uuid.uuid4())}
    )
    assert created.status_code == 201
    item = created.json()
    assert created.headers["cache-control"] == "no-store"
    assert (await client.get(f"/api/v1/permohonan/{item['id']}", headers=bearer)).headers[
        "cache-control"
    ] == "no-store"
    await login(client, staff.operator)
    pages = [
        "/",
        "/permohonan",
        f"/permohonan/{item['id']}",
        f"/permohonan/{item['id']}/tanda-terima",
        f"/lacak/{item['tracking_code']}",
        "/permohonan/999999",  # an error page
        "/tidak-ada",
    ]
    for path in pages:
        response = await client.get(path)
        assert response.headers.get("cache-control") == "no-store", (path, response.status_code)
    assert "Maria" in (await client.get(f"/permohonan/{item['id']}")).text


async def test_only_files_without_personal_data_opt_into_caching(client):
    for path in ["/sw.js", "/manifest.webmanifest", "/lacak/manifest.webmanifest", "/luring"]:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-cache", path
    page = await client.get("/masuk")
    css = re.search(r'href="(/static/css/app\.css[^"]*)"', page.text).group(1)
    static = await client.get(css)
    assert static.status_code == 200
    assert "max-age=31536000" in static.headers["cache-control"]


async def test_logout_clears_the_cache_never_the_storage(client, staff):
    await login(client, staff.operator)
    response = await client.post(
        "/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)}
    )
    assert response.status_code == 303
    assert response.headers["clear-site-data"] == '"cache"'
    assert "storage" not in response.headers["clear-site-data"]
