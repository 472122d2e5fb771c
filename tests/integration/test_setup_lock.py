"""Several app containers start at once, each running `sodamolek migrate` then `sodamolek
seed` on one empty database: every migration is applied once, the seed lands once, no process
fails (advisory lock on PostgreSQL, a lock file beside the SQLite database)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from sodamolek.db.setup_lock import setup_lock

MIGRATIONS = Path(__file__).resolve().parents[2] / "backend/sodamolek/db/migrations"
PROCESSES = 4
# What a container's start does, in one interpreter per process (as `migrate && seed`).
START = "import sys; from sodamolek.cli import main; sys.exit(main(['migrate']) or main(['seed']))"


@pytest.fixture
async def empty_database(new_database) -> str:
    """An empty database of the engine under test, apart from the one the fixtures prepared:
    a new SQLite file, or a PostgreSQL database of this worker's own (not a schema of the test
    database: Piccolo finds its migration table in any schema)."""
    return await new_database("setup_lock")


async def _fetch(database_url: str, query: str) -> list[tuple]:
    if database_url.startswith("postgresql://"):
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            return [tuple(r) for r in await connection.fetch(query)]
        finally:
            await connection.close()
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(query).fetchall()


async def test_containers_starting_at_once_migrate_and_seed_exactly_once(empty_database, tmp_path):
    database_url = empty_database
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_ENV": "test",
        "SODAMOLEK_DATA_DIR": str(tmp_path),
        "SODAMOLEK_DATABASE_URL": database_url,
    }
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            START,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    outputs = await asyncio.wait_for(
        asyncio.gather(*(p.communicate() for p in processes)), timeout=100
    )
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, f"{out.decode()}\n{err.decode()}"
        assert b"Traceback" not in err, err.decode()

    shipped = sorted(p.stem for p in MIGRATIONS.glob("sodamolek_*.py"))
    rows = await _fetch(database_url, "SELECT name, count(*) FROM migration GROUP BY name")
    applied = {name: count for name, count in rows}
    assert len(applied) == len(shipped) > 0
    assert set(applied.values()) == {1}, applied
    # The seed ran once in effect: the city's 6 kecamatan and 51 kelurahan, each once.
    assert await _fetch(database_url, "SELECT count(*) FROM kecamatan") == [(6,)]
    assert await _fetch(database_url, "SELECT count(*) FROM kelurahan") == [(51,)]
    seeded = [o.decode() for o, _ in outputs if b"+51 kelurahan" in o]
    assert len(seeded) == 1, [o.decode() for o, _ in outputs]


async def test_a_second_holder_waits_for_the_first(app):
    """A second holder waits until the first lets go."""
    from sodamolek import db

    engine = db.current_engine()
    order: list[str] = []

    async def hold(name: str, seconds: float) -> None:
        async with setup_lock(engine):
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    first = asyncio.create_task(hold("first", 0.3))
    # The second starts once the first holds the lock (taking it opens a connection, which a
    # loaded machine may take longer than any fixed pause to do).
    for _ in range(1000):
        if order:
            break
        await asyncio.sleep(0.01)
    await hold("second", 0)
    await first
    assert order == ["first in", "first out", "second in", "second out"]
