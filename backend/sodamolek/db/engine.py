"""Database engines: a pooled SQLite engine for the embedded mode, PostgreSQL with a pool.

Piccolo's SQLiteEngine opens a new connection (and a thread) for every query outside a
transaction and for every transaction. Here connections are opened once, tuned once (WAL, busy
timeout, synchronous=FULL) and reused.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import functools
import importlib
import os
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, overload

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from sodamolek.settings import Settings

BUSY_TIMEOUT_MS = 10_000
SYNC_READER_BUSY_MS = 500
# Every commit is fsynced (a 2xx is a promise), but for writes that are redone when lost
# (`durable=False`): WAL with NORMAL, which a power cut may undo but never corrupts.
DURABLE = "PRAGMA synchronous = FULL"
NOT_DURABLE = "PRAGMA synchronous = NORMAL"


def _run_batch(
    connection: sqlite3.Connection, batch: list, sql: str | None, values, then: str | None
) -> list:
    for deferred_sql, deferred_values in batch:
        connection.execute(deferred_sql, deferred_values)
    rows = connection.execute(sql, values).fetchall() if sql is not None else []
    if then is not None:
        connection.execute(then)
    return rows


async def run_on(
    connection: aiosqlite.Connection, sql: str | None, values=(), *, then: str | None = None
) -> list:
    """Run sql (None: nothing) on a pooled connection after the statements deferred on it
    (`defer`), and `then` after it if it succeeded, in one hand-off to the connection's thread."""
    batch = getattr(connection, "_sodamolek_deferred", None)
    if not batch and then is None:
        return list(await connection.execute_fetchall(sql, values)) if sql is not None else []
    connection._sodamolek_deferred = []  # type: ignore[attr-defined]
    # aiosqlite runs every call as a function on its thread; there is no public way to run
    # several statements in one call.
    return await connection._execute(_run_batch, connection._conn, batch or [], sql, values, then)


def _run_alone(connection: sqlite3.Connection, sql: str, values, durable: bool) -> list:
    if not durable:
        connection.execute(NOT_DURABLE)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            rows = connection.execute(sql, values).fetchall()
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    finally:
        if not durable:
            connection.execute(DURABLE)
    return rows


async def run_alone(
    connection: aiosqlite.Connection, sql: str, values=(), *, durable: bool = True
) -> list:
    """sql in a write transaction of its own (IMMEDIATE: the write lock up front, never a lock
    upgrade that fails), begun and committed in the same hand-off to the connection's thread."""
    return await connection._execute(_run_alone, connection._conn, sql, values, durable)


def defer(connection: aiosqlite.Connection, sql: str, values=()) -> None:
    """Send sql with the transaction's next statement or its commit: a write whose result is
    not needed. In order, in the same transaction; an error surfaces at that next statement."""
    batch = getattr(connection, "_sodamolek_deferred", None)
    if batch is None:
        batch = connection._sodamolek_deferred = []  # type: ignore[attr-defined]
    batch.append((sql, values))


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, handed back to the pool instead of closed.
    A write transaction (IMMEDIATE) runs on the engine's one writer connection.

    Its BEGIN, and the writes deferred inside it (`defer`), go to the connection's thread with
    the next statement: the one writer connection is held for fewer hand-offs, each of which
    waits for the event loop's turn (a create's six became two).

    `durable=False`: its commit is not fsynced (NOT_DURABLE), for writes that are redone when
    a power cut undoes them; the connection is durable again once it commits or is given back."""

    engine: PooledSQLiteEngine

    def __init__(self, *args: Any, durable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.durable = durable

    async def get_connection(self):
        if self.transaction_type is TransactionType.immediate:
            return await self.engine.writer.acquire()
        return await self.engine.readers.acquire()

    async def begin(self):
        begin = (f"BEGIN {self.transaction_type.value}", ())
        if self.durable:
            self.connection._sodamolek_deferred = [begin]
        else:
            self.connection._sodamolek_deferred = [(NOT_DURABLE, ()), begin]
            self.connection._sodamolek_not_durable = True

    async def commit(self):
        batch = self.connection._sodamolek_deferred
        restore = DURABLE if getattr(self.connection, "_sodamolek_not_durable", False) else None
        if batch and batch[-1][0].startswith("BEGIN"):
            self.connection._sodamolek_deferred = []  # nothing ran: nothing to commit
        else:
            await run_on(self.connection, "COMMIT", then=restore)
        self.connection._sodamolek_not_durable = False
        self._committed = True

    async def rollback(self):
        self.connection._sodamolek_deferred = []
        if self.connection.in_transaction:
            await self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def savepoint(self, name: str | None = None):
        await run_on(self.connection, None)
        return await super().savepoint(name)

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self.engine.release(self.connection)
        return exception is None


class _Pool:
    """Up to `size` connections, handed to waiters strictly in the order they asked: a
    connection given back goes straight to the oldest waiter, so a newcomer can never take it
    first (with a condition variable, p99 under load was three times the strict hand-off's)."""

    def __init__(self, size: int, open_connection) -> None:
        self.size = size
        self._open_connection = open_connection
        self.idle: list[aiosqlite.Connection] = []
        self.opened = 0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    async def acquire(self) -> aiosqlite.Connection:
        if self.idle:
            return self.idle.pop()
        if self.opened < self.size:
            self.opened += 1
            try:
                return await self._open_connection()
            except BaseException:
                self.opened -= 1
                self._hand_over_or_keep(None)
                raise
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            connection = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over as we were cancelled
                self._hand_over_or_keep(waiter.result())
            raise
        if connection is None:  # an open failed and left room: open one ourselves
            return await self.acquire()
        return connection

    def release(self, connection: aiosqlite.Connection) -> None:
        self._hand_over_or_keep(connection)

    def _hand_over_or_keep(self, connection: aiosqlite.Connection | None) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if connection is not None:
            self.idle.append(connection)

    def owns(self, connection: aiosqlite.Connection) -> bool:
        return getattr(connection, "_sodamolek_pool", None) is self


class PooledSQLiteEngine(SQLiteEngine):
    """SQLiteEngine that keeps a few tuned connections instead of one per query: one writer
    connection for write transactions (SQLite has one write lock: several writers only fight
    over it, p99 1 s at 8 concurrent creates against 16 ms with one) and readers for the rest."""

    def __init__(self, path: str, pool_size: int = 5, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self.pool_size = pool_size
        self.readers = _Pool(pool_size, self._opener_for("readers"))
        self.writer = _Pool(1, self._opener_for("writer"))
        # Synchronous read-only connections for db.reads (the hot pages' fixed SQL); the raw
        # ones without Piccolo's converters (see take_sync_reader).
        self.sync_readers: list[sqlite3.Connection] = []
        self.raw_sync_readers: list[sqlite3.Connection] = []

    def _opener_for(self, name: str):
        async def open_connection() -> aiosqlite.Connection:
            connection = await self._open()
            connection._sodamolek_pool = getattr(self, name)  # type: ignore[attr-defined]
            return connection

        return open_connection

    async def _open(self) -> aiosqlite.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA foreign_keys = 1")
        # WAL lets readers go on while one writer commits; FULL makes a 2xx a promise.
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute(DURABLE)
        return connection

    def take_sync_reader(self, raw: bool = False) -> sqlite3.Connection:
        """A synchronous connection that can only read (db.reads): statements of a few
        microseconds run in the event loop rather than through a thread hand-off.

        `raw`: without Piccolo's converters, so values come as SQLite stores them (a timestamp
        as its text, a boolean as 0 or 1, an integer as it is): for a read of many rows that
        decodes the few columns it uses itself (a converter is a Python call per column of
        every row; an integer's is int(Decimal(text)))."""
        readers = self.raw_sync_readers if raw else self.sync_readers
        if readers:
            return readers.pop()
        kwargs = self.connection_kwargs | {"detect_types": 0} if raw else self.connection_kwargs
        connection = sqlite3.connect(**kwargs, check_same_thread=False)
        connection.row_factory = dict_factory
        # A reader in WAL mode waits on no writer; only a checkpoint's brief moments or a
        # recovery can make it busy, and it waits in the event loop, so briefly.
        connection.execute(f"PRAGMA busy_timeout = {SYNC_READER_BUSY_MS}")
        connection.execute("PRAGMA query_only = 1")
        return connection

    def give_back_sync_reader(self, connection: sqlite3.Connection, raw: bool = False) -> None:
        if connection.in_transaction:
            connection.rollback()
        readers = self.raw_sync_readers if raw else self.sync_readers
        if len(readers) < self.pool_size:
            readers.append(connection)
        else:
            connection.close()

    async def acquire(self) -> aiosqlite.Connection:
        return await self.readers.acquire()

    async def release(self, connection: aiosqlite.Connection) -> None:
        connection._sodamolek_deferred = []  # type: ignore[attr-defined]
        if connection.in_transaction:
            # A cancelled task can leave a transaction open; never hand that to someone else.
            with contextlib.suppress(Exception):
                await connection.rollback()
        if getattr(connection, "_sodamolek_not_durable", False):  # a transaction that failed
            connection._sodamolek_not_durable = False  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                await connection.execute(DURABLE)
        pool = self.writer if self.writer.owns(connection) else self.readers
        pool.release(connection)

    async def close_pool(self) -> None:
        for pool in (self.readers, self.writer):
            while pool.idle:
                await pool.idle.pop().close()
                pool.opened -= 1
        for readers in (self.sync_readers, self.raw_sync_readers):
            while readers:
                readers.pop().close()

    async def get_connection(self):  # used by Piccolo's batch(); keeps the library's contract
        return await self._open()

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        connection = await self.acquire()
        try:
            return await self._run_in_existing_connection(
                connection, query, args=args, query_type=query_type, table=table
            )
        finally:
            await self.release(connection)

    async def _run_in_existing_connection(
        self, connection, query, args=None, query_type="generic", table=None
    ):
        # The pooled connections already have foreign_keys on: skip Piccolo's PRAGMA per query.
        # One hand-off (execute_fetchall), after what the transaction deferred.
        return await run_on(connection, query, args or [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
        durable: bool = True,
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self,
            transaction_type=transaction_type,
            allow_nested=allow_nested,
            durable=durable,
        )


_INSERT_INTO = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_COMBINED: dict[tuple[str, ...], str] = {}


def _combined(statements: tuple[str, ...]) -> str:
    """`WITH w0 AS (insert 1), w1 AS (insert 2) insert 3`, its `?` numbered $1, $2… in order."""
    if (sql := _COMBINED.get(statements)) is None:
        parts = [f"w{i} AS ({s})" for i, s in enumerate(statements[:-1])]
        text = (f"WITH {', '.join(parts)} " if parts else "") + statements[-1]
        numbers = iter(range(1, text.count("?") + 1))
        sql = _COMBINED[statements] = re.sub(r"\?", lambda _: f"${next(numbers)}", text)
    return sql


def _groups(batch: list) -> list[list]:
    """Runs of INSERTs into distinct tables (each its own statement otherwise): the parts of
    one statement see one snapshot, and two of them changing one row would be undefined."""
    groups: list[list] = []
    tables: set[str] = set()
    for sql, values in batch:
        table = match.group(1).lower() if (match := _INSERT_INTO.match(sql)) else None
        if groups and table is not None and table not in tables and tables:
            groups[-1].append((sql, values))
            tables.add(table)
        else:
            groups.append([(sql, values)])
            tables = {table} if table is not None else set()
    return groups


class DeferringPostgresTransaction(PostgresTransaction):
    """Writes deferred inside it (`defer_postgres`) go to the server together, as one statement
    of data-modifying CTEs where they insert into distinct tables, before its next statement or
    its commit: a create's audit row, counter and rollup are one round trip, not three."""

    _sodamolek_deferred: list

    async def begin(self):
        self._sodamolek_deferred = []
        await super().begin()

    async def flush(self) -> None:
        batch, self._sodamolek_deferred = self._sodamolek_deferred, []
        for group in _groups(batch):
            sql = _combined(tuple(s for s, _ in group))
            await self.connection.execute(sql, *[v for _, values in group for v in values])

    async def commit(self):
        await self.flush()
        await super().commit()

    async def rollback(self):
        self._sodamolek_deferred = []
        await super().rollback()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        # Piccolo's leaves the connection out of the pool, in its failed transaction, when the
        # commit raises: here a deferred write can fail at the commit.
        if self._parent:
            return exception is None
        try:
            if exception is None and not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    # The pool rolls back whatever this leaves open.
                    with contextlib.suppress(Exception):
                        await self.rollback()
                    raise
            elif exception is not None and not self._rolled_back:
                await self.rollback()
        finally:
            if self.engine.pool:
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def savepoint(self, name: str | None = None):
        await self.flush()
        return await super().savepoint(name)


def defer_postgres(transaction: PostgresTransaction, sql: str, values) -> None:
    """sql with `?` placeholders, sent with the transaction's next statement or its commit."""
    transaction._sodamolek_deferred.append((sql, values))  # type: ignore[attr-defined]


class FairPool(asyncpg.Pool):
    """asyncpg's pool, first come first served. Its own gives a connection handed back to
    whichever task asks next, so a task that has waited is passed again and again by new
    arrivals (asyncpg issue 1247): `/lacak` on PostgreSQL at 64 connections had a p99 of
    324–498 ms with the pool's 5 connections against 72–80 ms with 64 that never ran out.
    Here a turn is taken first, from a FIFO semaphore with as many turns as connections, and
    given back once its connection is back in the pool, so a task with a turn finds one there.
    A timeout, where one is given, counts the wait for a turn too."""

    def __init__(self, *args: Any, max_size: int, **kwargs: Any) -> None:
        super().__init__(*args, max_size=max_size, **kwargs)
        self._turns = asyncio.Semaphore(max_size)  # asyncio's is FIFO: no one passes a waiter
        self._holding: set[object] = set()  # connections out with a turn

    def acquire(self, *, timeout: float | None = None) -> _FairAcquire:
        return _FairAcquire(self, timeout)

    async def _take(self, seconds: float | None) -> Any:
        if seconds is None:  # as the app always asks: no timeout's own cost
            return await self._turn_and_connection()
        async with asyncio.timeout(seconds):
            return await self._turn_and_connection()

    async def _turn_and_connection(self) -> Any:
        await self._turns.acquire()
        try:
            connection = await super().acquire()
        except BaseException:
            self._turns.release()
            raise
        self._holding.add(connection)
        return connection

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 - asyncpg's signature
        try:
            await super().release(connection, timeout=timeout)
        finally:
            if connection in self._holding:  # a second release of it gives back no second turn
                self._holding.discard(connection)
                self._turns.release()


class _FairAcquire:
    """What `pool.acquire()` gives, as asyncpg's: awaited, or used with `async with`."""

    __slots__ = ("connection", "pool", "timeout")

    def __init__(self, pool: FairPool, timeout: float | None) -> None:
        self.pool, self.timeout, self.connection = pool, timeout, None

    def __await__(self):
        return self.pool._take(self.timeout).__await__()

    async def __aenter__(self) -> Any:
        self.connection = await self.pool._take(self.timeout)
        return self.connection

    async def __aexit__(self, *exc_info: object) -> None:
        connection, self.connection = self.connection, None
        await self.pool.release(connection)


class DeferringPostgresEngine(PostgresEngine):
    """PostgresEngine whose transactions send deferred writes before any other statement, on
    a pool that serves its waiters in order (FairPool)."""

    async def start_connection_pool(self, **kwargs: Any) -> None:
        if self.pool is not None:
            raise RuntimeError("the connection pool is already running")
        # asyncpg.create_pool's own defaults, which its Pool class does not have.
        options = {
            "min_size": 10,
            "max_size": 10,
            "max_queries": 50_000,
            "max_inactive_connection_lifetime": 300.0,
            "loop": None,
            "connection_class": asyncpg.Connection,
            "record_class": asyncpg.Record,
        }
        self.pool = await FairPool(**(options | self.config | kwargs))

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return DeferringPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def _send_deferred(self) -> None:
        transaction = self.current_transaction.get()
        deferring = isinstance(transaction, DeferringPostgresTransaction)
        if deferring and transaction._sodamolek_deferred:  # type: ignore[union-attr]
            await transaction.flush()  # type: ignore[union-attr]

    async def run_querystring(self, querystring, in_pool: bool = True):
        await self._send_deferred()
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        await self._send_deferred()
        return await super().run_ddl(ddl, in_pool)


def current_engine() -> Engine:
    return _piccolo_conf().DB


@functools.cache
def _piccolo_conf() -> Any:  # the PICCOLO_CONF module, whose DB Piccolo reads
    return importlib.import_module(os.environ["PICCOLO_CONF"])


def build_engine(settings: Settings) -> Engine:
    if settings.engine == "postgres":
        return DeferringPostgresEngine(config={"dsn": settings.database_url})
    return PooledSQLiteEngine(path=str(settings.sqlite_path), pool_size=settings.db_pool_size)


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored timestamps are UTC; SQLite may hand them back without their zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def stored_time(value: dt.datetime | str) -> dt.datetime:
    """A timestamp decoded, or as a raw read gives it: SQLite's stored ISO text (UTC, as
    Piccolo's converter reads it) or a JSON value's ISO text with its offset."""
    return as_utc(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def engine_name(engine: Engine) -> str:
    return "postgresql" if isinstance(engine, PostgresEngine) else "sqlite"


async def _no_session_reset(connection) -> None:
    """asyncpg resets every connection given back to its pool (UNLISTEN, RESET ALL, CLOSE ALL,
    advisory unlock): one more round trip after each query outside a transaction. The app
    leaves no session state behind (SET only as SET LOCAL, no LISTEN, the setup's advisory lock
    on a connection of its own), so nothing is run; asyncpg still rolls back a transaction left
    open before calling this."""


async def start_engine(engine: Engine, pool_size: int = 5) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size, reset=_no_session_reset)


async def stop_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


def write_transaction(engine: Engine, *, durable: bool = True):
    """A transaction for anything that writes: IMMEDIATE on SQLite so the write lock is taken
    up front (no deadlock-prone lock upgrade), the default on PostgreSQL.

    `durable=False`, only for writes that are redone when lost (the push outbox's states: a
    message whose claim or outcome is lost is sent again): on SQLite the commit is not fsynced,
    so a power cut or an OS crash may undo it (never corrupt the file; a crash of the process
    does not undo it). PostgreSQL commits as always."""
    if isinstance(engine, PooledSQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate, durable=durable)
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


@contextlib.asynccontextmanager
async def read_transaction(engine: Engine) -> AsyncIterator[None]:
    """Several reads on one connection and one snapshot."""
    async with engine.transaction():
        yield
