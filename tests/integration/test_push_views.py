"""The tracking page's push endpoints: no login, CSRF by header, 404 for unknown codes, 422 with
the reason for a bad subscription."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sodamolek.app import CSRF_COOKIE
from sodamolek.push import service
from tests.fakepush import FakePushService

CODE = "KPG-7F3K-9QX2"


@pytest.fixture
def settings(settings):
    return replace(settings, push_allowed_hosts=("127.0.0.1",))


@pytest.fixture
def tracking(app):
    async def resolve(code: str) -> int | None:
        return 42 if code == CODE else None

    app.state.resolve_tracking_code = resolve


@pytest.fixture
def phone(app) -> dict:
    fake = FakePushService(vapid_public_key=app.state.settings.vapid_public_key)
    fake.base_url = "https://127.0.0.1:8443"  # not started: these tests never send
    return fake.new_subscription()


async def csrf_headers(client) -> dict[str, str]:
    await client.get("/masuk")  # any page sets the CSRF cookie, as the tracking page will
    return {"X-CSRFToken": client.cookies[CSRF_COOKIE]}


async def test_subscribe_without_login_with_the_csrf_header(client, tracking, phone):
    headers = await csrf_headers(client)
    response = await client.post(f"/lacak/{CODE}/langganan", json=phone, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["detail"] == "Notifikasi aktif untuk permohonan ini."
    again = await client.post(f"/lacak/{CODE}/langganan", json=phone, headers=headers)
    assert again.status_code == 201
    assert await service.subscription_count(42) == 1


async def test_subscribe_without_csrf_token_is_refused(client, tracking, phone):
    await client.get("/masuk")
    response = await client.post(f"/lacak/{CODE}/langganan", json=phone)
    assert response.status_code == 403
    assert await service.subscription_count(42) == 0


async def test_unknown_code_is_404_and_nothing_is_stored(client, tracking, phone):
    headers = await csrf_headers(client)
    response = await client.post("/lacak/KPG-0000-0000/langganan", json=phone, headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Kode lacak tidak ditemukan."
    assert await service.subscription_count(42) == 0


async def test_without_a_tracking_resolver_every_code_is_unknown(client, phone):
    headers = await csrf_headers(client)
    response = await client.post(f"/lacak/{CODE}/langganan", json=phone, headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"endpoint": "http://127.0.0.1:8443/push/x"}, "tidak lengkap"),
        ("not json", "tidak terbaca"),
    ],
)
async def test_unreadable_subscriptions_are_422(client, tracking, body, words):
    headers = await csrf_headers(client)
    kwargs = {"json": body} if isinstance(body, dict) else {"content": body}
    response = await client.post(f"/lacak/{CODE}/langganan", headers=headers, **kwargs)
    assert response.status_code == 422
    assert words in response.json()["detail"]


async def test_an_endpoint_outside_the_allowed_hosts_is_422_and_never_stored(
    client, tracking, phone
):
    headers = await csrf_headers(client)
    phone["endpoint"] = "https://10.0.0.5/push/x"
    response = await client.post(f"/lacak/{CODE}/langganan", json=phone, headers=headers)
    assert response.status_code == 422
    assert "alamat IP" in response.json()["detail"]
    phone["endpoint"] = "http://127.0.0.1:8443/push/x"
    response = await client.post(f"/lacak/{CODE}/langganan", json=phone, headers=headers)
    assert response.status_code == 422
    assert "https" in response.json()["detail"]
    assert await service.subscription_count(42) == 0


async def test_unsubscribe_by_endpoint(client, tracking, phone):
    headers = await csrf_headers(client)
    await client.post(f"/lacak/{CODE}/langganan", json=phone, headers=headers)
    response = await client.post(
        f"/lacak/{CODE}/berhenti", json={"endpoint": phone["endpoint"]}, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["removed"] == 1
    assert await service.subscription_count(42) == 0
    again = await client.post(f"/lacak/{CODE}/berhenti", json=phone, headers=headers)
    assert (again.status_code, again.json()["removed"]) == (200, 0)
    missing = await client.post(f"/lacak/{CODE}/berhenti", json={}, headers=headers)
    assert missing.status_code == 422


async def test_the_push_handler_script_is_served_for_importscripts(client):
    response = await client.get("/sw-push.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert 'addEventListener("push"' in response.text
    assert 'addEventListener("notificationclick"' in response.text


@pytest.mark.parametrize("path", ["langganan", "berhenti"])
async def test_a_bad_body_gets_the_same_answer_for_a_real_and_an_invented_code(
    client, tracking, path
):
    headers = await csrf_headers(client)
    real = await client.post(f"/lacak/{CODE}/{path}", content=b"{", headers=headers)
    invented = await client.post(f"/lacak/KPG-0000-0000/{path}", content=b"{", headers=headers)
    assert real.status_code == invented.status_code == 422
    assert real.json() == invented.json()


async def test_push_endpoints_share_the_tracking_pages_rate_limit(client, tracking, phone):
    from sodamolek.tracking.views import LOOKUP_LIMIT

    headers = await csrf_headers(client)
    paths = ["/lacak/KPG-0000-0000/langganan", "/lacak/KPG-0000-0000/berhenti", "/lacak/X"]
    statuses = []
    for i in range(LOOKUP_LIMIT.hits):
        path = paths[i % 3]
        if path == "/lacak/X":
            statuses.append((await client.get(path)).status_code)
        else:
            statuses.append((await client.post(path, json=phone, headers=headers)).status_code)
    assert 429 not in statuses
    for path in paths[:2]:
        limited = await client.post(path, json=phone, headers=headers)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "Terlalu banyak" in limited.json()["detail"]
    assert (await client.get("/lacak/X")).status_code == 429


@pytest.fixture
def two_codes(app):
    codes = {CODE: 42, "KPG-AAAA-BBBB-CCCC": 43}

    async def resolve(code: str) -> int | None:
        return codes.get(code)

    app.state.resolve_tracking_code = resolve
    return list(codes)


async def test_one_browser_follows_two_requests_and_the_last_off_says_so(client, two_codes, phone):
    headers = await csrf_headers(client)
    endpoint = {"endpoint": phone["endpoint"]}
    first, second = two_codes
    for code in two_codes:
        assert (
            await client.post(f"/lacak/{code}/langganan", json=phone, headers=headers)
        ).status_code == 201
    check = await client.post(f"/lacak/{first}/langganan/cek", json=endpoint, headers=headers)
    assert check.json() == {"following": True, "total": 2}
    assert check.headers["cache-control"] == "no-store"
    off = await client.post(f"/lacak/{first}/berhenti", json=endpoint, headers=headers)
    assert off.json()["removed"] == 1 and off.json()["remaining"] == 1
    check = await client.post(f"/lacak/{first}/langganan/cek", json=endpoint, headers=headers)
    assert check.json() == {"following": False, "total": 1}
    last = await client.post(f"/lacak/{second}/berhenti", json=endpoint, headers=headers)
    assert last.json()["remaining"] == 0  # the page then unsubscribes the browser
    other = await client.post(
        f"/lacak/{first}/langganan/cek", json={"endpoint": "https://x/y"}, headers=headers
    )
    assert other.json() == {"following": False, "total": 0}
    assert (
        await client.post(f"/lacak/{first}/langganan/cek", json={}, headers=headers)
    ).status_code == 422


async def test_a_changed_subscription_moves_every_request_without_csrf(app, client, two_codes):
    fake = FakePushService(vapid_public_key=app.state.settings.vapid_public_key)
    fake.base_url = "https://127.0.0.1:8443"
    old, new = fake.new_subscription(), fake.new_subscription()
    headers = await csrf_headers(client)
    for code in two_codes:
        await client.post(f"/lacak/{code}/langganan", json=old, headers=headers)
    await client.post(f"/lacak/{two_codes[1]}/langganan", json=new, headers=headers)
    fresh = type(client)(transport=client._transport, base_url="http://testserver")  # no cookies
    async with fresh:
        moved = await fresh.post(
            "/langganan-push/ganti", json={"old_endpoint": old["endpoint"], "subscription": new}
        )
        bad = await fresh.post(
            "/langganan-push/ganti",
            json={"old_endpoint": old["endpoint"], "subscription": {"endpoint": "http://x"}},
        )
        key = await fresh.get("/langganan-push/kunci")
    assert moved.status_code == 200 and moved.json()["moved"] == 2
    assert bad.status_code == 422
    assert key.text == app.state.settings.vapid_public_key
    assert await service.following(old["endpoint"], 42) == (False, 0)
    assert await service.following(new["endpoint"], 42) == (True, 2)
    assert await service.subscription_count(43) == 1  # the duplicate went


async def test_the_resident_worker_keeps_only_resident_files(client):
    response = await client.get("/sw-warga.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["service-worker-allowed"] == "/lacak"
    first_line = response.text.splitlines()[1]
    build = __import__("json").loads(first_line.split("=", 1)[1].rstrip(";"))
    assert build["start"] == "/lacak"
    names = " ".join(build["static"])
    assert "app.css" in names and "tracking.js" in names and "badge-72.png" in names
    assert not any(word in names for word in ("htmx", "idb", "outbox", "request-form"))
    assert 'importScripts("/sw-push.js")' in response.text
    page = await client.get("/lacak")
    assert 'data-worker="/sw-warga.js" data-scope="/lacak"' in page.text
