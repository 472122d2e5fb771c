"""One process at a time changes the schema or seeds: several app containers (or `serve`
replicas) may start together, and each runs `sodamolek migrate` and `sodamolek seed` first.

PostgreSQL: a session-level advisory lock on a dedicated connection. It is released when the
connection closes, so a migrator that dies never leaves it held.
SQLite: an exclusive flock on a file beside the database (the data folder). SQLite's own write
lock cannot serve: Piccolo's migrations write through other connections, which that lock would
block. The kernel releases a flock when its process dies, too.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

logger = logging.getLogger("sodamolek.db")

# Any fixed 64-bit number that nothing else in the database uses as an advisory-lock key.
ADVISORY_LOCK_KEY = 0x50DA_301E_0001
WAITING_MESSAGE = "Menunggu proses lain yang sedang menjalankan migrasi atau seed…"


def lock_file_for(database_path: str | Path) -> Path:
    path = Path(database_path)
    return path.with_name(path.name + ".setup.lock")


@contextlib.asynccontextmanager
async def setup_lock(engine: Engine) -> AsyncIterator[None]:
    if isinstance(engine, PostgresEngine):
        async with _advisory_lock(engine):
            yield
    elif isinstance(engine, SQLiteEngine):
        async with _file_lock(lock_file_for(engine.path)):
            yield
    else:  # pragma: no cover - build_engine makes only these two
        raise TypeError(f"no setup lock for {type(engine).__name__}")


@contextlib.asynccontextmanager
async def _advisory_lock(engine: PostgresEngine) -> AsyncIterator[None]:
    import asyncpg

    connection = await asyncpg.connect(**engine.config)
    try:
        if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_LOCK_KEY):
            logger.warning(WAITING_MESSAGE)
            await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    # "a": never truncated, another process may hold it; a local file, opened once.
    with open(path, "a") as handle:  # noqa: ASYNC230
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning(WAITING_MESSAGE)
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
