"""A fixed-window rate limit shared by every worker (Litestar's rate-limit middleware keys on
the address alone and counts per process store).

A count is not worth an fsync: every public page view counts one, and a count lost in a crash
only lets an address start its window again. So the counts never go through the durable path:
- PostgreSQL: the table `rate_limit_window` is UNLOGGED (no WAL, no flush at commit);
- SQLite: a side file next to the database (`<database>.ratelimit`), WAL with synchronous=OFF,
  written by sqlite3 directly from the event loop. Its lock is only ever held for one small
  upsert, never behind the main database's fsync, and a statement costs microseconds, less than
  the hand-off to a thread would. Every worker on the host opens the same file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass

from piccolo.engine.sqlite import SQLiteEngine

from sodamolek.core.tables import RateLimitWindow

UPSERT = (
    "INSERT INTO rate_limit_window (key, window_start, hits) VALUES ({0}, {1}, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1 "
    "RETURNING hits"
)
SIDE_FILE_SUFFIX = ".ratelimit"
SIDE_FILE_BUSY_MS = 2000  # only other workers' single upserts can hold its lock


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


_side_files: dict[tuple[int, str], sqlite3.Connection] = {}


def side_file(database_path: str) -> sqlite3.Connection:
    """This process's connection to the counts beside an SQLite database (opened after a fork,
    never shared with a parent)."""
    key = (os.getpid(), database_path)
    if (connection := _side_files.get(key)) is None:
        connection = sqlite3.connect(
            database_path + SIDE_FILE_SUFFIX,
            timeout=SIDE_FILE_BUSY_MS / 1000,
            isolation_level=None,  # autocommit: each upsert is its own short transaction
            check_same_thread=False,
        )
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS rate_limit_window (key TEXT NOT NULL, "
            "window_start INTEGER NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (key, window_start))"
        )
        _side_files[key] = connection
    return connection


def _sqlite_path() -> str | None:
    engine = RateLimitWindow._meta.db
    return engine.path if isinstance(engine, SQLiteEngine) else None


async def hit(key: str, limit: Limit, now: float | None = None) -> None:
    """Count one hit; raise RateLimited when the window is already full."""
    now = now or time.time()
    window = int(now // limit.seconds * limit.seconds)
    if (path := _sqlite_path()) is not None:
        row = side_file(path).execute(UPSERT.format("?", "?"), (key[:120], window)).fetchone()
        hits = row[0]
    else:
        rows = await RateLimitWindow.raw(UPSERT.format("{}", "{}"), key[:120], window)
        hits = rows[0]["hits"]
    if hits > limit.hits:
        raise RateLimited(retry_after=max(1, int(window + limit.seconds - now)))


async def forget_before(cutoff: float) -> int:
    """Drop the windows that started before `cutoff`; how many went."""
    if (path := _sqlite_path()) is not None:
        deleted = side_file(path).execute(
            "DELETE FROM rate_limit_window WHERE window_start < ?", (int(cutoff),)
        )
        return deleted.rowcount
    gone = await RateLimitWindow.raw(
        "DELETE FROM rate_limit_window WHERE window_start < {} RETURNING id", int(cutoff)
    )
    return len(gone)
