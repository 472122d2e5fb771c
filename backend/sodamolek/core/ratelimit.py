"""A fixed-window rate limit shared by every worker (Litestar's rate-limit middleware keys on
the address alone and counts per process store).

Two kinds of limit:
- exact (the default), for a limit that guards a small secret (a birth date, a NIK): each hit
  is added to the shared store at once and the total read back in the same statement, so
  every worker refuses as soon as the window is full anywhere;
- batched (`exact=False`), for a limit that only keeps a client's load down (a 60-bit tracking
  code cannot be guessed): a page view is not worth a write. Each process counts in memory and
  adds its counts to the store about once a second (`FLUSH_SECONDS`), in one statement for all
  the keys it saw, reading back the totals every worker has written. A hit is refused when the
  last total read plus this process's unwritten hits exceed the limit, so another worker's hits
  count here within a second: with W workers an address may get up to W times its limit in a
  window.

A count lost in a crash only lets an address start its window again, so the store never goes
through the durable path:
- PostgreSQL: the table `rate_limit_window` is UNLOGGED (no WAL, no flush at commit);
- SQLite: a side file next to the database (`<database>.ratelimit`), WAL with synchronous=OFF,
  written by sqlite3 directly from the event loop for an exact hit (microseconds, less than a
  thread hand-off) and in a thread for a batch. Every worker on the host opens the same file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
import weakref
from dataclasses import dataclass, field

from piccolo.engine.sqlite import SQLiteEngine

from sodamolek.core.tables import RateLimitWindow

FLUSH_SECONDS = 1.0
logger = logging.getLogger("sodamolek.ratelimit")
SIDE_FILE_SUFFIX = ".ratelimit"
SIDE_FILE_BUSY_MS = 2000  # only other workers' short writes can hold its lock
KEY_LENGTH = 120

ADD_ONE = (
    "INSERT INTO rate_limit_window (key, window_start, hits) VALUES ({0}, {1}, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1 "
    "RETURNING hits"
)
# Every key's hits added at once, the totals returned. SQLite needs the WHERE for an upsert
# from a SELECT (its parser would read ON CONFLICT as a join's ON).
ADD_SQLITE = (
    "INSERT INTO rate_limit_window (key, window_start, hits) "
    "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true "
    "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + excluded.hits "
    "RETURNING key, window_start, hits"
)
ADD_POSTGRES = (
    "INSERT INTO rate_limit_window (key, window_start, hits) "
    "SELECT * FROM unnest({}::varchar[], {}::integer[], {}::integer[]) "
    "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + excluded.hits "
    "RETURNING key, window_start, hits"
)

Window = tuple[str, int]  # (key, window start)


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int
    exact: bool = True  # each hit counted in the shared store at once (see the module)


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class _Counts:
    """One process's counts for one database."""

    shared: dict[Window, int] = field(default_factory=dict)  # the store's total, last seen
    ends: dict[Window, float] = field(default_factory=dict)  # when each window closes
    unwritten: dict[Window, int] = field(default_factory=dict)
    writing: dict[Window, int] = field(default_factory=dict)  # being added to the store now
    last_flush: float = field(default_factory=time.monotonic)
    exchange: asyncio.Task | None = None  # the write to the store under way, if any

    def total(self, window: Window) -> int:
        return (
            self.shared.get(window, 0) + self.writing.get(window, 0) + self.unwritten.get(window, 0)
        )


# Per engine: each test binds a new one, and counts never leak from one database to another.
_counts: weakref.WeakKeyDictionary[object, _Counts] = weakref.WeakKeyDictionary()
_side_files: dict[tuple[int, str, str], sqlite3.Connection] = {}


def side_file(database_path: str, role: str = "loop") -> sqlite3.Connection:
    """This process's connection to the counts beside an SQLite database (opened after a fork,
    never shared with a parent): one for the event loop, one for the batches' thread."""
    key = (os.getpid(), database_path, role)
    if (connection := _side_files.get(key)) is None:
        connection = sqlite3.connect(
            database_path + SIDE_FILE_SUFFIX,
            timeout=SIDE_FILE_BUSY_MS / 1000,
            isolation_level=None,  # autocommit: each statement is its own short transaction
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


def _engine():
    return RateLimitWindow._meta.db


def _sqlite_path(engine) -> str | None:
    return engine.path if isinstance(engine, SQLiteEngine) else None


def _counts_of(engine) -> _Counts:
    if (counts := _counts.get(engine)) is None:
        counts = _counts[engine] = _Counts()
    return counts


async def _add_one(engine, window: Window) -> int:
    if (path := _sqlite_path(engine)) is not None:
        return side_file(path).execute(ADD_ONE.format("?", "?"), window).fetchone()[0]
    rows = await RateLimitWindow.raw(ADD_ONE.format("{}", "{}"), *window)
    return rows[0]["hits"]


async def hit(key: str, limit: Limit, now: float | None = None) -> None:
    """Count one hit; raise RateLimited when the window is already full."""
    now = now or time.time()
    start = int(now // limit.seconds * limit.seconds)
    window = (key[:KEY_LENGTH], start)
    engine = _engine()
    if limit.exact:
        over = await _add_one(engine, window) > limit.hits
    else:
        over = _count_in_memory(engine, window, start + limit.seconds) > limit.hits
    if over:
        raise RateLimited(retry_after=max(1, int(start + limit.seconds - now)))


def _count_in_memory(engine, window: Window, ends: float) -> int:
    counts = _counts_of(engine)
    if window not in counts.shared:
        counts.shared[window] = 0  # until the next exchange reads the store's total
        counts.ends[window] = ends
    counts.unwritten[window] = counts.unwritten.get(window, 0) + 1
    if counts.exchange is None and time.monotonic() - counts.last_flush >= FLUSH_SECONDS:
        _start_exchange(engine, counts)
    return counts.total(window)


async def flush() -> None:
    """Add this process's unwritten batched hits to the shared store now (at shutdown, before
    old windows are dropped, and in tests that read the store)."""
    engine = _engine()
    counts = _counts_of(engine)
    while counts.exchange is not None:  # one at a time: a hit may have started one
        await asyncio.shield(counts.exchange)
    await asyncio.shield(_start_exchange(engine, counts))


def _start_exchange(engine, counts: _Counts) -> asyncio.Task:
    counts.exchange = asyncio.get_running_loop().create_task(_flush_logged(engine, counts))
    return counts.exchange


async def _flush_logged(engine, counts: _Counts) -> None:
    try:
        await _flush(engine, counts)
    except Exception:  # the hits are kept for the next exchange
        logger.warning("rate-limit counts not written", exc_info=True)


async def _flush(engine, counts: _Counts) -> None:
    writing = counts.writing = counts.unwritten
    counts.unwritten = {}
    try:
        totals = await _add(engine, writing) if writing else {}
        counts.shared.update(totals)
        writing = {}
    finally:
        for window, hits in writing.items():  # not written: kept for the next exchange
            counts.unwritten[window] = counts.unwritten.get(window, 0) + hits
        counts.writing = {}
        counts.last_flush = time.monotonic()
        counts.exchange = None
    # Only the windows hit since the last exchange stay in memory (a key seen again later is
    # counted from its next exchange): memory follows the last second's
    # clients, not every address of a window. Closed windows go too.
    now = time.time()
    live = [w for w in (totals.keys() | counts.unwritten.keys()) if counts.ends.get(w, 0) > now]
    counts.shared = {w: counts.shared[w] for w in live if w in counts.shared}
    counts.ends = {w: counts.ends[w] for w in live}


async def _add(engine, hits: dict[Window, int]) -> dict[Window, int]:
    if (path := _sqlite_path(engine)) is not None:
        payload = json.dumps([[key, start, n] for (key, start), n in hits.items()])

        def write() -> list[tuple[str, int, int]]:
            return side_file(path, "batches").execute(ADD_SQLITE, (payload,)).fetchall()

        rows = await asyncio.to_thread(write)
        return {(key, start): total for key, start, total in rows}
    keys, starts, counts = zip(*((key, start, n) for (key, start), n in hits.items()), strict=True)
    rows = await RateLimitWindow.raw(ADD_POSTGRES, list(keys), list(starts), list(counts))
    return {(r["key"], r["window_start"]): r["hits"] for r in rows}


async def forget_before(cutoff: float) -> int:
    """Drop the windows that started before `cutoff`; how many went. This process's unwritten
    hits are added first, so none of them come back after the drop."""
    await flush()
    engine = _engine()
    if (path := _sqlite_path(engine)) is not None:
        deleted = side_file(path).execute(
            "DELETE FROM rate_limit_window WHERE window_start < ?", (int(cutoff),)
        )
        gone = deleted.rowcount
    else:
        gone = len(
            await RateLimitWindow.raw(
                "DELETE FROM rate_limit_window WHERE window_start < {} RETURNING id", int(cutoff)
            )
        )
    counts = _counts_of(engine)
    for window in [w for w in counts.shared if w[1] < cutoff]:
        counts.shared.pop(window, None)
        counts.ends.pop(window, None)
    return gone
