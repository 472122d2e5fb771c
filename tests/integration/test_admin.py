"""The admin's pages: accounts (create, disable, enable, reset password — sessions end) and
offices (details, signer, letter number format, paper size)."""

import httpx
import pytest

from sodamolek.accounts.tables import Account, WebSession
from sodamolek.regions.service import find_kecamatan, find_kelurahan
from tests.conftest import PASSWORD, csrf_from, login

NEW_PASSWORD = "kata-sandi-baru-456"


async def _token(client, path="/admin/pengguna"):
    return csrf_from((await client.get(path)).text)


async def _account_id(username):
    return (await Account.select(Account.id).where(Account.username == username).first())["id"]


def _second_client(app):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50001))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize("who", ["operator", "lurah", "camat"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/pengguna/baru"),
        ("post", "/admin/pengguna"),
        ("post", "/admin/pengguna/1/nonaktifkan"),
        ("post", "/admin/pengguna/1/aktifkan"),
        ("get", "/admin/pengguna/1/sandi"),
        ("post", "/admin/pengguna/1/sandi"),
        ("get", "/admin/kantor"),
        ("get", "/admin/kantor/kelurahan/1"),
        ("post", "/admin/kantor/kelurahan/1"),
        ("get", "/admin/kantor/kecamatan/1"),
        ("post", "/admin/kantor/kecamatan/1"),
    ],
)
async def test_only_the_admin(client, staff, who, method, path):
    await login(client, getattr(staff, who))
    token = csrf_from((await client.get("/")).text)
    if method == "get":
        response = await client.get(path)
    else:
        response = await client.post(path, data={"_csrf_token": token})
    assert response.status_code == 403


async def test_admin_posts_need_csrf(client, staff):
    await login(client, staff.admin)
    target = await _account_id(staff.operator)
    response = await client.post(f"/admin/pengguna/{target}/nonaktifkan", data={})
    assert response.status_code == 403
    assert (await Account.select(Account.is_active).where(Account.id == target).first())[
        "is_active"
    ]


async def test_create_user_then_they_can_log_in(client, staff):
    await login(client, staff.admin)
    form = await client.get("/admin/pengguna/baru")
    assert form.status_code == 200
    response = await client.post(
        "/admin/pengguna",
        data={
            "_csrf_token": csrf_from(form.text),
            "username": "Op.Oebufu",
            "full_name": "Yanti Lay",
            "role": "operator",
            "kelurahan": "53.71.04.1009",
            "kecamatan": "53.71.01",
            "nip": "",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303, response.text
    listing = await client.get(response.headers["location"])
    assert "Akun baru sudah dibuat" in listing.text and "op.oebufu" in listing.text
    row = await Account.select().where(Account.username == "op.oebufu").first()
    # Only the office of the role is kept, whatever else the form sent.
    assert row["kelurahan"] is not None and row["kecamatan"] is None
    other = _second_client(client._transport.app)
    async with other:
        assert (await login(other, "op.oebufu", NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "x"}, "username", "Nama pengguna 3–64 karakter"),
        ({"username": "op.oebobo"}, "username", "sudah dipakai"),
        ({"full_name": ""}, "full_name", "Nama lengkap 3–120 karakter"),
        ({"kelurahan": ""}, "kelurahan", "Pilih kelurahan"),
        ({"role": "camat", "kecamatan": ""}, "kecamatan", "Pilih kecamatan"),
        ({"password": "pendek", "password_confirm": "pendek"}, "password", "minimal 10"),
        ({"password_confirm": "lain-sekali-123"}, "password_confirm", "Ulangi kata sandi"),
        ({"nip": "12345"}, "nip", "NIP harus 18 angka"),
        ({"role": "raja"}, "role", "tidak dikenal"),
    ],
)
async def test_create_user_refuses_with_a_message_and_keeps_input(
    client, staff, changes, field, message
):
    await login(client, staff.admin)
    token = await _token(client, "/admin/pengguna/baru")
    data = {
        "_csrf_token": token,
        "username": "op.baru",
        "full_name": "Yanti Lay",
        "role": "operator",
        "kelurahan": "53.71.04.1009",
        "kecamatan": "",
        "nip": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    } | changes
    response = await client.post("/admin/pengguna", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Yanti Lay"' in response.text or field == "full_name"
    assert NEW_PASSWORD not in response.text  # a password is never echoed back
    assert not await Account.exists().where(Account.username == "op.baru")


async def test_disabling_ends_the_live_session_for_good(client, app, staff):
    operator = _second_client(app)
    async with operator:
        await login(operator, staff.operator)
        assert (await operator.get("/permohonan")).status_code == 200
        target = await _account_id(staff.operator)
        assert await WebSession.count().where(WebSession.account_id == target) == 1

        await login(client, staff.admin)
        response = await client.post(
            f"/admin/pengguna/{target}/nonaktifkan", data={"_csrf_token": await _token(client)}
        )
        assert response.status_code == 303
        assert await WebSession.count().where(WebSession.account_id == target) == 0
        after = await operator.get("/permohonan")
        assert after.status_code in (302, 303)
        assert after.headers["location"].startswith("/masuk")

        # Enabled again, the old session stays dead: it was deleted, not just refused.
        await client.post(
            f"/admin/pengguna/{target}/aktifkan", data={"_csrf_token": await _token(client)}
        )
        again = await operator.get("/permohonan")
        assert again.status_code in (302, 303) and again.headers["location"].startswith("/masuk")
        assert (await login(operator, staff.operator)).status_code == 303


async def test_disabled_user_cannot_log_in(client, app, staff):
    await login(client, staff.admin)
    target = await _account_id(staff.lurah)
    await client.post(
        f"/admin/pengguna/{target}/nonaktifkan", data={"_csrf_token": await _token(client)}
    )
    other = _second_client(app)
    async with other:
        assert (await login(other, staff.lurah)).status_code == 401


async def test_admin_cannot_disable_himself(client, staff):
    await login(client, staff.admin)
    me = await _account_id(staff.admin)
    response = await client.post(
        f"/admin/pengguna/{me}/nonaktifkan", data={"_csrf_token": await _token(client)}
    )
    assert response.status_code == 409
    assert "akun Anda sendiri" in response.text
    assert (await client.get("/admin/pengguna")).status_code == 200


async def test_reset_password_ends_sessions_and_the_new_one_works(client, app, staff):
    operator = _second_client(app)
    async with operator:
        await login(operator, staff.operator)
        assert (await operator.get("/permohonan")).status_code == 200
        target = await _account_id(staff.operator)

        await login(client, staff.admin)
        path = f"/admin/pengguna/{target}/sandi"
        token = await _token(client, path)
        short = await client.post(
            path, data={"_csrf_token": token, "password": "pendek", "password_confirm": "pendek"}
        )
        assert short.status_code == 422 and "minimal 10" in short.text
        assert (await operator.get("/permohonan")).status_code == 200  # nothing changed yet
        done = await client.post(
            path,
            data={"_csrf_token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
        assert done.status_code == 303

        # The account is still active, so only the deleted session explains this redirect.
        after = await operator.get("/permohonan")
        assert after.status_code in (302, 303) and after.headers["location"].startswith("/masuk")
        assert (await login(operator, staff.operator, PASSWORD)).status_code == 401
        assert (await login(operator, staff.operator, NEW_PASSWORD)).status_code == 303


async def test_unknown_account_is_404(client, staff):
    await login(client, staff.admin)
    token = await _token(client)
    assert (await client.get("/admin/pengguna/99999/sandi")).status_code == 404
    response = await client.post("/admin/pengguna/99999/nonaktifkan", data={"_csrf_token": token})
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Offices

VALID_OFFICE = {
    "address": "Jl. Frans Seda No. 1, Oebobo",
    "phone": "(0380) 821234",
    "hours": "Senin–Jumat 08.00–15.00 WITA",
    "lurah_name": "Markus Ndun, S.Sos.",
    "lurah_title": "Lurah",
    "lurah_nip": "1978 0512 2005 01 1 003",
    "letter_number_format": "{kode}/{nomor:04}/KEL-OBB/{bulan_romawi}/{tahun}",
    "paper_size": "f4",
}


async def test_admin_edits_a_kelurahan_office(client, staff):
    office = await find_kelurahan("53.71.04.1001")
    await login(client, staff.admin)
    listing = await client.get("/admin/kantor")
    assert f'href="/admin/kantor/kelurahan/{office["id"]}"' in listing.text
    path = f"/admin/kantor/kelurahan/{office['id']}"
    form = await client.get(path)
    assert 'value="{kode}/{nomor:03}/{kode_kelurahan}/{bulan_romawi}/{tahun}"' in form.text
    response = await client.post(path, data={"_csrf_token": csrf_from(form.text), **VALID_OFFICE})
    assert response.status_code == 303
    saved = await find_kelurahan("53.71.04.1001")
    assert saved["lurah_nip"] == "197805122005011003"
    assert saved["paper_size"] == "F4"
    assert saved["letter_number_format"] == VALID_OFFICE["letter_number_format"]
    assert saved["phone"] == "(0380) 821234"
    # The resident's tracking page shows the office as saved.
    assert "Data kantor sudah disimpan" in (await client.get(response.headers["location"])).text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"letter_number_format": "{kode}/{kode_kelurahan}/{tahun}"}, "harus memuat {nomor}"),
        ({"letter_number_format": "{nomor}/{rahasia}"}, "Bagian {rahasia} tidak dikenal"),
        ({"letter_number_format": "{nomor}/{tahun"}, "kurung kurawal"),
        ({"letter_number_format": "{nomor.__class__}"}, "tidak dikenal"),
        ({"letter_number_format": "{nomor!r}"}, "lebar angka"),
        ({"paper_size": "A3"}, "A4 atau F4"),
        ({"lurah_nip": "19781312200501100"}, "18 angka"),
        ({"lurah_nip": "197813122005011003"}, "tanggal lahir"),
        ({"lurah_nip": "197805122005013003"}, "jenis kelamin"),
        ({"lurah_name": " "}, "Nama lurah wajib diisi"),
        ({"hours": ""}, "Jam layanan wajib diisi"),
        ({"phone": "telepon kantor"}, "Nomor telepon tidak sah"),
    ],
)
async def test_kelurahan_office_refuses_bad_input(client, staff, changes, message):
    office = await find_kelurahan("53.71.04.1001")
    await login(client, staff.admin)
    path = f"/admin/kantor/kelurahan/{office['id']}"
    token = await _token(client, path)
    response = await client.post(path, data={"_csrf_token": token, **VALID_OFFICE, **changes})
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Markus Ndun, S.Sos."' in response.text or "lurah_name" in changes
    assert (await find_kelurahan("53.71.04.1001"))["lurah_name"] == office["lurah_name"]


async def test_admin_edits_a_kecamatan_office(client, staff):
    office = await find_kecamatan("53.71.04")
    await login(client, staff.admin)
    path = f"/admin/kantor/kecamatan/{office['id']}"
    token = await _token(client, path)
    bad = await client.post(
        path,
        data={
            "_csrf_token": token,
            "camat_name": "Drs. Yohanes Benu",
            "camat_nip": "123",
            "address": "Jl. Eltari",
        },
    )
    assert bad.status_code == 422 and "NIP harus 18 angka" in bad.text
    assert 'value="Drs. Yohanes Benu"' in bad.text
    good = await client.post(
        path,
        data={
            "_csrf_token": token,
            "camat_name": "Drs. Yohanes Benu",
            "camat_nip": "197001011995031004",
            "address": "Jl. Eltari, Oebobo",
        },
    )
    assert good.status_code == 303
    saved = await find_kecamatan("53.71.04")
    assert (saved["camat_name"], saved["camat_nip"]) == ("Drs. Yohanes Benu", "197001011995031004")
    assert (await client.get("/admin/kantor/kecamatan/99999")).status_code == 404


async def test_a_live_session_of_an_account_made_inactive_is_refused(client, staff):
    """The session and its account are read in one statement (accounts.sessions): an inactive
    account's session gets no user even while its row is still there."""
    await login(client, staff.operator)
    assert (await client.get("/permohonan")).status_code == 200
    target = await _account_id(staff.operator)
    await Account.update({Account.is_active: False}).where(Account.id == target)
    assert await WebSession.count().where(WebSession.account_id == target) == 1
    refused = await client.get("/permohonan")
    assert refused.status_code in (302, 303)
    assert refused.headers["location"].startswith("/masuk")
