"""A 201 from the API's create is a promise: the server killed with SIGKILL in the middle of a
stream of creates loses none it answered, and leaves no request without its audit row and its
count (the insert and its effects, sent to the database together, commit together)."""

from __future__ import annotations

import asyncio
import signal
import uuid

import httpx

from sodamolek import db
from sodamolek.accounts import tokens
from tests.processes import free_port, process_env, serve_process, wait_until_up

BODY = {
    "letter_type": "domisili",
    "applicant": {"nik": "5371045708900003", "name": "Maria Ndun", "address": "Jl. El Tari 5"},
    "data": {"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5, Oebobo"},
    "requirements_checked": ["Surat pengantar RT/RW"],
}


async def test_no_answered_create_is_lost_when_the_server_is_killed(app, settings, database_url):
    _, token = await tokens.create_token(None, "uji", "53.71.04.1001")
    env = process_env(settings, database_url, EMBEDDED_WORKER="false")
    url = f"http://127.0.0.1:{free_port()}"
    server = await serve_process(env, url)
    answered: list[str] = []
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            await wait_until_up(client, url, server)

            async def keep_creating() -> None:
                while True:
                    key = str(uuid.uuid4())
                    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
                    try:
                        answer = await client.post("/api/v1/permohonan", json=BODY, headers=headers)
                    except httpx.TransportError:
                        return  # the server is gone
                    assert answer.status_code == 201, answer.text
                    answered.append(key)

            senders = [asyncio.create_task(keep_creating()) for _ in range(8)]
            while len(answered) < 40:
                assert not any(s.done() for s in senders), "a sender stopped early"
                await asyncio.sleep(0.01)
            server.send_signal(signal.SIGKILL)
            await asyncio.gather(*senders)
    finally:
        if server.returncode is None:
            server.kill()
        await server.wait()

    ids = db.Sql("SELECT CAST(client_request_id AS VARCHAR(40)) AS id FROM letter_request")
    stored = {str(uuid.UUID(r["id"])) for r in await db.fetch(ids)}
    assert set(answered) <= stored
    events = db.Sql("SELECT COUNT(*) AS n FROM request_event WHERE from_status IS NULL")
    counted = db.Sql("SELECT SUM(count) AS n FROM request_counter WHERE status = 'in_review'")
    assert (await db.fetch_one(events))["n"] == len(stored)
    assert (await db.fetch_one(counted))["n"] == len(stored)
