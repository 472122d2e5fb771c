"""Login, throttling, session rotation, logout, timeouts."""

import time

import httpx
import msgspec

from sodamolek.accounts.sessions import SESSION_COOKIE, _hash
from sodamolek.accounts.tables import WebSession
from tests.conftest import PASSWORD, csrf_from, login


async def test_login_success_lands_on_home(client, staff):
    response = await login(client, staff.operator)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert home.status_code == 200
    assert "Operator Oebobo" in home.text
    assert "Kelurahan Oebobo" in home.text


async def test_login_returns_to_requested_page_but_never_offsite(client, staff):
    page = await client.get("/masuk?lanjut=/kantor")
    token = csrf_from(page.text)
    response = await client.post(
        "/masuk",
        data={
            "username": staff.admin,
            "password": PASSWORD,
            "lanjut": "//evil.example/x",
            "_csrf_token": token,
        },
    )
    assert response.headers["location"] == "/"


async def test_unauthenticated_page_redirects_to_login(client):
    response = await client.get("/kantor")
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/masuk?lanjut=/kantor"


async def test_wrong_password_and_unknown_user_get_the_same_answer(client, staff):
    wrong = await login(client, staff.operator, "kata-sandi-salah-1")
    unknown = await login(client, "tidak.ada", "kata-sandi-salah-1")
    assert wrong.status_code == unknown.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in wrong.text
    assert "Nama pengguna atau kata sandi salah." in unknown.text
    assert SESSION_COOKIE not in wrong.cookies
    assert (await client.get("/")).status_code in (302, 303)


async def test_disabled_account_cannot_log_in(client, staff):
    from sodamolek.accounts.tables import Account

    await Account.update({Account.is_active: False}).where(Account.username == staff.operator)
    response = await login(client, staff.operator)
    assert response.status_code == 401


async def test_five_failures_hold_back_that_account_from_that_address_only(app, client, staff):
    for _ in range(5):
        assert (await login(client, staff.operator, "salah-salah-salah")).status_code == 401
    throttled = await login(client, staff.operator, PASSWORD)
    assert throttled.status_code == 429
    assert "Terlalu banyak percobaan" in throttled.text
    assert 1 <= int(throttled.headers["retry-after"]) <= 31
    # Another account from the same address is not blocked by this one's failures.
    assert (await login(client, staff.lurah)).status_code == 303
    # The real user, at another address, logs in with the right password.
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        assert (await login(elsewhere, staff.operator)).status_code == 303


async def test_address_is_throttled_across_accounts(client, staff, settings):
    for i in range(settings.login_max_failures_per_address):
        assert (await login(client, f"orang.{i}", "salah-salah-salah")).status_code == 401
    assert (await login(client, staff.admin)).status_code == 429


async def test_failures_before_a_success_do_not_count_against_the_account(client, staff):
    for _ in range(4):
        await login(client, staff.operator, "salah-salah-salah")
    assert (await login(client, staff.operator)).status_code == 303
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    for _ in range(4):
        assert (await login(client, staff.operator, "salah-salah-salah")).status_code == 401
    assert (await login(client, staff.operator)).status_code == 303


async def test_session_id_is_rotated_at_login(client, staff):
    planted = "a" * 64
    client.cookies.set(SESSION_COOKIE, planted)
    response = await login(client, staff.operator)
    assert response.status_code == 303
    new_id = response.cookies[SESSION_COOKIE]
    assert new_id != planted
    assert await WebSession.exists().where(WebSession.key_hash == _hash(new_id))
    assert not await WebSession.exists().where(WebSession.key_hash == _hash(planted))

    # Logging in again, on the same browser, also gives a new id and ends the old one.
    token = csrf_from((await client.get("/")).text)
    again = await client.post(
        "/masuk", data={"username": staff.operator, "password": PASSWORD, "_csrf_token": token}
    )
    assert again.cookies[SESSION_COOKIE] != new_id
    assert not await WebSession.exists().where(WebSession.key_hash == _hash(new_id))


async def test_logout_ends_the_session_on_the_server(client, staff, app):
    await login(client, staff.operator)
    old_cookie = client.cookies[SESSION_COOKIE]
    home = await client.get("/")
    response = await client.post("/keluar", data={"_csrf_token": csrf_from(home.text)})
    assert response.status_code == 303
    assert not await WebSession.exists().where(WebSession.key_hash == _hash(old_cookie))

    # Replaying the old cookie (a copy kept by someone) opens nothing.
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, old_cookie)
    assert (await client.get("/")).status_code in (302, 303)


async def test_idle_session_expires(client, staff):
    await login(client, staff.operator)
    key = _hash(client.cookies[SESSION_COOKIE])
    import datetime as dt

    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    await WebSession.update({WebSession.expires_at: past}).where(WebSession.key_hash == key)
    assert (await client.get("/")).status_code in (302, 303)


async def test_session_older_than_absolute_limit_expires_even_when_active(client, staff):
    await login(client, staff.operator)
    key = _hash(client.cookies[SESSION_COOKIE])
    row = await WebSession.select(WebSession.data).where(WebSession.key_hash == key).first()
    data = msgspec.json.decode(bytes(row["data"]))
    assert (await client.get("/")).status_code == 200
    data["login_at"] = int(time.time()) - 13 * 3600
    await WebSession.update({WebSession.data: msgspec.json.encode(data)}).where(
        WebSession.key_hash == key
    )
    assert (await client.get("/")).status_code in (302, 303)


async def test_empty_fields_get_a_clear_message(client, staff):
    page = await client.get("/masuk")
    response = await client.post(
        "/masuk", data={"username": "", "password": "", "_csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 422
    assert "Isi nama pengguna dan kata sandi." in response.text


async def test_each_staff_page_sends_the_same_session_cookie_again_with_its_idle_limit(
    client, staff, settings
):
    await login(client, staff.operator)
    session_id = client.cookies[SESSION_COOKIE]
    page = await client.get("/permohonan")
    assert page.status_code == 200
    cookie = next(v for k, v in page.headers.multi_items() if k == "set-cookie" and "sesi" in v)
    assert cookie.startswith(f"{SESSION_COOKIE}={session_id};")
    assert f"Max-Age={settings.session_idle_minutes * 60};" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_the_session_read_raw_gives_the_values_piccolo_reads(client, staff):
    # The session is read without Piccolo's converters on SQLite (every staff request): its
    # timestamp decoded by hand must be the converter's, in UTC, and its ids integers.
    from sodamolek.accounts.sessions import DatabaseSessionStore
    from sodamolek.db import as_utc

    await login(client, staff.operator)
    session_id = client.cookies[SESSION_COOKIE]
    row = await DatabaseSessionStore().get_with_account(session_id)
    stored = await WebSession.select().where(WebSession.key_hash == _hash(session_id)).first()
    assert row is not None and stored is not None
    assert row["expires_at"] == as_utc(stored["expires_at"])
    assert row["expires_at"].utcoffset() is not None
    assert bytes(row["data"]) == bytes(stored["data"])
    assert row["id"] == stored["account_id"] and type(row["id"]) is int
    assert type(row["kelurahan"]) is int and row["username"] == staff.operator
