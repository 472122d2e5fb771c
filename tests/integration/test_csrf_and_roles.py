"""CSRF on unsafe requests, and which role may open which page."""

import pytest

from sodamolek.accounts.sessions import SESSION_COOKIE
from tests.conftest import PASSWORD, csrf_from, login


async def test_login_post_without_csrf_token_is_rejected(client, staff):
    await client.get("/masuk")
    response = await client.post("/masuk", data={"username": staff.operator, "password": PASSWORD})
    assert response.status_code == 403
    assert "Muat ulang halaman" in response.text
    assert SESSION_COOKIE not in response.cookies


async def test_logout_with_a_forged_token_is_rejected_and_session_survives(client, staff):
    await login(client, staff.operator)
    response = await client.post("/keluar", data={"_csrf_token": "palsu"})
    assert response.status_code == 403
    assert (await client.get("/")).status_code == 200


async def test_htmx_style_header_token_is_accepted(client, staff):
    await login(client, staff.operator)
    home = await client.get("/")
    token = csrf_from(home.text)
    assert f'"X-CSRFToken": "{token}"' in home.text  # htmx sends it on every request
    response = await client.post("/keluar", headers={"X-CSRFToken": token})
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("operator", "/admin/pengguna", 403),
        ("lurah", "/admin/pengguna", 403),
        ("camat", "/admin/pengguna", 403),
        ("admin", "/admin/pengguna", 200),
        ("operator", "/kantor", 403),
        ("lurah", "/kantor", 403),
        ("camat", "/kantor", 200),
        ("admin", "/kantor", 200),
    ],
)
async def test_role_pages(client, staff, who, path, status):
    await login(client, getattr(staff, who))
    response = await client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "Akses ditolak" in response.text


async def test_camat_sees_only_his_kecamatan(client, staff):
    from sodamolek.regions.service import read_wilayah

    await login(client, staff.camat)
    page = await client.get("/kantor")
    oebobo = [r for r in read_wilayah() if r.kecamatan_code == "53.71.04"]
    assert f"{len(oebobo)} kantor kelurahan" in page.text
    assert "Namosain" not in page.text
    for row in oebobo:
        assert row.kelurahan_code in page.text


async def test_navigation_is_role_aware(client, staff):
    await login(client, staff.operator)
    operator_home = (await client.get("/")).text
    assert 'href="/admin/pengguna"' not in operator_home
    await client.post("/keluar", data={"_csrf_token": csrf_from(operator_home)})
    await login(client, staff.admin)
    assert 'href="/admin/pengguna"' in (await client.get("/")).text
