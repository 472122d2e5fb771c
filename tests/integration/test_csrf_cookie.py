"""The CSRF cookie a safe request hands out (web.csrf), and unsafe requests still checked by
Litestar's own comparison: a valid signed token in the form or header, equal to the cookie's."""

import httpx
from litestar.middleware.csrf import CSRFMiddleware

from sodamolek.app import CSRF_COOKIE
from tests.conftest import csrf_from
from tests.integration.test_tracking import make_request


def _litestar_accepts(app, token: str) -> bool:
    checker = CSRFMiddleware(app=None, config=app.csrf_config)  # type: ignore[arg-type]
    return checker._csrf_tokens_match(token, token)


async def test_first_view_sets_a_signed_cookie_with_the_pages_token(app, client, staff):
    _, code = await make_request(client, staff)
    client.cookies.clear()
    page = await client.get(f"/lacak/{code}")
    assert page.status_code == 200
    [set_cookie] = [v for k, v in page.headers.multi_items() if k == "set-cookie"]
    token = page.cookies[CSRF_COOKIE]
    assert set_cookie == f"{CSRF_COOKIE}={token}; Path=/; SameSite=strict"
    assert _litestar_accepts(app, token)
    assert f'data-csrf="{token}"' in page.text  # the push subscription's script

    # Sent back: the same token in the page, no new cookie.
    again = await client.get(f"/lacak/{code}")
    assert "set-cookie" not in again.headers
    assert f'data-csrf="{token}"' in again.text

    # Another visitor gets another token.
    client.cookies.clear()
    other = await client.get(f"/lacak/{code}")
    assert other.cookies[CSRF_COOKIE] != token


async def test_unsafe_requests_need_a_token_matching_the_cookie(app, client, staff):
    _, code = await make_request(client, staff)
    client.cookies.clear()
    token = csrf_from((await client.get("/lacak")).text)
    refused = [
        await client.post("/lacak", data={"kode": code}),  # no token
        await client.post("/lacak", data={"kode": code, "_csrf_token": "palsu"}),
        await client.post("/lacak", data={"kode": code}, headers={"X-CSRFToken": "palsu"}),
        await client.post(f"/lacak/{code}/survei", data={"speed": "4"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as stranger:
        # No cookie at all, a valid token in the form: refused.
        cookieless = await stranger.post("/lacak", data={"kode": code, "_csrf_token": token})
        assert cookieless.status_code == 403
        # A valid token of another visitor (its own cookie) does not go with this cookie.
        foreign = csrf_from((await stranger.get("/lacak")).text)
    assert foreign != token
    crossed = await client.post("/lacak", data={"kode": code, "_csrf_token": foreign})
    assert crossed.status_code == 403
    accepted = await client.post("/lacak", data={"kode": code, "_csrf_token": token})
    assert accepted.status_code == 303
    by_header = await client.post("/lacak", data={"kode": code}, headers={"X-CSRFToken": token})
    assert by_header.status_code == 303
