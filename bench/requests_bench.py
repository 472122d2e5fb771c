"""The queue and name search as an office grows, measured side by side in one run.

    uv run python bench/requests_bench.py                       # SQLite (a temporary file)
    uv run python bench/requests_bench.py postgresql://postgres@127.0.0.1:5432/bench_perf
    uv run python bench/requests_bench.py URL --rounds 5 --seconds 3

Two offices in one database, each with its operator signed in:
- a small office: 300 active requests and 1,000 finished ones;
- a large office: 62,722 active requests (a city-wide backlog on one desk) and 100,000 finished.
Each round loads, for the same number of seconds each, the operator's default queue page
(`/permohonan`: counts and the 25 soonest due active requests) and a name search in a finished
status (`/permohonan?status=collected&q=...`) in both offices, through the app's whole HTTP
stack in-process (session, CSRF, templates), the queue read afresh each time (its kept
lists dropped). Printed: large/small requests per second per measure, min/median/max over
the rounds (goal: queue ≥ 0.7, name search ≥ 0.5).

Creation is measured over real HTTP against a raw 3-row transaction in bench/http_pages.py.
The database drops and recreates PostgreSQL's public schema: give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from sodamolek import db
from sodamolek.accounts.service import create_account
from sodamolek.app import create_app
from sodamolek.desk import queue_list
from sodamolek.letter_requests import service
from sodamolek.letter_requests.codes import new_tracking_code
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.letters.service import get_letter_type
from sodamolek.regions.tables import Kelurahan
from sodamolek.seed import seed
from sodamolek.settings import Settings

PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a temporary database
ACTIVE = ["in_review", "incomplete", "awaiting_signature", "ready"]
FINISHED = ["collected"] * 18 + ["rejected", "cancelled"]
OFFICES = {"small": ("53.71.04.1001", 300, 1_000), "large": ("53.71.04.1008", 62_722, 100_000)}
SEARCH = "/permohonan?status=collected&q=warga+12"


async def bulk_requests(code: str, active: int, finished: int, type_id: int) -> None:
    """`active` requests due over the next days and `finished` ones from the years before."""
    rng = random.Random(code)  # noqa: S311 - synthetic data
    office = await Kelurahan.select(Kelurahan.id, Kelurahan.kecamatan).where(Kelurahan.code == code)
    now = dt.datetime.now(dt.UTC)
    batch: list[LetterRequest] = []
    for i in range(active + finished):
        is_active = i < active
        created = now - dt.timedelta(minutes=i) if is_active else now - dt.timedelta(hours=i)
        batch.append(
            LetterRequest(
                client_request_id=uuid.uuid4(),
                content_hash="bench",
                tracking_code=new_tracking_code(),
                kelurahan=office[0]["id"],
                kecamatan=office[0]["kecamatan"],
                letter_type=type_id,
                status=rng.choice(ACTIVE if is_active else FINISHED),
                applicant_nik=None,
                applicant_name=f"Warga {i}",
                applicant_name_key=f"warga {i}",
                data=json.dumps({}),
                requirements_checked="[]",
                created_at=created,
                updated_at=created,
                due_at=created + dt.timedelta(days=5),
                version=1,
            )
        )
        if len(batch) == 500:
            await LetterRequest.insert(*batch)
            batch = []
    if batch:
        await LetterRequest.insert(*batch)


async def signed_in(app, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    page = await client.get("/masuk")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    await client.post(
        "/masuk", data={"username": username, "password": PASSWORD, "_csrf_token": token}
    )
    return client


async def rate(client: httpx.AsyncClient, path: str, seconds: float) -> float:
    """Loads per second of one page, one after the other, for `seconds`. The queue's kept
    lists are dropped before each load: every load reads the page from the database, as the
    first refresh after a change in the office does (a kept list costs the same at any size)."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        queue_list.KEPT.clear()
        response = await client.get(path)
        assert response.status_code == 200, response.status_code
        done += 1
    return done / elapsed


async def run(app, engine, rounds: int, seconds: float) -> None:
    await db.migrate()
    await seed()
    letter_type = await get_letter_type("domisili")
    clients = {}
    for name, (code, active, finished) in OFFICES.items():
        await create_account(
            username=f"op.{name}",
            full_name=name,
            role="operator",
            password=PASSWORD,
            kelurahan=code,
        )
        t0 = time.perf_counter()
        await bulk_requests(code, active, finished, letter_type["id"])
        print(
            f"{name} office: {active:,} active, {finished:,} finished "
            f"({time.perf_counter() - t0:.0f} s to load)",
            flush=True,
        )
        clients[name] = await signed_in(app, f"op.{name}")
    await service.rebuild_counters()
    # What autovacuum does after a bulk load; without it PostgreSQL plans on stale statistics.
    postgres = db.engine_name(engine) == "postgresql"
    await LetterRequest.raw("ANALYZE letter_request" if postgres else "ANALYZE")
    measures = {"queue": "/permohonan", "name search in a finished status": SEARCH}
    ratios: dict[str, list[float]] = {m: [] for m in measures}
    rates: dict[str, dict[str, list[float]]] = {m: {"small": [], "large": []} for m in measures}
    for client in clients.values():  # warm up: templates compiled, connections open
        for path in measures.values():
            await rate(client, path, 0.5)
    for round_number in range(1, rounds + 1):
        print(f"round {round_number}/{rounds}", flush=True)
        for measure, path in measures.items():
            for name, client in clients.items():
                rates[measure][name].append(await rate(client, path, seconds))
            ratios[measure].append(rates[measure]["large"][-1] / rates[measure]["small"][-1])
    goals = {"queue": "≥ 0.7", "name search in a finished status": "≥ 0.5"}
    label = db.engine_name(engine)
    for measure, values in ratios.items():
        small = statistics.median(rates[measure]["small"])
        large = statistics.median(rates[measure]["large"])
        print(
            f"[{label}] {measure}, large vs small office: ratio min {min(values):.3f} "
            f"median {statistics.median(values):.3f} max {max(values):.3f} "
            f"(goal {goals[measure]}) — large {large:.1f}/s "
            f"({1000 / large:.1f} ms), small {small:.1f}/s ({1000 / small:.1f} ms)"
        )
    for client in clients.values():
        await client.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?", default="", help="PostgreSQL (dropped!) or SQLite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per load otherwise
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if args.url:
            import asyncpg

            connection = await asyncpg.connect(args.url)
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
            await run(app, engine, args.rounds, args.seconds)
        finally:
            await db.stop_engine(engine)


if __name__ == "__main__":
    asyncio.run(main())
