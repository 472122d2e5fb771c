"""Service time in working days: Monday–Friday in Asia/Makassar, less Indonesia's national
holidays and cuti bersama (the `holidays` package), less the days the admin closed Kota Kupang's
offices, plus the days the admin opened them despite a national holiday.

Everything here is synchronous and cheap (set look-ups on an in-memory calendar): due dates are
computed inside request handlers and transactions. The admin's days are stored and loaded by
`sodamolek.workcalendar`, which installs a new snapshot when they change; a snapshot is never
modified, so a computation never sees half an edit. See docs/working-days.md.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from sodamolek.core.formatting import WITA

# The `holidays` package's categories for Indonesia: PUBLIC are the national holidays (hari libur
# nasional); GOVERNMENT is cuti bersama, the joint leave of the civil service set each year by
# the SKB of three ministers, on which kelurahan and kecamatan offices close too.
HOLIDAY_CATEGORIES = ("public", "government")
OPENING_HOUR = 8  # a request taken on a day off counts from the next working morning


@dataclass(frozen=True)
class LocalDay:
    """A day the admin set apart: `closed` (offices shut) or not (offices work despite a
    national holiday, e.g. when an estimated date moved)."""

    day: dt.date
    closed: bool
    note: str = ""


@functools.cache
def national_holidays(year: int) -> dict[dt.date, str]:
    """{date: Indonesian name} of the year's national holidays and cuti bersama, weekends
    included. Computed once per year and process (the first call loads the package: ~1 s)."""
    import holidays

    days = holidays.country_holidays("ID", years=year, categories=HOLIDAY_CATEGORIES, language="id")
    return dict(sorted(days.items()))


def preload(today: dt.date | None = None) -> None:
    """Compute last, this and next year's national days now (e.g. while a server starts)."""
    year = (today or dt.datetime.now(WITA).date()).year
    for each in (year - 1, year, year + 1):
        national_holidays(each)


class WorkCalendar:
    def __init__(self, local_days: Iterable[LocalDay] = ()) -> None:
        self.local_days = tuple(sorted(local_days, key=lambda d: d.day))
        self._closed = {d.day: d.note for d in self.local_days if d.closed}
        self._opened = {d.day: d.note for d in self.local_days if not d.closed}

    def national_holiday(self, day: dt.date) -> str | None:
        return national_holidays(day.year).get(day)

    def closure_reason(self, day: dt.date) -> str | None:
        """Why the offices are shut that day (None on a working day)."""
        if day in self._opened:
            return None
        if day in self._closed:
            return self._closed[day]
        if holiday := self.national_holiday(day):
            return holiday
        return ("Sabtu", "Minggu")[day.weekday() - 5] if day.weekday() >= 5 else None

    def is_working_day(self, day: dt.date) -> bool:
        return self.closure_reason(day) is None

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """`days` working days after `start`, at the same local time; a request taken on a day
        off counts from the next working morning."""
        local = start.astimezone(WITA)
        if not self.is_working_day(local.date()):
            local = self._step(local, +1).replace(
                hour=OPENING_HOUR, minute=0, second=0, microsecond=0
            )
        return self.shift_working_days(local, days)

    def shift_working_days(self, when: dt.datetime, days: int) -> dt.datetime:
        """`when` moved by `days` working days (back if negative), at the same local time."""
        local = when.astimezone(WITA)
        for _ in range(abs(days)):
            local = self._step(local, 1 if days > 0 else -1)
        return local.astimezone(dt.UTC)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """How many working days lie after `start`'s local date, up to and including `end`'s
        (0 when `end` is not later): the service time a request has used, or how late it is."""
        first = start.astimezone(WITA).date() + dt.timedelta(days=1)
        last = end.astimezone(WITA).date()
        count, day = 0, first
        while day <= last:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    def _step(self, local: dt.datetime, direction: int) -> dt.datetime:
        """The next (or previous) working day after `local`, same wall-clock time."""
        day = local.date()
        while True:
            day += dt.timedelta(days=direction)
            if self.is_working_day(day):
                return local.replace(year=day.year, month=day.month, day=day.day)


_current = WorkCalendar()


def current() -> WorkCalendar:
    """The snapshot every computation of this process uses now."""
    return _current


def install(local_days: Iterable[LocalDay]) -> WorkCalendar:
    """Replace the snapshot (after the admin's days were read or changed)."""
    global _current
    _current = WorkCalendar(local_days)
    return _current


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after `start`, at the same local time; a request made on a day off
    (weekend, holiday, closure) counts from the next working morning."""
    return _current.add_working_days(start, days)


def shift_working_days(when: dt.datetime, days: int) -> dt.datetime:
    return _current.shift_working_days(when, days)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    return _current.working_days_between(start, end)


def is_working_day(day: dt.date) -> bool:
    return _current.is_working_day(day)
