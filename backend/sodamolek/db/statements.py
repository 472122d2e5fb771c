"""Fixed SQL for the hottest statements, run on the driver without Piccolo's query builder.

Building a query with Piccolo (columns, joins, compiling the string) cost about half of the main
thread's time on an API create. A `Statement` is written once with `?` placeholders, turned into
`$1, $2…` for PostgreSQL once, and run on the current transaction's connection (or one taken
from the pool for a moment). Values go in as Piccolo would pass them (its SQLite adapters for
UUIDs, dates and timestamps are registered process-wide), and rows come back as dicts.
"""

from __future__ import annotations

import re
from typing import Any, cast

from piccolo.engine.postgres import PostgresEngine

from sodamolek.db.engine import PooledSQLiteEngine

_PLACEHOLDER = re.compile(r"\?")


class Statement:
    """One SQL statement with `?` placeholders (never inside a literal) for both engines."""

    __slots__ = ("postgres", "sqlite")

    def __init__(self, sql: str) -> None:
        self.sqlite = sql
        numbers = iter(range(1, sql.count("?") + 1))
        self.postgres = _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)

    async def fetch(self, *args: Any) -> list[dict]:
        from sodamolek.db import current_engine

        engine = current_engine()
        if isinstance(engine, PostgresEngine):
            pg_transaction = engine.current_transaction.get()
            if pg_transaction is not None:
                rows = await pg_transaction.connection.fetch(self.postgres, *args)
            else:
                async with engine.pool.acquire() as connection:  # type: ignore[union-attr]
                    rows = await connection.fetch(self.postgres, *args)
            return [dict(row) for row in rows]
        if not isinstance(engine, PooledSQLiteEngine):
            raise TypeError(f"no fixed statements for {type(engine).__name__}")
        # execute_fetchall: one hand-off to the connection's thread (execute, fetch and close
        # are three). The pooled connections make dicts of rows (Piccolo's dict_factory).
        transaction = engine.current_transaction.get()
        if transaction is not None:
            found = await transaction.connection.execute_fetchall(self.sqlite, args)
        else:
            connection = await engine.acquire()
            try:
                found = await connection.execute_fetchall(self.sqlite, args)
            finally:
                await engine.release(connection)
        return cast("list[dict]", list(found))

    async def first(self, *args: Any) -> dict | None:
        rows = await self.fetch(*args)
        return rows[0] if rows else None
