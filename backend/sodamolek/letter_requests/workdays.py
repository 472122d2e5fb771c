"""Service time in working days (Monday–Friday, Asia/Makassar). Public holidays are not yet
modelled: a due date may fall on one (see docs/decisions.md)."""

from __future__ import annotations

import datetime as dt

from sodamolek.web.formatting import WITA


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after `start`, at the same local time; a request made on a weekend
    counts from the next Monday morning."""
    local = start.astimezone(WITA)
    if local.weekday() >= 5:
        while local.weekday() >= 5:
            local += dt.timedelta(days=1)
        local = local.replace(hour=8, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        local += dt.timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local.astimezone(dt.UTC)
