"""CSRF tokens are bound to the session, and unsafe requests from another site are refused."""

from __future__ import annotations

import uuid

import httpx

from sodamolek.accounts import tokens
from sodamolek.app import CSRF_COOKIE
from tests.conftest import PASSWORD, csrf_from, login
from tests.integration.test_idempotency_scope import BODY


async def test_an_anonymous_pair_does_not_work_with_a_staff_session(app, client, staff):
    transport = httpx.ASGITransport(app=app, client=("198.51.100.66", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as attacker:
        planted_token = csrf_from((await attacker.get("/masuk")).text)
        planted_cookie = attacker.cookies[CSRF_COOKIE]
    await login(client, staff.operator)
    # The attacker's pair is a valid double submit, but not this session's.
    client.cookies.set(CSRF_COOKIE, planted_cookie)
    refused = await client.post("/keluar", data={"_csrf_token": planted_token})
    assert refused.status_code == 403
    assert "Sesi formulir sudah kedaluwarsa" in refused.text
    assert (await client.get("/")).status_code == 200  # still logged in: nothing happened


async def test_the_login_replaces_the_token_of_the_login_page(client, staff):
    before = csrf_from((await client.get("/masuk")).text)
    cookie_before = client.cookies[CSRF_COOKIE]
    response = await client.post(
        "/masuk", data={"username": staff.operator, "password": PASSWORD, "_csrf_token": before}
    )
    assert response.status_code == 303
    assert client.cookies[CSRF_COOKIE] != cookie_before
    assert (await client.post("/keluar", data={"_csrf_token": before})).status_code == 403
    fresh = csrf_from((await client.get("/")).text)
    assert (await client.post("/keluar", data={"_csrf_token": fresh})).status_code == 303


async def test_unsafe_requests_from_another_site_are_refused(client, staff):
    token = csrf_from((await client.get("/masuk")).text)
    form = {"username": staff.operator, "password": PASSWORD, "_csrf_token": token}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        refused = await client.post("/masuk", data=form, headers=headers)
        assert refused.status_code == 403, headers
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert (await client.post("/masuk", data=form, headers=same)).status_code == 303


async def test_the_session_api_needs_this_sessions_token(client, staff):
    await login(client, staff.operator)
    token = csrf_from((await client.get("/")).text)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    other = await client.post(
        "/api/v1/permohonan",
        json=BODY,
        headers=key | {"Origin": "https://evil.example", "X-CSRFToken": token},
    )
    assert other.status_code == 403
    ok = await client.post("/api/v1/permohonan", json=BODY, headers=key | {"X-CSRFToken": token})
    assert ok.status_code == 201


async def test_a_bearer_token_is_not_held_to_the_browsers_rules(client):
    _, token = await tokens.create_token(None, "SIAK Oebobo", "53.71.04.1001")
    answer = await client.post(
        "/api/v1/permohonan",
        json=BODY,
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
            "Origin": "https://siak.kupangkota.go.id",
        },
    )
    assert answer.status_code == 201


async def test_a_session_whose_csrf_cookie_was_lost_gets_a_new_bound_one(client, staff):
    await login(client, staff.operator)
    old = client.cookies[CSRF_COOKIE]
    client.cookies.delete(CSRF_COOKIE)  # e.g. the browser was restarted
    page = await client.get("/")
    fresh = csrf_from(page.text)
    assert client.cookies[CSRF_COOKIE] != old
    assert (await client.post("/keluar", data={"_csrf_token": fresh})).status_code == 303


async def test_a_lost_csrf_cookie_is_bound_on_the_tracking_page_too(client, staff):
    """The tracking page skips the session middleware for visitors without a session cookie;
    with one, the session is loaded and the new CSRF cookie bound to it as on any page."""
    from sodamolek.accounts.sessions import SESSION_COOKIE
    from tests.integration.test_tracking import make_request

    _, code = await make_request(client, staff)
    await login(client, staff.operator)
    client.cookies.delete(CSRF_COOKIE)
    page = await client.get(f"/lacak/{code}")
    assert page.status_code == 200
    assert "set-cookie" in page.headers
    assert SESSION_COOKIE in client.cookies
    fresh = client.cookies[CSRF_COOKIE]
    assert (await client.post("/keluar", data={"_csrf_token": fresh})).status_code == 303
