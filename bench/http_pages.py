"""The app's hot pages against the framework's limit, measured side by side in one run.

    uv run python bench/http_pages.py                   # 3 rounds of 5 s per measure
    uv run python bench/http_pages.py --rounds 5 --seconds 10
    uv run python bench/http_pages.py --only pages      # /lacak and the queue alone (SQLite)
    uv run python bench/http_pages.py --postgres postgresql://postgres@127.0.0.1:5432/bench_http

Needs `wrk` (Debian's package `wrk`; `make bench-tools` installs it). Every server is started
here, from a database migrated and seeded with demo data in a temporary folder:

- the app (`sodamolek serve`, one worker, SQLite; and on PostgreSQL with one and two workers);
  before any measure, QUEUE_ROWS active requests are created in the demo operator's office
  through the API, so the queue (`/permohonan`) is measured with a full page of 25 rows, as an
  operator's queue really shows (the run stops if the page shows fewer);
- a bare Litestar route answering a page of the tracking page's size (the framework's limit);
- the same Jinja tracking page rendered from a view read once at start (the page without the
  database);
- raw 3-row write transactions (request, event, counter) of the same schema over the same HTTP
  stack, with aiosqlite and with asyncpg (the write path's limit).

Servers run on CPU 0 and wrk on CPU 1 where `taskset` exists (the two-worker measure uses both).
Each round runs every target and its baseline one after the other, so both see the same machine;
the ratios are printed per measure with min/median/max over the rounds, with each target's
requests per second, p99 latency and the server's CPU time per request (its processes' user and
system time over the requests served: steadier than the rates on a shared machine). Not
measured here: the queue of a very large office and
name search over a long history (see requests_bench.py), and the push worker
(push_throughput.py).
"""

# The raw baselines build INSERTs from column names read from the schema itself.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from litestar import Litestar, MediaType, get, post
from litestar.datastructures import State
from litestar.response import Template

KELURAHAN = "53.71.04.1001"  # Oebobo, where the demo operator works
QUEUE_ROWS = 25  # a full page of the queue (letter_requests.service.PAGE_SIZE)
BODY = (
    '{"client_request_id": "%s", "letter_type": "domisili", '
    '"applicant": {"nik": "5371045708900003", "name": "Maria Ndun", "address": "Jl. El Tari 5"}, '
    '"data": {"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5, Oebobo"}, '
    '"requirements_checked": ["Surat pengantar RT/RW"]}'
)
# wrk makes a fresh Idempotency-Key (and the same client_request_id) for every request.
CREATE_LUA = """
local counter = 0
local prefix = "00000000"
function init(args) prefix = args[1] end
function request()
  counter = counter + 1
  local id = string.format("%s-0000-4000-8000-%012x", prefix, counter)
  local body = string.format([[BODY]], id)
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Idempotency-Key"] = id
  return wrk.format("POST", nil, nil, body)
end
"""


# Residents come from many addresses and /lacak is limited per address: each request comes
# from another one, named in X-Forwarded-For by a trusted proxy (the bench itself).
RESIDENTS_LUA = """
local counter = 0
function request()
  counter = counter + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("GET")
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: str | None) -> list[str]:
    return ["taskset", "-c", cpu] if cpu and shutil.which("taskset") else []


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {"SODAMOLEK_DATA_DIR": str(data_dir), "SODAMOLEK_TRUSTED_PROXIES": "127.0.0.1"}
    if database_url:
        env["SODAMOLEK_DATABASE_URL"] = database_url
    return env


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> Server:
    out = open(log, "ab")  # noqa: SIM115 - kept open for the process
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} stopped at start:\n{tail}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):  # noqa: S310 - local
                return Server(name, url, process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    tail = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{name} did not start in 120 s:\n{tail}")


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "sodamolek.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def helper(mode: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - this script
        [sys.executable, __file__, mode, *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@dataclass
class Load:
    rps: float
    p99_ms: float
    errors: int
    cpu_us: float | None = None  # the server's CPU time per request (its processes, all workers)
    postgres_cpu_us: float = 0.0  # every PostgreSQL process's, per request
    wrk_cpu_us: float = 0.0  # the load generator's own, per request


def postgres_cpu_seconds() -> float:
    """User + system time of every PostgreSQL process on the machine (Linux /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.endswith("(postgres"):
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float | None:
    """User + system time of a process and its children still running (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for child in children:
        total += process_cpu_seconds(int(child)) or 0.0
    return total


def wrk(
    url: str,
    seconds: int,
    connections: int,
    cpu: str | None,
    extra: list[str],
    server_pid: int | None = None,
) -> Load:
    before = process_cpu_seconds(server_pid) if server_pid else None
    postgres_before, wrk_before = postgres_cpu_seconds(), children_cpu_seconds()
    command = [
        *pinned(cpu),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        url,
        *extra,
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    after = process_cpu_seconds(server_pid) if server_pid else None
    postgres_after, wrk_after = postgres_cpu_seconds(), children_cpu_seconds()
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return Load(
        rps,
        float(p99.group(1)) * scale,
        int(errors.group(1) if errors else 0) + int(socket_errors.group(1) if socket_errors else 0),
        (after - before) / requests * 1e6 if before is not None and after and requests else None,
        (postgres_after - postgres_before) / requests * 1e6 if requests else 0.0,
        (wrk_after - wrk_before) / requests * 1e6 if requests else 0.0,
    )


# ---------------------------------------------------------------- helper processes


def serve_bare(port: int, size: int) -> None:
    import uvicorn

    page = "<!doctype html>" + "x" * max(size - 15, 0)

    @get("/health", media_type=MediaType.TEXT)
    async def health() -> str:
        return "ok"

    @get("/lacak/{code:str}", media_type=MediaType.HTML)
    async def track(code: str) -> str:
        return page

    uvicorn.run(Litestar([health, track]), host="127.0.0.1", port=port, log_level="warning")


def serve_cached_page(port: int, code: str) -> None:
    """The real tracking template, rendered on every request from a view read once."""
    import uvicorn

    from sodamolek import db
    from sodamolek.settings import Settings
    from sodamolek.tracking import service
    from sodamolek.tracking.views import status_page
    from sodamolek.web.templating import template_config

    settings = Settings.from_env()

    async def load() -> service.TrackingView:
        engine = db.use_engine(db.build_engine(settings))
        await db.start_engine(engine, 1)
        try:
            view = await service.track(code)
        finally:
            await db.stop_engine(engine)
        assert view is not None, code
        return view

    view = asyncio.run(load())

    @get("/health", media_type=MediaType.TEXT)
    async def health() -> str:
        return "ok"

    @get("/lacak/{code:str}")
    async def track(code: str) -> Template:
        return status_page(view)

    app = Litestar(
        [health, track], template_config=template_config(), state=State({"settings": settings})
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def serve_raw_writes(port: int, database_url: str | None, sqlite_path: str) -> None:
    """POST /raw: one transaction of three rows in the app's own tables, no ORM."""
    import uvicorn

    state: dict = {}

    async def open_sqlite() -> None:
        import aiosqlite

        connection = await aiosqlite.connect(sqlite_path, isolation_level=None)
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA synchronous=FULL")
        await connection.execute("PRAGMA busy_timeout=5000")
        state["sqlite"] = connection
        state["lock"] = asyncio.Lock()

    async def open_postgres() -> None:
        import asyncpg

        state["pool"] = await asyncpg.create_pool(database_url, min_size=1, max_size=8)

    async def copy_sql(fetch_columns) -> tuple[str, str, str]:
        columns = {
            table: [c for c in await fetch_columns(table) if c != "id"]
            for table in ("letter_request", "request_event")
        }
        fresh = {"client_request_id", "tracking_code", "idempotency_key", "content_hash"}
        return columns["letter_request"], columns["request_event"], fresh

    async def on_start() -> None:
        if database_url:
            await open_postgres()
        else:
            await open_sqlite()

    async def sqlite_write() -> None:
        connection = state["sqlite"]
        if "sql" not in state:

            async def columns(table: str) -> list[str]:
                rows = await (await connection.execute(f"PRAGMA table_info({table})")).fetchall()
                return [r[1] for r in rows]

            request_cols, event_cols, fresh = await copy_sql(columns)
            select = ", ".join("?" if c in fresh else c for c in request_cols)
            state["sql"] = (
                f"INSERT INTO letter_request ({', '.join(request_cols)}) "
                f"SELECT {select} FROM letter_request ORDER BY id LIMIT 1 RETURNING id",
                [c for c in request_cols if c in fresh],
                f"INSERT INTO request_event ({', '.join(event_cols)}) SELECT "
                + ", ".join("?" if c == "request" else c for c in event_cols)
                + " FROM request_event ORDER BY id LIMIT 1",
            )
        insert_request, fresh_cols, insert_event = state["sql"]
        async with state["lock"]:  # one writer, as SQLite wants
            await connection.execute("BEGIN IMMEDIATE")
            values = [fresh_value(c) for c in fresh_cols]
            row = await (await connection.execute(insert_request, values)).fetchone()
            await connection.execute(insert_event, [row[0]])
            await connection.execute(
                "UPDATE request_counter SET count = count + 1 WHERE id = "
                "(SELECT id FROM request_counter ORDER BY id LIMIT 1)"
            )
            await connection.execute("COMMIT")

    async def postgres_write() -> None:
        pool = state["pool"]
        async with pool.acquire() as connection:
            if "sql" not in state:

                async def columns(table: str) -> list[str]:
                    rows = await connection.fetch(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = $1 ORDER BY ordinal_position",
                        table,
                    )
                    return [r[0] for r in rows]

                request_cols, event_cols, fresh = await copy_sql(columns)
                fresh_cols = [c for c in request_cols if c in fresh]
                numbers = iter(range(1, len(fresh_cols) + 1))
                select = ", ".join(
                    f"${next(numbers)}::{'uuid' if c == 'client_request_id' else 'varchar'}"
                    if c in fresh
                    else c
                    for c in request_cols
                )
                state["sql"] = (
                    f"INSERT INTO letter_request ({', '.join(request_cols)}) "
                    f"SELECT {select} FROM letter_request ORDER BY id LIMIT 1 RETURNING id",
                    fresh_cols,
                    f"INSERT INTO request_event ({', '.join(event_cols)}) SELECT "
                    + ", ".join("$1" if c == "request" else c for c in event_cols)
                    + " FROM request_event ORDER BY id LIMIT 1",
                )
            insert_request, fresh_cols, insert_event = state["sql"]
            async with connection.transaction():
                values = [fresh_value(c, typed=True) for c in fresh_cols]
                request_id = await connection.fetchval(insert_request, *values)
                await connection.execute(insert_event, request_id)
                await connection.execute(
                    "UPDATE request_counter SET count = count + 1 WHERE id = "
                    "(SELECT id FROM request_counter ORDER BY id LIMIT 1)"
                )

    @get("/health", media_type=MediaType.TEXT)
    async def health() -> str:
        return "ok"

    @post("/raw", status_code=201, media_type=MediaType.TEXT)
    async def raw() -> str:
        await (postgres_write() if database_url else sqlite_write())
        return "ok"

    app = Litestar([health, raw], on_startup=[on_start])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def fresh_value(column: str, typed: bool = False) -> object:
    if column == "client_request_id":
        value = uuid.uuid4()
        return value if typed else str(value)
    return secrets.token_hex(8)


def make_token() -> None:
    from sodamolek import db
    from sodamolek.accounts import tokens
    from sodamolek.settings import Settings

    async def run() -> str:
        engine = db.use_engine(db.build_engine(Settings.from_env()))
        await db.start_engine(engine, 1)
        try:
            return (await tokens.create_token(None, "bench", KELURAHAN))[1]
        finally:
            await db.stop_engine(engine)

    print(asyncio.run(run()))


# ---------------------------------------------------------------- the run


def login_cookie(base: str) -> str:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        form = client.get("/masuk")
        token = re.search(r'name="([^"]*csrf[^"]*)"\s+value="([^"]+)"', form.text)
        data = {"username": "operator.oebobo", "password": "kupang-demo-2026"}
        if token:
            data[token.group(1)] = token.group(2)
        answer = client.post("/masuk", data=data, headers={"Origin": base})
        if answer.status_code >= 400:
            raise RuntimeError(f"login failed: {answer.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def create_request(base: str, token: str) -> dict:
    """One request in the demo operator's office, through the app's API."""
    answer = httpx.post(
        base + "/api/v1/permohonan",
        content=BODY % (key := str(uuid.uuid4())),
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


def queue_rows(base: str, cookie: str) -> int:
    """How many requests the operator's queue page shows (one link to each)."""
    page = httpx.get(base + "/permohonan", headers={"Cookie": cookie}, timeout=30)
    page.raise_for_status()
    return len(re.findall(r'<a href="/permohonan/\d+">', page.text))


def prepare(folder: Path, database_url: str | None) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    env = environment(folder, database_url)
    cli(env, "migrate")
    cli(env, "seed", "--demo")
    return env


def reset_postgres(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def run() -> None:
        admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    asyncio.run(run())


def summary(label: str, ratios: list[float], goal: str, loads: dict[str, list[Load]]) -> None:
    figures = ", ".join(
        f"{name} {statistics.median(x.rps for x in runs):,.0f} rps "
        f"p99 {statistics.median(x.p99_ms for x in runs):,.0f} ms"
        + (
            f" CPU {statistics.median(cpus):,.0f} µs/request"
            if (cpus := [x.cpu_us for x in runs if x.cpu_us is not None])
            else ""
        )
        + (f" ({sum(x.errors for x in runs)} errors)" if any(x.errors for x in runs) else "")
        for name, runs in loads.items()
    )
    print(
        f"{label}: ratio min {min(ratios):.3f} median {statistics.median(ratios):.3f} "
        f"max {max(ratios):.3f} (goal {goal}) — {figures}",
        flush=True,
    )


def workers_bound(loads: dict[str, list[Load]]) -> None:
    """What two workers can reach when PostgreSQL and wrk share their cores: every request
    costs the app's CPU plus PostgreSQL's plus wrk's, and the machine has so many cores. The
    ideal 2.0 holds only where the database and the load generator cost nothing."""
    two, one = loads["2 workers"], loads["1 worker"]
    app = statistics.median(x.cpu_us for x in two if x.cpu_us)
    postgres = statistics.median(x.postgres_cpu_us for x in two)
    load = statistics.median(x.wrk_cpu_us for x in two)
    cores = os.cpu_count() or 1
    ceiling = cores * 1e6 / (app + postgres + load)
    one_rps = statistics.median(x.rps for x in one)
    print(
        f"  per request with 2 workers: app {app:,.0f} µs, PostgreSQL {postgres:,.0f} µs, "
        f"wrk {load:,.0f} µs of CPU; {cores} cores bound 2 workers at {ceiling:,.0f} rps, "
        f"{ceiling / one_rps:.2f}× the one worker's {one_rps:,.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--only",
        choices=("pages", "create", "workers"),
        help="run only the SQLite page measures (/lacak, the queue), the API create measures, "
        "or the two-workers one",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SODAMOLEK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench_http"
        ),
        help="a database this bench may drop and create; '' to skip PostgreSQL",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk tidak ada: jalankan 'make bench-tools' (paket Debian wrk).")

    root = Path(tempfile.mkdtemp(prefix="sodamolek-http-"))
    servers: list[Server] = []
    this = [sys.executable, __file__]
    app = [sys.executable, "-m", "sodamolek.cli", "serve"]
    try:
        env = prepare(root / "sqlite", None)
        sqlite_file = str(root / "sqlite" / "sodamolek.sqlite3")
        for candidate in (root / "sqlite").glob("*.sqlite3"):
            sqlite_file = str(candidate)

        def launch(name: str, command: list[str], env: dict[str, str], cpu: str | None) -> Server:
            port = free_port()
            server = start(
                name, [*pinned(cpu), *command, "--port", str(port)], env, port, root / f"{name}.log"
            )
            servers.append(server)
            return server

        app_sqlite = launch("app-sqlite", app, env, "0")
        token = helper("_token", env)
        auth = ["-H", f"Authorization: Bearer {token}"]
        # The queue is measured with a full page: an operator's queue shows 25 rows, not the
        # one or two of a freshly seeded office (each row costs the page's template).
        code = create_request(app_sqlite.url, token)["tracking_code"]
        for _ in range(QUEUE_ROWS - 1):
            create_request(app_sqlite.url, token)
        page = httpx.get(f"{app_sqlite.url}/lacak/{code}", timeout=30)
        page.raise_for_status()
        session = login_cookie(app_sqlite.url)
        rows = queue_rows(app_sqlite.url, session)
        if rows != QUEUE_ROWS:
            raise RuntimeError(f"the queue shows {rows} rows, not a full page of {QUEUE_ROWS}")
        print(f"the queue (/permohonan) is measured with a full page of {rows} rows", flush=True)
        cookie = ["-H", f"Cookie: {session}"]
        bare = launch("bare", [*this, "_bare", str(len(page.content))], env, "0")
        cached = launch("cached-page", [*this, "_cached", code], env, "0")
        raw_sqlite = launch("raw-sqlite", [*this, "_raw", "", sqlite_file], env, "0")
        script = root / "create.lua"
        script.write_text(CREATE_LUA.replace("BODY", BODY))
        residents = ["-s", str(root / "residents.lua")]
        (root / "residents.lua").write_text(RESIDENTS_LUA)

        postgres = None
        if args.postgres and args.only != "pages":
            reset_postgres(args.postgres)
            pg_env = prepare(root / "postgres", args.postgres)
            pg_token = helper("_token", pg_env)
            pg1 = launch("app-pg-1", app, pg_env, "0")
            pg2 = launch("app-pg-2", [*app, "--workers", "2"], pg_env, None)
            raw_pg = launch("raw-pg", [*this, "_raw", args.postgres, ""], pg_env, "0")
            pg_code = create_request(pg1.url, pg_token)["tracking_code"]
            postgres = (pg1, pg2, raw_pg, pg_token, pg_code)

        def run(url: str, connections: int = args.connections, extra=(), cpu: str | None = "1"):
            # The CPU time the server spent per request: steadier than its rate on a shared
            # machine, where other processes take turns on the server's core.
            pid = next((s.process.pid for s in servers if url.startswith(s.url + "/")), None)
            return wrk(url, args.seconds, connections, cpu, list(extra), pid)

        def create_load(url: str, auth_header: list[str]) -> Load:
            prefix = secrets.token_hex(4)
            return run(url, 8, ["-s", str(script), *auth_header, "--", prefix])

        names = [
            "lacak vs bare route",
            "lacak vs page without database",
            f"queue vs bare route (a full page of {QUEUE_ROWS} rows)",
            "API create SQLite c8 vs raw aiosqlite",
            "API create PostgreSQL c8 vs raw asyncpg",
            "lacak PostgreSQL, 2 workers vs 1",
        ]
        ratios: dict[str, list[float]] = {n: [] for n in names}
        loads: dict[str, dict[str, list[Load]]] = {n: {} for n in names}

        def record(name: str, target: tuple[str, Load], baseline: tuple[str, Load]) -> None:
            ratios[name].append(target[1].rps / baseline[1].rps)
            for label, load in (target, baseline):
                loads[name].setdefault(label, []).append(load)

        for round_number in range(1, args.rounds + 1):
            print(f"round {round_number}/{args.rounds}", flush=True)
            if args.only in (None, "pages"):
                lacak = run(f"{app_sqlite.url}/lacak/{code}", extra=residents)
                bare_load = run(f"{bare.url}/lacak/{code}", extra=residents)
                cached_load = run(f"{cached.url}/lacak/{code}", extra=residents)
                queue = run(f"{app_sqlite.url}/permohonan", extra=cookie)
                record(names[0], ("lacak", lacak), ("bare", bare_load))
                record(names[1], ("lacak", lacak), ("page", cached_load))
                record(names[2], ("queue", queue), ("bare", bare_load))
            if args.only in (None, "create"):
                create = create_load(f"{app_sqlite.url}/api/v1/permohonan", auth)
                raw = run(
                    f"{raw_sqlite.url}/raw", 8, ["-s", str(script), "--", secrets.token_hex(4)]
                )
                record(names[3], ("create", create), ("raw", raw))
            if postgres and args.only in (None, "create"):
                pg1, pg2, raw_pg, pg_token, pg_code = postgres
                pg_auth = ["-H", f"Authorization: Bearer {pg_token}"]
                pg_create = create_load(f"{pg1.url}/api/v1/permohonan", pg_auth)
                pg_raw = run(
                    f"{raw_pg.url}/raw", 8, ["-s", str(script), "--", secrets.token_hex(4)]
                )
                record(names[4], ("create", pg_create), ("raw", pg_raw))
            if postgres and args.only in (None, "workers"):
                pg1, pg2, raw_pg, pg_token, pg_code = postgres
                one = run(f"{pg1.url}/lacak/{pg_code}", extra=residents, cpu=None)
                two = run(f"{pg2.url}/lacak/{pg_code}", extra=residents, cpu=None)
                record(names[5], ("2 workers", two), ("1 worker", one))

        goals = ["≥ 0.30", "≥ 0.5", "≥ 0.25", "≥ 0.6", "≥ 0.6", "≥ 1.7"]
        print()
        for name, goal in zip(names, goals, strict=True):
            if ratios[name]:
                summary(name, ratios[name], goal, loads[name])
        if ratios[names[5]]:
            workers_bound(loads[names[5]])
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        mode, rest = sys.argv[1], sys.argv[2:]
        port = int(rest[rest.index("--port") + 1]) if "--port" in rest else 0
        if mode == "_bare":
            serve_bare(port, int(rest[0]))
        elif mode == "_cached":
            serve_cached_page(port, rest[0])
        elif mode == "_raw":
            serve_raw_writes(port, rest[0] or None, rest[1])
        elif mode == "_token":
            make_token()
    else:
        main()
