"""Creates read letter types and offices from memory (db.stamps): an edit through the services
is seen by the next create, in this process and from another one (another worker)."""

from __future__ import annotations

import asyncio
import sys
import uuid

import pytest

from sodamolek.letter_requests import service
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions
from tests.integration.test_request_service import submission, user
from tests.processes import process_env

# Another process on the same database: it edits through the services, as an admin's request
# handled by another worker would.
OTHER_PROCESS = """
import asyncio, sys
from sodamolek import db
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions
from sodamolek.settings import Settings

async def main(step):
    engine = db.use_engine(db.build_engine(Settings.from_env()))
    await db.start_engine(engine, 1)
    try:
        if step == "withdraw":
            await letters.set_letter_type_active("domisili", False)
        elif step == "offer":
            await letters.set_letter_type_active("domisili", True)
        elif step == "office":
            office = await regions.find_kelurahan("53.71.04.1001")
            form = {k: str(office[k] or "") for k in (
                "address", "phone", "hours", "lurah_name", "lurah_title", "lurah_nip",
                "letter_number_format", "paper_size")}
            form |= {"address": "Jl. Baru 9", "lurah_nip": "197805122005011003"}
            await regions.update_kelurahan(office["id"], form)
    finally:
        await db.stop_engine(engine)

asyncio.run(main(sys.argv[1]))
"""


async def in_other_process(settings, database_url: str, step: str) -> None:
    env = process_env(settings, database_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", OTHER_PROCESS, step, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, error = await process.communicate()
    assert process.returncode == 0, error.decode()


def office_form(office: dict, **changes: str) -> dict:
    keys = ("address", "phone", "hours", "lurah_name", "lurah_title", "lurah_nip")
    keys += ("letter_number_format", "paper_size")
    return {k: str(office[k] or "") for k in keys} | {"lurah_nip": "197805122005011003"} | changes


async def test_a_withdrawn_letter_type_is_refused_by_the_next_create(app, staff):
    operator = await user(staff.operator)
    assert (await service.create_request(operator, submission())).created  # now in memory
    await letters.set_letter_type_active("domisili", False)
    with pytest.raises(service.RequestInvalid) as refused:
        await service.create_request(operator, submission())
    assert "letter_type" in refused.value.errors
    await letters.set_letter_type_active("domisili", True)
    assert (await service.create_request(operator, submission())).created


async def test_an_edited_service_time_sets_the_next_creates_due_time(app, staff):
    operator = await user(staff.operator)
    before = (await service.create_request(operator, submission())).request
    stored = await letters.get_letter_type("domisili")
    edited = letters.LetterTypeInput.from_dict(stored)
    edited.service_days = int(stored["service_days"]) + 5
    await letters.update_letter_type("domisili", edited)
    after = (await service.create_request(operator, submission())).request
    # Five more working days: at least a week later.
    assert (after["due_at"] - before["due_at"]).days >= 7


async def test_a_letter_type_withdrawn_in_another_process_is_refused_by_the_next_create(
    app, staff, settings, database_url
):
    operator = await user(staff.operator)
    assert (await service.create_request(operator, submission())).created  # now in memory
    await in_other_process(settings, database_url, "withdraw")
    with pytest.raises(service.RequestInvalid) as refused:
        await service.create_request(operator, submission())
    assert "letter_type" in refused.value.errors
    await in_other_process(settings, database_url, "offer")
    assert (await service.create_request(operator, submission())).created


async def test_an_office_edited_here_or_in_another_process_is_read_anew(
    app, staff, settings, database_url
):
    from sodamolek.db import stamps

    office = await regions.find_kelurahan("53.71.04.1001")
    await stamps.refresh()
    assert (await regions.cached_kelurahan(office["id"]))["address"] == office["address"]
    await regions.update_kelurahan(office["id"], office_form(office, address="Jl. Lama 1"))
    await stamps.refresh()
    assert (await regions.cached_kelurahan(office["id"]))["address"] == "Jl. Lama 1"
    await in_other_process(settings, database_url, "office")
    await stamps.refresh()
    assert (await regions.cached_kelurahan(office["id"]))["address"] == "Jl. Baru 9"


async def test_the_created_answer_is_the_stored_request(client, app):
    """The 201 is built from what was inserted, not read back: it must equal the replay's 200,
    which is read from the database."""
    from sodamolek.accounts import tokens

    _, token = await tokens.create_token(None, "SIAK", "53.71.04.1001")
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    body = {
        "letter_type": "domisili",
        "applicant": {
            "nik": "5371045708900003",
            "name": "Maria Ndun",
            "address": "Jl. El Tari 5",
            "rt": "7",
            "phone": "0812 3456 7890",
        },
        "data": {"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5, Oebobo"},
        "requirements_checked": ["Surat pengantar RT/RW"],
        "notes": "Datang sore",
    }
    first = await client.post("/api/v1/permohonan", json=body, headers=headers)
    again = await client.post("/api/v1/permohonan", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    read = await client.get(f"/api/v1/permohonan/{first.json()['id']}", headers=headers)
    assert {k: v for k, v in read.json().items() if k not in ("events", "corrections")} == (
        first.json()
    )
