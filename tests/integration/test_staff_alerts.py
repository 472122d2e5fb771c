"""Staff alerts over the same push: a device opts in per account; the lurah hears "N surat
menunggu tanda tangan" at most once per 15 minutes, the operator when the lurah sends a request
back and when a resident applies from home; no personal data in the payload."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import httpx
import pytest

from sodamolek.app import CSRF_COOKIE
from sodamolek.letter_requests import service as requests
from sodamolek.push.tables import PushMessage, PushSubscription
from tests.conftest import login
from tests.fakepush import FakePushService
from tests.integration.test_request_service import submission
from tests.integration.test_signing import actor
from tests.tte_support import sign_as


@pytest.fixture
def settings(settings):
    return replace(settings, push_allowed_hosts=("127.0.0.1",))


@pytest.fixture
def fake(app) -> FakePushService:
    service = FakePushService(vapid_public_key=app.state.settings.vapid_public_key)
    service.base_url = "https://127.0.0.1:8443"  # not started: these tests read the outbox
    return service


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def opt_in(
    app, username: str, subscription: dict, address: str, card: bool = True
) -> httpx.Response:
    async with client_at(app, address) as device:
        await login(device, username)
        headers = {"X-CSRFToken": device.cookies[CSRF_COOKIE]}
        home = await device.get("/")
        assert ('id="notifikasi-petugas"' in home.text) is card
        answer = await device.post("/akun/notifikasi", json=subscription, headers=headers)
        check = await device.post(
            "/akun/notifikasi/cek", json={"endpoint": subscription["endpoint"]}, headers=headers
        )
        if card:
            assert check.json() == {"on": answer.status_code == 201}
        else:
            assert check.status_code == 403
        return answer


async def alerts() -> list[dict]:
    rows = await PushMessage.select().where(PushMessage.request_id == 0).order_by(PushMessage.id)
    return [r | {"payload": json.loads(r["payload"])} for r in rows]


async def awaiting_signature(staff, count: int = 1) -> list[int]:
    operator = await actor(staff.operator)
    ids = []
    for _ in range(count):
        rid = (await requests.create_request(operator, submission())).request["id"]
        await requests.change_status(operator, rid, "awaiting_signature")
        ids.append(rid)
    return ids


async def test_the_lurah_hears_of_letters_waiting_at_most_every_15_minutes(app, staff, fake):
    device = fake.new_subscription()
    assert (await opt_in(app, staff.lurah, device, "203.0.113.20")).status_code == 201
    await awaiting_signature(staff, 2)
    [alert] = await alerts()
    assert alert["payload"] == {"alert": "sign", "count": 1, "url": "/tanda-tangan"}
    assert alert["topic"].startswith("sign-k") and alert["urgency"] == "normal"
    text = json.dumps(alert["payload"])
    assert "Maria" not in text and "5371045708900003" not in text and "KPG-" not in text
    # Quiet for 15 minutes: the second request wrote nothing. Later, the count is current.
    await PushMessage.update(
        {PushMessage.created_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)}
    ).where(PushMessage.id == alert["id"])
    await awaiting_signature(staff)
    assert [a["payload"]["count"] for a in await alerts()] == [1, 3]


async def test_the_operator_hears_of_a_send_back_and_of_a_resident_applying(app, staff, fake):
    operator_device = fake.new_subscription()
    await opt_in(app, staff.operator, operator_device, "203.0.113.21")
    (rid,) = await awaiting_signature(staff)
    lurah = await actor(staff.lurah)
    await requests.change_status(lurah, rid, "in_review", "Alamat domisili kurang lengkap")
    [returned] = await alerts()
    assert returned["payload"] == {"alert": "returned", "count": None, "url": f"/permohonan/{rid}"}
    assert "Alamat" not in returned["payload"]["url"]

    from sodamolek.regions.service import find_kelurahan

    office = await find_kelurahan("53.71.04.1001")
    from sodamolek.letter_requests.channels import Channel

    await requests.create_request(
        None, submission(), channel=Channel.RESIDENT, resident_kelurahan=office["id"]
    )
    applied = (await alerts())[-1]
    assert applied["payload"]["alert"] == "applied" and applied["payload"]["url"] == "/permohonan"
    # Counter moves by the operator are not news to the operator.
    assert {a["payload"]["alert"] for a in await alerts()} == {"returned", "applied"}


async def test_only_opted_in_devices_of_that_office_and_role(app, staff, fake):
    other_lurah_device = fake.new_subscription()
    from sodamolek.accounts.service import create_account

    await create_account(
        username="lurah.namosain",
        full_name="Lurah Namosain",
        role="lurah",
        password="kata-sandi-uji-123",
        kelurahan="53.71.01.1001",
        nip="197805122005011004",
    )
    await opt_in(app, "lurah.namosain", other_lurah_device, "203.0.113.22")
    await awaiting_signature(staff)  # in Oebobo: nobody there opted in
    assert await alerts() == []


async def test_opt_out_and_who_may_opt_in(app, staff, fake):
    device = fake.new_subscription()
    await opt_in(app, staff.lurah, device, "203.0.113.23")
    async with client_at(app, "203.0.113.23") as same:
        await login(same, staff.lurah)
        headers = {"X-CSRFToken": same.cookies[CSRF_COOKIE]}
        off = await same.post(
            "/akun/notifikasi/berhenti", json={"endpoint": device["endpoint"]}, headers=headers
        )
        assert off.json()["removed"] == 1
        bad = await same.post("/akun/notifikasi", json={"endpoint": "http://x"}, headers=headers)
        assert bad.status_code == 422 and "tidak lengkap" in bad.json()["detail"]
    assert await PushSubscription.count().where(PushSubscription.account_id.is_not_null()) == 0
    await awaiting_signature(staff)
    assert await alerts() == []
    admin = await opt_in(app, staff.admin, fake.new_subscription(), "203.0.113.24", card=False)
    assert admin.status_code == 403


async def test_not_signed_in_gets_no_staff_alerts(client, fake):
    await client.get("/masuk")
    headers = {"X-CSRFToken": client.cookies[CSRF_COOKIE]}
    answer = await client.post("/akun/notifikasi", json=fake.new_subscription(), headers=headers)
    assert answer.status_code in (401, 302, 303)
    assert await PushSubscription.count() == 0


async def test_the_camat_hears_of_letters_waiting_for_a_countersignature(app, staff, fake):
    from tests.integration.test_signing import awaiting

    device = fake.new_subscription()
    await opt_in(app, staff.camat, device, "203.0.113.25")
    pindah = {
        "letter_type": "pindah",
        "data": {
            "alamat_tujuan": "Jl. Sudirman 1, Soe",
            "alasan_pindah": "Pekerjaan",
            "jumlah_pengikut": "2",
        },
        "requirements_checked": [],
    }
    (rid,) = await awaiting(staff, **pindah)
    lurah = await actor(staff.lurah)
    await sign_as(app, lurah, rid)
    [alert] = [a for a in await alerts() if a["payload"]["alert"] == "countersign"]
    assert alert["payload"] == {"alert": "countersign", "count": 1, "url": "/tanda-tangan-camat"}
    assert alert["topic"].startswith("sign-c")
