"""Fixed SQL for the pages read most (the resident's tracking page, the counter's queue).

Piccolo builds each query in Python on every call (a select by code about 225 µs CPU, a 3-way
join 846 µs, against sqlite3's own 4.5 µs) and aiosqlite hands each statement to a thread
(about 100 µs of wake-ups). Here the SQL is written once, at import, and run as it is:

- SQLite: on a synchronous sqlite3 connection of the engine's own that can only read
  (`query_only`), in the event loop. WAL lets it read beside the one writer and it never waits
  on it; an indexed read of a few rows takes microseconds, less than a thread hand-off would.
  Only statements that read a few rows by an index belong here: one that may scan (a name
  search) is run with `long=True`, on the pooled aiosqlite connections, so the loop keeps
  serving while it runs.
- PostgreSQL: the same SQL with `$n` placeholders, on a pooled asyncpg connection.
- Inside a Piccolo transaction (a write in progress), on that transaction's connection, so a
  read sees the transaction's own writes. A create's insert and its effects are fixed SQL
  run this way too.

`reading()` puts several reads in one transaction, as `read_transaction` does for Piccolo
queries: one snapshot on SQLite; on PostgreSQL READ COMMITTED, as Piccolo's transactions.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass

from piccolo.engine.postgres import PostgresEngine

from sodamolek.db.engine import (
    DeferringPostgresTransaction,
    PooledSQLiteEngine,
    current_engine,
    defer,
    defer_postgres,
    run_alone,
    run_on,
)


class Sql:
    """One statement with `?` for each value (never inside a literal), turned into `$1, $2…`
    for PostgreSQL once; `postgres=` where the engines' SQL differs (JSON functions), with `?`
    or, where a value is used more than once, already numbered `$1, $2…` (the same values for
    both engines)."""

    __slots__ = ("own_postgres", "postgres", "sqlite")

    def __init__(self, sql: str, *, postgres: str | None = None) -> None:
        self.sqlite = sql
        self.own_postgres = postgres is not None
        postgres = sql if postgres is None else postgres
        numbers = iter(range(1, postgres.count("?") + 1))
        self.postgres = re.sub(r"\?", lambda _: f"${next(numbers)}", postgres)


@dataclass(frozen=True)
class _Snapshot:
    engine: PooledSQLiteEngine
    connection: sqlite3.Connection


_snapshot: contextvars.ContextVar[_Snapshot | None] = contextvars.ContextVar(
    "sodamolek_read_snapshot", default=None
)


@contextlib.asynccontextmanager
async def reading(*, long: bool = False, raw: bool = False) -> AsyncIterator[None]:
    """The reads inside share one transaction. Joins a reading or a Piccolo transaction already
    open. `long=True`: some statement may scan many rows (SQLite: run in a thread).

    `raw=True`: on SQLite's synchronous path, values as SQLite stores them (a timestamp as its
    ISO text, a boolean as 0 or 1: `PooledSQLiteEngine.take_sync_reader`). Only for reads that
    decode their columns themselves and accept either form: a reading or transaction already
    open, a long read and PostgreSQL give decoded values."""
    engine = current_engine()
    if _snapshot.get() is not None or engine.current_transaction.get() is not None:
        yield
        return
    if isinstance(engine, PooledSQLiteEngine) and not long:
        connection = engine.take_sync_reader(raw=raw)
        token = _snapshot.set(_Snapshot(engine, connection))
        try:
            connection.execute("BEGIN")
            yield
        finally:
            _snapshot.reset(token)
            # Rolls the read transaction back.
            engine.give_back_sync_reader(connection, raw=raw)
        return
    async with engine.transaction():
        yield


async def fetch(sql: Sql, *values: object, long: bool = False, raw: bool = False) -> list[dict]:
    """The rows of one statement, as dicts keyed by column name (or alias). `raw=True`: a
    statement alone on SQLite gives its values as SQLite stores them, as `reading(raw=True)`."""
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if isinstance(engine, PostgresEngine):
        if transaction is not None:
            if getattr(transaction, "_sodamolek_deferred", None):
                await transaction.flush()
            rows = await transaction.connection.fetch(sql.postgres, *values)
        elif engine.pool is not None:
            rows = await engine.pool.fetch(sql.postgres, *values)
        else:  # a command that opened no pool
            connection = await engine.get_new_connection()
            try:
                rows = await connection.fetch(sql.postgres, *values)
            finally:
                await connection.close()
        return [dict(row) for row in rows]
    if not isinstance(engine, PooledSQLiteEngine):
        raise TypeError(f"no fixed SQL for {type(engine).__name__}")
    if transaction is not None:  # one hand-off to the thread, with what the transaction deferred
        return _rows(await run_on(transaction.connection, sql.sqlite, values))
    snapshot = _snapshot.get()
    if snapshot is not None and snapshot.engine is engine:
        return snapshot.connection.execute(sql.sqlite, values).fetchall()
    if long:
        connection = await engine.acquire()
        try:
            return _rows(await connection.execute_fetchall(sql.sqlite, values))
        finally:
            await engine.release(connection)
    reader = engine.take_sync_reader(raw=raw)
    try:
        return reader.execute(sql.sqlite, values).fetchall()
    finally:
        engine.give_back_sync_reader(reader, raw=raw)


async def write(sql: Sql, *values: object) -> None:
    """A write whose result is not needed, in the current transaction, sent with the
    transaction's next statement or its commit: SQLite, one hand-off to the writer's thread for
    several; PostgreSQL, inserts into distinct tables as one statement (one round trip)."""
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is not None and isinstance(engine, PooledSQLiteEngine):
        defer(transaction.connection, sql.sqlite, values)
    elif isinstance(transaction, DeferringPostgresTransaction) and not sql.own_postgres:
        defer_postgres(transaction, sql.sqlite, values)
    elif isinstance(transaction, DeferringPostgresTransaction):  # its own text: not combined
        await transaction.flush()
        await transaction.connection.execute(sql.postgres, *values)
    elif transaction is not None and isinstance(engine, PostgresEngine):
        await transaction.connection.execute(sql.postgres, *values)
    else:
        raise RuntimeError("db.write runs inside a write transaction")


async def write_returning(sql: Sql, *values: object, durable: bool = True) -> list[dict]:
    """One statement that writes, committed on its own, and the rows it returns (RETURNING):
    SQLite, BEGIN IMMEDIATE, the statement and COMMIT in one hand-off to the writer's thread;
    PostgreSQL, one round trip (a statement outside a transaction is one). Inside a write
    transaction it is one more statement of it. `durable`: as for db.write_transaction."""
    engine = current_engine()
    if engine.current_transaction.get() is not None or isinstance(engine, PostgresEngine):
        return await fetch(sql, *values)
    if not isinstance(engine, PooledSQLiteEngine):
        raise TypeError(f"no fixed SQL for {type(engine).__name__}")
    connection = await engine.writer.acquire()
    try:
        return _rows(await run_alone(connection, sql.sqlite, values, durable=durable))
    finally:
        await engine.release(connection)


def _rows(rows) -> list[dict]:
    return list(rows)  # dicts: the engine's connections have Piccolo's dict_factory


async def fetch_one(
    sql: Sql, *values: object, long: bool = False, raw: bool = False
) -> dict | None:
    rows = await fetch(sql, *values, long=long, raw=raw)
    return rows[0] if rows else None
