"""Requests at the counter: creation rate, and the queue page's latency as an office grows.

    uv run python bench/requests_bench.py                       # SQLite (a temporary file)
    uv run python bench/requests_bench.py postgresql://postgres@127.0.0.1:5432/bench

Creation = validation, idempotency check, request + audit row + counter in one transaction.
Queue = the operator's default page (counts, active requests soonest due first), rendered
in-process over HTTP, median of 30 loads, with 1,000 and then 100,000 requests in the office.
The office takes 40 requests a day; those older than 3 days are finished — so the bigger office
has a longer history, not more work in progress (which is what a queue shows).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from sodamolek import db
from sodamolek.accounts.service import create_account, load_user
from sodamolek.app import create_app
from sodamolek.letter_requests import service
from sodamolek.letter_requests.codes import new_tracking_code
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.letters.service import get_letter_type
from sodamolek.seed import seed
from sodamolek.settings import Settings

CREATES = 300
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a temporary database


def submission() -> service.Submission:
    return service.Submission(
        client_request_id=str(uuid.uuid4()),
        letter_type="domisili",
        applicant={"applicant_nik": "5371045708900003", "applicant_name": "Maria Ndun"},
        data={"keperluan": "Bench", "alamat_domisili": "Jl. El Tari 5"},
    )


PER_DAY = 40
ACTIVE = ["in_review", "incomplete", "awaiting_signature", "ready"]
FINAL = ["collected"] * 18 + ["rejected", "cancelled"]


async def bulk_requests(
    count: int, kelurahan_id: int, kecamatan_id: int, type_id: int, offset: int = 0
) -> None:
    rng = random.Random(count)  # noqa: S311 - synthetic data
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i in range(offset, offset + count):
        created = now - dt.timedelta(days=i / PER_DAY)
        recent = now - created < dt.timedelta(days=3)
        status = rng.choice(ACTIVE if recent else FINAL)
        rows.append(
            LetterRequest(
                client_request_id=uuid.uuid4(),
                content_hash="bench",
                tracking_code=new_tracking_code(),
                kelurahan=kelurahan_id,
                kecamatan=kecamatan_id,
                letter_type=type_id,
                status=status,
                applicant_nik=None,
                applicant_name=f"Warga {i}",
                applicant_name_key=f"warga {i}",
                data=json.dumps({}),
                requirements_checked="[]",
                created_at=created,
                updated_at=created,
                due_at=created + dt.timedelta(days=1),
                version=1,
            )
        )
    for start in range(0, len(rows), 400):
        await LetterRequest.insert(*rows[start : start + 400])
    await service.rebuild_counters()
    # What autovacuum does after a bulk load; without it PostgreSQL plans on stale statistics.
    if db.engine_name(db.current_engine()) == "postgresql":
        await LetterRequest.raw("ANALYZE letter_request")
    else:
        await LetterRequest.raw("ANALYZE")


async def main(url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database_url = url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if url:
            import asyncpg

            connection = await asyncpg.connect(url)
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            await connection.close()
        settings = Settings(
            database_url=database_url,
            data_dir=Path(tmp),
            env="test",
            secret_key="bench-secret-" + "x" * 40,
        )
        app = create_app(settings)
        engine = app.state.engine
        await db.start_engine(engine)
        try:
            await run(app, engine)
        finally:
            await db.stop_engine(engine)


async def run(app, engine) -> None:
    await db.migrate()
    await seed()
    account_id = await create_account(
        username="op.bench",
        full_name="Bench",
        role="operator",
        password=PASSWORD,
        kelurahan="53.71.04.1001",
    )
    actor = await load_user(account_id)
    engine_label = db.engine_name(engine)

    start = time.perf_counter()
    for _ in range(CREATES):
        await service.create_request(actor, submission())
    rate = CREATES / (time.perf_counter() - start)
    print(f"[{engine_label}] requests created: {rate:.0f}/s ({CREATES} sequential)")

    office = await LetterRequest.select(LetterRequest.kecamatan).first()
    letter_type = await get_letter_type("domisili")
    medians = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        page = await client.get("/masuk")
        token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
        await client.post(
            "/masuk", data={"username": "op.bench", "password": PASSWORD, "_csrf_token": token}
        )
        have = await LetterRequest.count()
        for target in (1_000, 100_000):
            await bulk_requests(
                target - have,
                actor.kelurahan_id,
                office["kecamatan"],
                letter_type["id"],
                offset=have,
            )
            have = target
            timings = []
            for _ in range(30):
                t0 = time.perf_counter()
                response = await client.get("/permohonan")
                timings.append(time.perf_counter() - t0)
                assert response.status_code == 200
            medians[target] = statistics.median(timings) * 1000
            print(
                f"[{engine_label}] queue page with {target:>7,} requests: "
                f"median {medians[target]:.1f} ms"
            )
    print(f"[{engine_label}] queue latency ratio 100k/1k: {medians[100_000] / medians[1_000]:.2f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else None))
