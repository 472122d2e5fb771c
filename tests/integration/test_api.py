"""JSON API /api/v1: tokens and sessions, idempotency, errors naming fields, scoping."""

import datetime as dt
import uuid

import pytest

from sodamolek.accounts import tokens
from sodamolek.accounts.tables import ApiToken
from tests.conftest import csrf_from, login

BODY = {
    "letter_type": "domisili",
    "applicant": {"nik": "5371045708900003", "name": "Maria Ndun", "address": "Jl. El Tari 5"},
    "data": {"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5, Oebobo"},
    "requirements_checked": ["Surat pengantar RT/RW"],
}


@pytest.fixture
async def token(app):
    _, value = await tokens.create_token(None, "SIAK Kota", "53.71.04.1001")  # Oebobo
    return value


def auth(value, key=None):
    return {"Authorization": f"Bearer {value}", "Idempotency-Key": key or str(uuid.uuid4())}


async def test_create_with_token_is_idempotent(client, token):
    headers = auth(token)
    first = await client.post("/api/v1/permohonan", json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["status"] == "in_review" and created["tracking_code"].startswith("KPG-")
    assert first.headers["location"] == f"/api/v1/permohonan/{created['id']}"
    again = await client.post("/api/v1/permohonan", json=BODY, headers=headers)
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    other = await client.post("/api/v1/permohonan", json=BODY | {"notes": "x"}, headers=headers)
    assert other.status_code == 409
    assert "isi berbeda" in other.json()["detail"]


async def test_errors_name_the_field(client, token):
    missing_key = await client.post(
        "/api/v1/permohonan", json=BODY, headers={"Authorization": f"Bearer {token}"}
    )
    assert missing_key.status_code == 422 and "Idempotency-Key" in missing_key.json()["errors"]

    bad_nik = BODY | {"applicant": BODY["applicant"] | {"nik": "123"}}
    response = await client.post("/api/v1/permohonan", json=bad_nik, headers=auth(token))
    assert response.status_code == 422
    assert "16 angka" in response.json()["errors"]["applicant.nik"]

    unknown_type = await client.post(
        "/api/v1/permohonan", json=BODY | {"letter_type": "sihir"}, headers=auth(token)
    )
    assert unknown_type.status_code == 422 and "letter_type" in unknown_type.json()["errors"]

    missing_field = await client.post(
        "/api/v1/permohonan", json=BODY | {"data": {"keperluan": "x"}}, headers=auth(token)
    )
    assert missing_field.status_code == 422
    assert set(missing_field.json()["errors"]) == {"data.alamat_domisili"}
    listing = await client.get("/api/v1/permohonan", headers=auth(token))
    assert listing.json()["total"] == 0  # nothing rejected was half-written


async def test_body_too_large_is_413(client, token):
    huge = BODY | {"notes": "x" * (2 * 1024 * 1024)}
    response = await client.post("/api/v1/permohonan", json=huge, headers=auth(token))
    assert response.status_code == 413


async def test_read_list_and_transition(client, token):
    created = (await client.post("/api/v1/permohonan", json=BODY, headers=auth(token))).json()
    rid = created["id"]
    read = await client.get(f"/api/v1/permohonan/{rid}", headers=auth(token))
    assert read.json()["events"][0]["to"] == "in_review"
    listing = (await client.get("/api/v1/permohonan", headers=auth(token))).json()
    assert [i["id"] for i in listing["items"]] == [rid]

    url = f"/api/v1/permohonan/{rid}/transisi"
    no_reason = await client.post(url, json={"to": "rejected"}, headers=auth(token))
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    moved = await client.post(
        url, json={"to": "incomplete", "reason": "KK belum ada", "version": 1}, headers=auth(token)
    )
    assert moved.status_code == 200 and moved.json()["status"] == "incomplete"
    refused = await client.post(url, json={"to": "ready"}, headers=auth(token))
    assert refused.status_code == 409
    assert "tidak dapat diubah" in refused.json()["detail"]
    events = (await client.get(f"/api/v1/permohonan/{rid}", headers=auth(token))).json()["events"]
    assert events[-1]["actor"] == "SIAK Kota (Token API)"


async def test_token_is_scoped_to_its_kelurahan(client, token, staff):
    rid = (await client.post("/api/v1/permohonan", json=BODY, headers=auth(token))).json()["id"]
    _, namosain = await tokens.create_token(None, "Sistem Namosain", "53.71.01.1001")
    assert (
        await client.get(f"/api/v1/permohonan/{rid}", headers=auth(namosain))
    ).status_code == 404
    move = await client.post(
        f"/api/v1/permohonan/{rid}/transisi", json={"to": "cancelled"}, headers=auth(namosain)
    )
    assert move.status_code == 404
    assert (await client.get("/api/v1/permohonan", headers=auth(namosain))).json()["total"] == 0


async def test_revoked_or_unknown_token_is_401(client, token):
    row = await ApiToken.select(ApiToken.id).first()
    assert await tokens.revoke_token(row["id"])
    response = await client.get("/api/v1/permohonan", headers=auth(token))
    assert response.status_code == 401
    assert "dicabut" in response.json()["detail"]
    assert (await client.get("/api/v1/permohonan", headers=auth("smk_palsu"))).status_code == 401
    assert (await client.get("/api/v1/permohonan")).status_code == 401


async def test_a_token_s_last_use_is_written_at_most_every_few_minutes(app, token, monkeypatch):
    start = dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC)

    async def used_at(moment: dt.datetime) -> dt.datetime | None:
        monkeypatch.setattr(tokens, "_now", lambda: moment)
        assert (await tokens.authenticate_token(token)).kelurahan_id is not None
        row = await ApiToken.select(ApiToken.last_used_at).first()
        return row["last_used_at"]

    assert await used_at(start) == start
    # Within the granularity the stored time stays (no write on every request)...
    assert await used_at(start + tokens.LAST_USED_GRANULARITY) == start
    # ...and past it the token's use is written again.
    later = start + tokens.LAST_USED_GRANULARITY + dt.timedelta(seconds=1)
    assert await used_at(later) == later


async def test_tokens_are_stored_hashed(app, token):
    rows = await ApiToken.select()
    assert token not in str(rows)
    assert rows[0]["prefix"] == token[:10]


async def test_session_api_needs_the_csrf_header_for_writes(client, staff):
    await login(client, staff.operator)
    page = await client.get("/")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert (await client.get("/api/v1/permohonan")).status_code == 200
    refused = await client.post("/api/v1/permohonan", json=BODY, headers=key)
    assert refused.status_code == 403
    accepted = await client.post(
        "/api/v1/permohonan", json=BODY, headers=key | {"X-CSRFToken": csrf_from(page.text)}
    )
    assert accepted.status_code == 201


async def test_openapi_describes_the_api(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/permohonan" in schema["paths"]
    assert "/api/v1/permohonan/{request_id}/transisi" in schema["paths"]


async def test_admin_creates_shows_once_and_revokes_a_token(client, staff):
    await login(client, staff.admin)
    page = await client.get("/admin/token-api")
    created = await client.post(
        "/admin/token-api",
        data={
            "_csrf_token": csrf_from(page.text),
            "name": "Dashboard Bappeda",
            "kelurahan": "53.71.04.1001",
        },
    )
    assert created.status_code == 200
    value = created.text.split('<code class="token">')[1].split("</code>")[0]
    assert value.startswith("smk_")
    listing = await client.get("/admin/token-api")
    assert value not in listing.text and "Dashboard Bappeda" in listing.text
    assert (await client.get("/api/v1/permohonan", headers=auth(value))).status_code == 200
    row = await ApiToken.select(ApiToken.id).where(ApiToken.name == "Dashboard Bappeda").first()
    revoke = await client.post(
        f"/admin/token-api/{row['id']}/cabut", data={"_csrf_token": csrf_from(listing.text)}
    )
    assert revoke.status_code == 303
    assert (await client.get("/api/v1/permohonan", headers=auth(value))).status_code == 401


async def test_only_admin_manages_tokens(client, staff):
    await login(client, staff.operator)
    assert (await client.get("/admin/token-api")).status_code == 403
