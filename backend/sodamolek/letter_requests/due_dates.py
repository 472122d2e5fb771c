"""Due dates of requests still in an office's hands follow the working calendar when the admin
closes or opens a day: a closure inside a request's service time gives it one more working day,
an opening one less. Finished requests keep theirs: their record (ready on time or not) stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sodamolek.core.formatting import WITA
from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.letter_requests.reports import OPEN_CONDITION
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.letter_requests.workdays import WorkCalendar


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), WITA).astimezone(dt.UTC)


async def follow_calendar_change(
    before: WorkCalendar, after: WorkCalendar, changed_days: Iterable[dt.date]
) -> int:
    """Move the due time of every open request whose service time spans a changed day by the
    working days it gained or lost; returns how many moved."""
    days = sorted(set(changed_days))
    if not days:
        return 0
    spans_a_changed_day = (
        OPEN_CONDITION
        & (LetterRequest.created_at < _local_midnight(days[-1] + dt.timedelta(days=1)))
        & (LetterRequest.due_at >= _local_midnight(days[0]))
    )
    moved = 0
    async with write_transaction(current_engine()):
        rows = await LetterRequest.select(
            LetterRequest.id, LetterRequest.created_at, LetterRequest.due_at
        ).where(spans_a_changed_day)
        for row in rows:
            created, due = as_utc(row["created_at"]), as_utc(row["due_at"])
            lost = before.working_days_between(created, due) - after.working_days_between(
                created, due
            )
            if lost:
                await LetterRequest.update(
                    {LetterRequest.due_at: after.shift_working_days(due, lost)}
                ).where(LetterRequest.id == row["id"])
                moved += 1
    return moved
