"""The city dashboard with 1,000,000 requests in PostgreSQL: how long the page takes.

    uv run python bench/dashboard.py postgresql://postgres@127.0.0.1:5432/<scratch database>

THE DATABASE IS EMPTIED FIRST (its public schema is dropped), so it is never guessed: give the
URL as the argument or in SODAMOLEK_BENCH_POSTGRES_URL; without one the script says so and
exits (so that `make bench` passes where there is no PostgreSQL).

Loads 1,000,000 requests (COPY) spread over the 51 offices and the last two years — 40 a
working day per office, most collected within days, a few stuck past their due date, the
recent ones still open — and ~20% of the collected ones answered the satisfaction survey;
rebuilds the status counters and the dashboard's daily rollup from them (timed), then renders
the admin's /dasbor in-process over HTTP (median of RUNS) for 30 days, 1 year and 2 years,
the CSV export, and the camat's page. Also times the counter's creation and the lurah's
signature with the rollup's hooks on, against the same without them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from sodamolek import db
from sodamolek.accounts.service import create_account, load_user
from sodamolek.app import create_app
from sodamolek.dashboard import service as dashboard
from sodamolek.letter_requests import effects, rollup
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import By
from sodamolek.letter_requests.workdays import add_working_days
from sodamolek.letters.service import list_letter_types
from sodamolek.regions.service import list_offices
from sodamolek.seed import seed
from sodamolek.settings import Settings
from sodamolek.survey.service import COLUMNS as SURVEY_COLUMNS

TOTAL = 1_000_000
DAYS = 730
RUNS = 15
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a scratch database
REQUEST_COLUMNS = [
    "client_request_id",
    "content_hash",
    "tracking_code",
    "kelurahan",
    "kecamatan",
    "letter_type",
    "status",
    "applicant_name",
    "applicant_name_key",
    "created_at",
    "updated_at",
    "due_at",
    "ready_at",
    "finished_at",
    "version",
]


def synthetic_requests(offices: list[dict], types: list[dict], now: dt.datetime, chunk: int):
    """Chunks of rows for COPY (request i, 1-based id, is at office (i - 1) % 51), and the ids
    of the collected ones appended to `collected` as they are made."""
    rng = random.Random(2026)  # noqa: S311 - synthetic data
    start = now - dt.timedelta(days=DAYS)
    span = (now - start).total_seconds()
    rows = []
    for i in range(TOTAL):
        office = offices[i % len(offices)]
        kind = types[rng.randrange(len(types))]
        created = start + dt.timedelta(seconds=rng.random() * span)
        due = add_working_days(created, kind["service_days"])
        age_days = (now - created).total_seconds() / 86400
        # Time to signature: mostly hours, a long tail of days.
        ready = created + dt.timedelta(hours=rng.lognormvariate(2.6, 1.0))
        if ready > now:
            ready = None
        roll = rng.random()
        finished = None
        if ready is None or (age_days < 3 and roll < 0.5):
            status, ready = rng.choice(["in_review", "incomplete", "awaiting_signature"]), None
        elif roll < 0.002:  # stuck: still in the office's hands long past its due date
            status, ready = "in_review", None
        elif roll < 0.03:
            status, ready, finished = "rejected", None, created + dt.timedelta(hours=5)
        elif roll < 0.05:
            status, ready, finished = "cancelled", None, created + dt.timedelta(hours=2)
        elif age_days < 10 and roll < 0.15:
            status = "ready"
        else:
            status, finished = "collected", min(now, ready + dt.timedelta(days=rng.random() * 3))
        rows.append(
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                "bench",
                f"BEN-{i:010d}",
                office["id"],
                office["kecamatan"],
                kind["id"],
                status,
                f"Warga {i}",
                f"warga {i}",
                created,
                finished or ready or created,
                due,
                ready,
                finished,
                1,
            )
        )
        if len(rows) == chunk:
            yield rows
            rows = []
    if rows:
        yield rows


def synthetic_surveys(collected: list, now: dt.datetime) -> list[tuple]:
    """A fifth of the residents answer, within a day of collecting the letter."""
    rng = random.Random(14)  # noqa: S311 - synthetic data
    rows = []
    for request in collected:
        if rng.random() < 0.2:
            scores = [min(4, max(1, round(rng.gauss(3.3, 0.6)))) for _ in SURVEY_COLUMNS]
            when = min(now, request["finished_at"] + dt.timedelta(hours=rng.random() * 24))
            rows.append((request["id"], request["kelurahan"], *scores, "", when))
    return rows


async def timed(label: str, action, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await action()
        timings.append(time.perf_counter() - t0)
    median = statistics.median(timings) * 1000
    print(
        f"  {label:<46} median {median:7.1f} ms   (min {min(timings) * 1000:.1f}, "
        f"max {max(timings) * 1000:.1f}, {runs} runs)"
    )
    return median


async def main(url: str) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    connection = await asyncpg.connect(url)
    await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await connection.close()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url, data_dir=Path(tmp), env="test", secret_key="bench-secret-" + "x" * 40
        )
        app = create_app(settings)
        await db.start_engine(app.state.engine)
        await db.migrate()
        await seed()
        await create_account(
            username="admin.bench", full_name="Admin", role="admin", password=PASSWORD
        )
        await create_account(
            username="camat.bench",
            full_name="Camat",
            role="camat",
            password=PASSWORD,
            kecamatan="53.71.04",
        )
        offices = await list_offices()
        types = await list_letter_types()
        now = dt.datetime.now(dt.UTC)

        connection = await asyncpg.connect(url)
        t0 = time.perf_counter()
        for chunk in synthetic_requests(offices, types, now, 100_000):
            await connection.copy_records_to_table(
                "letter_request", records=chunk, columns=REQUEST_COLUMNS
            )
        collected = await connection.fetch(
            "SELECT id, kelurahan, finished_at FROM letter_request WHERE status = 'collected'"
        )
        surveys = synthetic_surveys(collected, now)
        await connection.copy_records_to_table(
            "survey_response",
            records=surveys,
            columns=["request", "kelurahan", *SURVEY_COLUMNS, "comment", "created_at"],
        )
        print(
            f"generated and COPied {TOTAL:,} requests and {len(surveys):,} surveys: "
            f"{time.perf_counter() - t0:.1f} s"
        )

        t0 = time.perf_counter()
        await requests.rebuild_counters()
        print(f"status counters rebuilt: {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        days = await rollup.rebuild_rollup()
        print(
            f"daily rollup rebuilt from 1,000,000 requests: {days:,} office-days "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        await connection.execute("VACUUM ANALYZE")
        await connection.close()

        today = rollup.local_day(now)
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bench") as admin,
            httpx.AsyncClient(transport=transport, base_url="http://bench") as camat,
        ):
            for client, username in ((admin, "admin.bench"), (camat, "camat.bench")):
                page = await client.get("/masuk")
                token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
                await client.post(
                    "/masuk",
                    data={"username": username, "password": PASSWORD, "_csrf_token": token},
                )

            async def get(client, path):
                response = await client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            year = f"dari={today - dt.timedelta(days=364)}&sampai={today}"
            two = f"dari={today - dt.timedelta(days=dashboard.MAX_DAYS - 1)}&sampai={today}"
            print("render in-process over HTTP (session, query, template, gzip):")
            results = {
                "city, last 30 days": await timed(
                    "admin /dasbor, city, last 30 days", lambda: get(admin, "/dasbor")
                ),
                "city, 1 year": await timed(
                    "admin /dasbor, city, 1 year", lambda: get(admin, f"/dasbor?{year}")
                ),
                "city, 2 years": await timed(
                    "admin /dasbor, city, 2 years", lambda: get(admin, f"/dasbor?{two}")
                ),
            }
            await timed(
                "admin /dasbor/kantor.csv, city, 1 year",
                lambda: get(admin, f"/dasbor/kantor.csv?{year}"),
            )
            await timed("camat /dasbor, kecamatan Oebobo, 30 days", lambda: get(camat, "/dasbor"))
            await timed(
                "dashboard() figures only, city, 30 days",
                lambda: dashboard.dashboard(today - dt.timedelta(days=29), today),
            )
        worst = max(results.values())
        print(
            f"goal ≤ 500 ms for the city dashboard: {'met' if worst <= 500 else 'MISSED'} "
            f"(slowest range {worst:.1f} ms)"
        )

        await hook_cost(offices)
        await db.stop_engine(app.state.engine)


async def hook_cost(offices: list[dict]) -> None:
    """The counter's creation and the lurah's signature, with and without the rollup hooks."""
    from sodamolek.accounts.tables import Account

    await create_account(
        username="op.bench",
        full_name="Operator",
        role="operator",
        password=PASSWORD,
        kelurahan="53.71.04.1001",
    )
    await create_account(
        username="lurah.bench",
        full_name="Lurah",
        role="lurah",
        password=PASSWORD,
        kelurahan="53.71.04.1001",
    )
    ids = {r["username"]: r["id"] for r in await Account.select(Account.id, Account.username)}
    operator, lurah = await load_user(ids["op.bench"]), await load_user(ids["lurah.bench"])

    async def one() -> None:
        submission = requests.Submission(
            client_request_id=str(uuid.uuid4()),
            letter_type="domisili",
            applicant={"applicant_name": "Bench"},
            data={"keperluan": "Bench", "alamat_domisili": "Jl. El Tari 5"},
        )
        created = (await requests.create_request(operator, submission)).request
        await requests.change_status(operator, created["id"], "awaiting_signature")
        await requests.change_status(lurah, created["id"], "ready", by=By.SIGNATURE)

    everything = effects.EFFECTS
    without_rollup = tuple(e for e in everything if e is not effects.dashboard_rollup)
    timings: dict[bool, list[float]] = {True: [], False: []}
    for i in range(400):  # interleaved, so that warm-up and load fall on both alike
        on = i % 2 == 0
        effects.EFFECTS = everything if on else without_rollup
        t0 = time.perf_counter()
        await one()
        timings[on].append((time.perf_counter() - t0) * 1000)
    effects.EFFECTS = everything
    with_hooks, without = (statistics.median(timings[k]) for k in (True, False))
    print("create + forward + sign, one request, on the 1,000,000-request tables (200 each):")
    print(
        f"  with the rollup effect: median {with_hooks:.1f} ms; without: {without:.1f} ms "
        f"(its two upserts: {with_hooks - without:+.1f} ms)"
    )


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SODAMOLEK_BENCH_POSTGRES_URL")
    if not target or not target.startswith(("postgres://", "postgresql://")):
        print(
            "dashboard bench skipped: give a scratch PostgreSQL URL (argument or "
            "SODAMOLEK_BENCH_POSTGRES_URL); that database is emptied first."
        )
        sys.exit(0)
    asyncio.run(main(target))
