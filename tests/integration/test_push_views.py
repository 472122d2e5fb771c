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
