"""Idempotency keys are scoped to the office and the kind of caller: a key known elsewhere is
refused (409) and never answered with another office's request."""

from __future__ import annotations

import uuid

from sodamolek.accounts import tokens
from sodamolek.letter_requests.tables import LetterRequest
from tests.conftest import csrf_from, login

BODY = {
    "letter_type": "domisili",
    "applicant": {"nik": "5371045708900003", "name": "Maria Ndun", "address": "Jl. El Tari 5"},
    "data": {"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5, Oebobo"},
    "requirements_checked": ["Surat pengantar RT/RW"],
}


def bearer(token: str, key: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


async def test_a_key_from_another_office_is_refused_without_the_first_offices_data(client, app):
    _, oebobo = await tokens.create_token(None, "SIAK Oebobo", "53.71.04.1001")
    _, namosain = await tokens.create_token(None, "SIAK Namosain", "53.71.01.1001")
    key = str(uuid.uuid4())
    first = await client.post("/api/v1/permohonan", json=BODY, headers=bearer(oebobo, key))
    assert first.status_code == 201
    replay = await client.post("/api/v1/permohonan", json=BODY, headers=bearer(oebobo, key))
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]

    elsewhere = await client.post("/api/v1/permohonan", json=BODY, headers=bearer(namosain, key))
    assert elsewhere.status_code == 409
    assert "di tempat lain" in elsewhere.json()["detail"]
    for leaked in ("5371045708900003", "Maria", first.json()["tracking_code"]):
        assert leaked not in elsewhere.text
    assert await LetterRequest.count() == 1
    row = await LetterRequest.select(LetterRequest.idempotency_key).first()
    assert row["idempotency_key"].endswith(f":token:{key}")


async def test_a_tokens_key_is_not_answered_to_the_same_offices_staff(client, staff):
    _, oebobo = await tokens.create_token(None, "SIAK Oebobo", "53.71.04.1001")
    key = str(uuid.uuid4())
    assert (
        await client.post("/api/v1/permohonan", json=BODY, headers=bearer(oebobo, key))
    ).status_code == 201
    await login(client, staff.operator)
    csrf = csrf_from((await client.get("/")).text)
    answer = await client.post(
        "/api/v1/permohonan", json=BODY, headers={"Idempotency-Key": key, "X-CSRFToken": csrf}
    )
    assert answer.status_code == 409
    assert "Maria" not in answer.text


async def test_staff_replays_through_the_api_match_their_own_form_post(client, staff):
    await login(client, staff.operator)
    csrf = csrf_from((await client.get("/")).text)
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key, "X-CSRFToken": csrf}
    first = await client.post("/api/v1/permohonan", json=BODY, headers=headers)
    again = await client.post("/api/v1/permohonan", json=BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
