"""Databases for the suite, prepared once per pytest process and reset per test.

Migrating (19 tables, their indexes, the raw-SQL migrations) and seeding (6 kecamatan, 51
kelurahan, 9 letter types) took most of a database test's set-up. Here it is done once per
process: into a template SQLite file that each test copies, or into this xdist worker's
PostgreSQL database, whose seed rows are kept (binary COPY) and written back after each test
empties the tables.

The work runs on an event loop of its own in a helper thread: fixtures call it from inside
pytest-asyncio's loop (where `asyncio.run` is refused), and the PostgreSQL connection that
resets the tables lives for the whole session on that one loop.
"""

from __future__ import annotations

import asyncio
import atexit
import io
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from sodamolek import db
from sodamolek.settings import Settings

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
# Emptying the tables waits for every other session's lock on them: a server process left
# running by a failed test must fail the next test, not hang it.
LOCK_TIMEOUT = "30s"


def worker_database_url(url: str) -> str:
    """The PostgreSQL database of this pytest-xdist worker (`test_gw0`), or `url` itself when
    the suite runs in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_{worker}"


async def migrate_and_seed(url: str, data_dir: Path, demo: bool = False) -> None:
    """What `sodamolek migrate` then `sodamolek seed [--demo]` do, in this process."""
    from sodamolek.seed import seed

    settings = Settings(data_dir=data_dir, database_url=url, env="test", secret_key=SECRET)
    engine = db.use_engine(db.build_engine(settings))
    await db.start_engine(engine)
    try:
        await db.migrate()
        await seed(demo=demo)
    finally:
        await db.stop_engine(engine)


def checkpointed(path: Path) -> Path:
    """The SQLite file with its write-ahead log folded in, so copying the one file copies all."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


class _Loop:
    """An event loop in a daemon thread; `run` waits for a coroutine's result there."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


async def empty_postgres_database(url: str, maintenance_url: str) -> None:
    """The PostgreSQL database at `url` with nothing in it: created when missing (connected to
    `maintenance_url` for that), else its public schema dropped and made again. Never DROP
    DATABASE: that waits for a checkpoint of the whole server, tens of seconds on a busy one."""
    import asyncpg

    name = url.rpartition("/")[2]
    if url != maintenance_url:
        connection = await asyncpg.connect(maintenance_url)
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{name}"')
                return
        finally:
            await connection.close()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


def run_in_a_thread(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """`asyncio.run` for callers inside an event loop (Playwright's, pytest-asyncio's)."""
    loop = _Loop()
    try:
        return loop.run(coroutine)
    finally:
        loop.close()


_demo_database: Path | None = None


def demo_database() -> Path:
    """A SQLite file migrated and seeded with the demo data (`seed --demo`), made once per
    pytest process; live servers start on a copy instead of running `migrate` and `seed`."""
    global _demo_database
    if _demo_database is None:
        directory = Path(tempfile.mkdtemp(prefix="sodamolek-demo-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        path = directory / "sodamolek.sqlite3"
        run_in_a_thread(migrate_and_seed(f"sqlite:///{path}", directory, demo=True))
        _demo_database = checkpointed(path)
    return _demo_database


class DatabaseTemplate:
    """The migrated and seeded database of one pytest process; built on first use."""

    def __init__(self, directory: Path, postgres: tuple[str, str] | None = None):
        self._directory = directory
        self._postgres = postgres
        self._loop = _Loop()
        self._ready = False
        self._connection: Any = None  # asyncpg, PostgreSQL only
        self._tables: list[str] = []
        self._sequences: list[str] = []  # the tables' own (serial and identity columns)
        self._seed_rows: dict[str, bytes] = {}

    @classmethod
    def for_sqlite(cls, directory: Path) -> DatabaseTemplate:
        return cls(directory)

    @classmethod
    def for_postgres(cls, directory: Path, url: str, maintenance_url: str) -> DatabaseTemplate:
        """`url`: the database to use (created afresh when it is not `maintenance_url`, the one
        that exists already and is connected to for CREATE DATABASE)."""
        return cls(directory, postgres=(url, maintenance_url))

    @property
    def _file(self) -> Path:
        return self._directory / "sodamolek.sqlite3"

    @property
    def url(self) -> str:
        return self._postgres[0] if self._postgres else f"sqlite:///{self._file}"

    def _build(self) -> None:
        if self._ready:
            return
        if self._postgres:
            self._loop.run(self._build_postgres())
        else:
            self._loop.run(migrate_and_seed(self.url, self._directory))
            checkpointed(self._file)
        self._ready = True

    async def _build_postgres(self) -> None:
        import asyncpg

        url, maintenance_url = self._postgres  # type: ignore[misc]
        await empty_postgres_database(url, maintenance_url)
        await migrate_and_seed(url, self._directory)
        self._connection = await asyncpg.connect(url)
        await self._connection.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        # Every table but Piccolo's record of migrations, parents before children (the order
        # the migrations created them in, which is what COPY back needs for foreign keys).
        self._tables = [
            r["relname"]
            for r in await self._connection.fetch(
                "SELECT c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'migration' "
                "ORDER BY c.oid"
            )
        ]
        self._sequences = [
            r["name"]
            for r in await self._connection.fetch(
                "SELECT s.oid::regclass::text AS name FROM pg_class s "
                "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "WHERE s.relkind = 'S' AND t.relname = ANY($1::text[])",
                self._tables,
            )
        ]
        for table in self._tables:
            if await self._connection.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):  # noqa: S608
                buffer = io.BytesIO()
                await self._connection.copy_from_table(table, output=buffer, format="binary")
                self._seed_rows[table] = buffer.getvalue()

    def empty_tables(self) -> None:
        """PostgreSQL: every table of this worker's database empty, identities back at 1."""
        self._build()
        self._loop.run(self._empty_tables())

    async def _empty_tables(self) -> None:
        # What TRUNCATE ... RESTART IDENTITY CASCADE does, for ~1 ms instead of ~75: a TRUNCATE
        # of 30 tables gives each a new file. The replica role (the suite connects as a
        # superuser) skips the foreign-key and append-only triggers for these deletes only.
        async with self._connection.transaction():
            await self._connection.execute("SET LOCAL session_replication_role = replica")
            for table in self._tables:
                await self._connection.execute(f'DELETE FROM "{table}"')  # noqa: S608
            await self._connection.execute(
                "SELECT setval(name::regclass, 1, false) FROM unnest($1::text[]) AS name",
                self._sequences,
            )

    def restore(self, url: str) -> None:
        """The database at `url` as the template: migrated and seeded."""
        self._build()
        if self._postgres and url == self.url:
            self._loop.run(self._restore_seed_rows())
            return
        if not self._postgres and url.startswith("sqlite:///"):
            target = Path(url.removeprefix("sqlite:///"))
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self._file, target)
                return
        # Some other database (a test's own): the slow way.
        self._loop.run(migrate_and_seed(url, self._directory))

    async def _restore_seed_rows(self) -> None:
        async with self._connection.transaction():
            for table, rows in self._seed_rows.items():
                await self._connection.copy_to_table(
                    table, source=io.BytesIO(rows), format="binary"
                )
                await self._connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT max(id) FROM "{table}"))'
                )

    def close(self) -> None:
        if self._connection is not None:
            self._loop.run(self._connection.close())
        self._loop.close()
