"""Every route that takes a request id answers 404 outside the user's offices.

Add each new id-taking route to ROUTES: the matrix is the guard against a forgotten scope."""

import pytest

from sodamolek.accounts.service import create_account
from tests.conftest import PASSWORD, csrf_from, login
from tests.integration.test_request_views import create, request_id_from

ROUTES = [
    ("GET", "/permohonan/{id}"),
    ("GET", "/permohonan/{id}/tanda-terima"),
    ("POST", "/permohonan/{id}/status"),
    ("GET", "/api/v1/permohonan/{id}"),
    ("POST", "/api/v1/permohonan/{id}/transisi"),
]


@pytest.fixture
async def foreign_request(client, staff):
    """A request at Kelurahan Oebobo (Kecamatan Oebobo), and a camat of Kecamatan Alak."""
    await create_account(
        username="camat.alak",
        full_name="Camat Alak",
        role="camat",
        password=PASSWORD,
        kecamatan="53.71.01",
    )
    await login(client, staff.operator)
    rid = request_id_from(await create(client))
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    return rid


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("outsider", ["other_operator", "camat.alak"])
async def test_outsiders_get_404(client, staff, foreign_request, method, path, outsider):
    username = getattr(staff, outsider, outsider)
    await login(client, username)
    token = csrf_from((await client.get("/")).text)
    url = path.format(id=foreign_request)
    if method == "GET":
        response = await client.get(url)
    elif url.startswith("/api/"):
        response = await client.post(url, json={"to": "cancelled"}, headers={"X-CSRFToken": token})
    else:
        response = await client.post(url, data={"_csrf_token": token, "to": "cancelled"})
    # The camat of Alak may not use counter routes at all (403) — never 200, never a leak.
    assert response.status_code in ((404,) if outsider == "other_operator" else (403, 404))
    assert "Maria Ndun" not in response.text


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_an_id_that_does_not_exist_is_404_too(client, staff, method, path):
    await login(client, staff.operator)
    token = csrf_from((await client.get("/")).text)
    url = path.format(id=999999)
    if method == "GET":
        response = await client.get(url)
    elif url.startswith("/api/"):
        response = await client.post(url, json={"to": "cancelled"}, headers={"X-CSRFToken": token})
    else:
        response = await client.post(url, data={"_csrf_token": token})
    assert response.status_code == 404


async def test_camat_of_another_kecamatan_does_not_see_it_in_the_queue(
    client, staff, foreign_request
):
    await login(client, "camat.alak")
    page = await client.get("/permohonan")
    assert "0 permohonan" in page.text
    assert (await client.get(f"/permohonan/{foreign_request}")).status_code == 404
