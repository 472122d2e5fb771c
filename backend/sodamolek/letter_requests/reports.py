"""Read-only figures over the requests for the city's dashboard: current counts per office,
overdue requests, and the timings the dashboard's daily rollup is rebuilt from.

Nothing here writes; the dashboard domain owns its rollup and calls these functions rather than
reading this domain's tables itself."""

from __future__ import annotations

import datetime as dt

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from sodamolek.db import as_utc
from sodamolek.letter_requests.lifecycle import CLOCK_PAUSED, IN_PROGRESS, Status
from sodamolek.letter_requests.tables import LetterRequest, RequestCounter

ACTIVE_VALUES = [s.value for s in IN_PROGRESS]  # still being worked on


async def status_counts_by_office(
    kelurahan_ids: list[int] | None = None,
) -> dict[int, dict[str, int]]:
    """{kelurahan id: {status: count}} from the status counters (constant time); every office,
    or those listed."""
    query = RequestCounter.select(
        RequestCounter.kelurahan, RequestCounter.status, RequestCounter.count
    )
    if kelurahan_ids is not None:
        query = query.where(RequestCounter.kelurahan.is_in(kelurahan_ids or [-1]))
    counts: dict[int, dict[str, int]] = {}
    for row in await query:
        office = counts.setdefault(row["kelurahan"], {s.value: 0 for s in Status})
        office[row["status"]] += row["count"]
    return counts


# The statuses written into the SQL as constants, not parameters: only then can the database
# use the partial indexes on open requests (migration 2026-12-01T13:14:11) — a few thousand
# entries whatever the history — including in PostgreSQL's generic plans for prepared
# statements (with a parameter there, the plan fell back to scanning every due date: ~0.5 s
# with 1,000,000 requests). The values come from the lifecycle, never from input.
OPEN_CONDITION = WhereRaw(
    "letter_request.status IN (" + ", ".join(f"'{v}'" for v in ACTIVE_VALUES) + ")"
)


# Waiting for the resident is not late: the service-time clock is paused there.
PAUSED_VALUES = [s.value for s in CLOCK_PAUSED]


def _overdue(now: dt.datetime, kelurahan_ids: list[int] | None):
    condition = (
        OPEN_CONDITION & LetterRequest.status.not_in(PAUSED_VALUES) & (LetterRequest.due_at < now)
    )
    if kelurahan_ids is not None:
        condition &= LetterRequest.kelurahan.is_in(kelurahan_ids or [-1])
    return condition


async def overdue_counts_by_office(
    now: dt.datetime, kelurahan_ids: list[int] | None = None
) -> dict[int, int]:
    """{kelurahan id: how many requests still in the office's hands are past their due time}."""
    rows = (
        await LetterRequest.select(LetterRequest.kelurahan, Count(alias="n"))
        .where(_overdue(now, kelurahan_ids))
        .group_by(LetterRequest.kelurahan)
    )
    return {r["kelurahan"]: r["n"] for r in rows}


async def overdue_requests(
    now: dt.datetime, kelurahan_ids: list[int] | None = None, limit: int = 50
) -> list[dict]:
    """The most overdue requests first: no personal data (no name, no NIK)."""
    rows = (
        await LetterRequest.select(
            LetterRequest.id,
            LetterRequest.tracking_code,
            LetterRequest.status,
            LetterRequest.created_at,
            LetterRequest.due_at,
            LetterRequest.kelurahan.name.as_alias("kelurahan_name"),
            LetterRequest.letter_type.name.as_alias("letter_type_name"),
        )
        .where(_overdue(now, kelurahan_ids))
        .order_by(LetterRequest.due_at)
        .order_by(LetterRequest.id)
        .limit(limit)
    )
    for row in rows:
        row["created_at"], row["due_at"] = as_utc(row["created_at"]), as_utc(row["due_at"])
    return rows


async def request_timings(after_id: int = 0, batch: int = 20_000) -> list[dict]:
    """The next `batch` requests by id after `after_id`: office and times only (to rebuild a
    rollup after a bulk import or a restore)."""
    rows = (
        await LetterRequest.select(
            LetterRequest.id,
            LetterRequest.kelurahan,
            LetterRequest.created_at,
            LetterRequest.due_at,
            LetterRequest.ready_at,
        )
        .where(LetterRequest.id > after_id)
        .order_by(LetterRequest.id)
        .limit(batch)
    )
    for row in rows:
        for key in ("created_at", "due_at", "ready_at"):
            row[key] = as_utc(row[key])
    return rows
