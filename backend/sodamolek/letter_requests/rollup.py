"""The daily rollup per office (office_day): requests received, requests that became ready,
how many within their service time, and a histogram of their times to ready.

Kept by this domain, like the status counters, inside the same transaction as each creation
and status change (letter_requests.effects), so no script that moves a request can skip it.
The dashboard reads it through `office_sums` and `day_sums`."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Sum

from sodamolek import db
from sodamolek.core.formatting import WITA
from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.letter_requests.reports import request_timings
from sodamolek.letter_requests.tables import OfficeDay

# Upper bounds of the duration buckets, in hours; the last bucket is "more than 14 days".
BUCKET_HOURS = (1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 30, 36, 48, 60, 72, 96, 120, 168, 336)
BUCKETS = tuple(f"b{i:02}" for i in range(len(BUCKET_HOURS) + 1))
_BOUNDS_SECONDS = tuple(h * 3600 for h in BUCKET_HOURS)


def local_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(WITA).date()


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration: the first whose upper bound it does not exceed."""
    return bisect.bisect_left(_BOUNDS_SECONDS, max(0.0, seconds))


# ---------------------------------------------------------------------------------------------
# Keeping the rollup (effects run inside the requests' own transactions)


_ADD: dict[tuple[str, ...], db.Sql] = {}  # one fixed statement per set of columns


async def _add(kelurahan_id: int, day: dt.date, increments: dict[str, int]) -> None:
    names = tuple(increments)
    if (statement := _ADD.get(names)) is None:
        # Column names come from this module, never from input.
        updates = ", ".join(f"{c} = office_day.{c} + excluded.{c}" for c in names)
        statement = _ADD[names] = db.Sql(
            f"INSERT INTO office_day (kelurahan, day, {', '.join(names)}) "  # noqa: S608
            f"VALUES (?, ?, {', '.join('?' for _ in names)}) "
            f"ON CONFLICT (kelurahan, day) DO UPDATE SET {updates}"
        )
    await db.write(statement, kelurahan_id, day, *increments.values())


def _ready_increments(created_at, due_at, ready_at) -> dict[str, int]:
    created_at, due_at, ready_at = as_utc(created_at), as_utc(due_at), as_utc(ready_at)
    bucket = BUCKETS[bucket_of((ready_at - created_at).total_seconds())]
    return {"ready": 1, "ready_on_time": int(ready_at <= due_at), bucket: 1}


async def count_received(row: dict) -> None:
    await _add(row["kelurahan"], local_day(row["created_at"]), {"created": 1})


async def count_ready(row: dict) -> None:
    """A request that became ready for the first time (a replacement letter is not counted
    again: its request was finished once)."""
    increments = _ready_increments(row["created_at"], row["due_at"], row["ready_at"])
    await _add(row["kelurahan"], local_day(row["ready_at"]), increments)


async def rebuild_rollup(batch: int = 20_000) -> int:
    """Recount the whole rollup from the requests (after a bulk import or a restore). Writers
    wait meanwhile (SQLite: the write lock; PostgreSQL: an EXCLUSIVE lock on office_day, taken
    before reading so that no status change is counted twice or lost). Returns its rows."""
    engine = current_engine()
    async with write_transaction(engine):
        if isinstance(engine, PostgresEngine):
            await OfficeDay.raw("LOCK TABLE office_day IN EXCLUSIVE MODE")
        totals: dict[tuple[int, dt.date], defaultdict[str, int]] = {}
        after = 0
        while rows := await request_timings(after, batch):
            for r in rows:
                key = (r["kelurahan"], local_day(r["created_at"]))
                totals.setdefault(key, defaultdict(int))["created"] += 1
                if r["ready_at"] is not None:
                    key = (r["kelurahan"], local_day(r["ready_at"]))
                    counts = totals.setdefault(key, defaultdict(int))
                    for name, n in _ready_increments(
                        r["created_at"], r["due_at"], r["ready_at"]
                    ).items():
                        counts[name] += n
            after = rows[-1]["id"]
        await OfficeDay.delete(force=True)
        rows_: list[dict[str, Any]] = [
            {"kelurahan": k, "day": d, **c} for (k, d), c in totals.items()
        ]
        items = [OfficeDay(**row) for row in rows_]
        for start in range(0, len(items), 500):
            await OfficeDay.insert(*items[start : start + 500])
    return len(items)


# ---------------------------------------------------------------------------------------------
# Reading


def _sum(name: str) -> Sum:
    return Sum(OfficeDay._meta.get_column_by_name(name), alias=name)


async def office_sums(start, end, ids: list[int] | None) -> dict[int, dict]:
    """{kelurahan id: summed rollup columns} over the local days start..end."""
    query = (
        OfficeDay.select(
            OfficeDay.kelurahan,
            *[_sum(c) for c in ("created", "ready", "ready_on_time")],
            *[_sum(b) for b in BUCKETS],
        )
        .where((OfficeDay.day >= start) & (OfficeDay.day <= end))
        .group_by(OfficeDay.kelurahan)
    )
    if ids is not None:
        query = query.where(OfficeDay.kelurahan.is_in(ids or [-1]))
    return {
        r["kelurahan"]: {k: int(v or 0) for k, v in r.items() if k != "kelurahan"}
        for r in await query
    }


async def day_sums(start, end, ids: list[int] | None) -> dict[dt.date, tuple[int, int]]:
    """{local day: (received, ready)} over start..end."""
    query = (
        OfficeDay.select(OfficeDay.day, _sum("created"), _sum("ready"))
        .where((OfficeDay.day >= start) & (OfficeDay.day <= end))
        .group_by(OfficeDay.day)
    )
    if ids is not None:
        query = query.where(OfficeDay.kelurahan.is_in(ids or [-1]))
    result = {}
    for r in await query:
        day = r["day"] if isinstance(r["day"], dt.date) else dt.date.fromisoformat(r["day"])
        result[day] = (int(r["created"] or 0), int(r["ready"] or 0))
    return result
