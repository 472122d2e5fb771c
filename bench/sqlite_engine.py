"""Piccolo's SQLiteEngine (a connection and a thread per query) against our pooled engine.

Prints queries per second for each and the ratio. Usage: uv run python bench/sqlite_engine.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from piccolo.engine.sqlite import SQLiteEngine

from sodamolek import db
from sodamolek.db.engine import PooledSQLiteEngine
from sodamolek.regions.tables import Kelurahan
from sodamolek.settings import Settings

QUERIES = 2000


async def run(engine, label: str) -> float:
    db.use_engine(engine)
    await Kelurahan.select().where(Kelurahan.code == "53.71.04.1001").first()  # warm up
    start = time.perf_counter()
    for _ in range(QUERIES):
        await Kelurahan.select().where(Kelurahan.code == "53.71.04.1001").first()
    elapsed = time.perf_counter() - start
    rate = QUERIES / elapsed
    print(f"{label:<28} {rate:8.0f} queries/s  ({elapsed * 1e6 / QUERIES:.0f} µs a query)")
    return rate


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        settings = Settings(database_url=f"sqlite:///{path}", data_dir=Path(tmp))
        pooled = db.use_engine(db.build_engine(settings))
        await db.migrate()
        from sodamolek.regions.service import seed_regions

        await seed_regions()
        plain_rate = await run(SQLiteEngine(path=str(path)), "piccolo SQLiteEngine")
        pooled_rate = await run(pooled, "PooledSQLiteEngine")
        assert isinstance(pooled, PooledSQLiteEngine)
        await db.stop_engine(pooled)
        print(f"ratio pooled/plain: {pooled_rate / plain_rate:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
