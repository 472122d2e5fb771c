"""The admin's local days (closures of Kota Kupang's offices, and openings despite a national
holiday) and the in-memory working calendar that follows them.

Each process holds the calendar in memory (letter_requests.workdays): loaded when the server
starts, replaced at once in the process where the admin saves, and re-read by every other
process every `calendar_refresh_seconds` (10 s by default), so on PostgreSQL with several
workers an edit is seen everywhere within that time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from piccolo.columns import Column

from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.letter_requests import due_dates, workdays
from sodamolek.letter_requests.workdays import LocalDay, WorkCalendar
from sodamolek.workcalendar.tables import LocalCalendarDay

logger = logging.getLogger("sodamolek.workcalendar")

NOTE_MAX = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
KINDS = {"tutup": True, "buka": False}  # the form's words for `closed`


class CalendarDayInvalid(ValueError):
    """`errors` maps each input to its Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CalendarChange:
    day: dt.date
    requests_moved: int  # open requests whose due time moved with it


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def list_local_days(year: int | None = None) -> list[dict]:
    query = LocalCalendarDay.select().order_by(LocalCalendarDay.day)
    if year is not None:
        query = query.where(
            (LocalCalendarDay.day >= dt.date(year, 1, 1))
            & (LocalCalendarDay.day <= dt.date(year, 12, 31))
        )
    rows = await query
    for row in rows:
        row["changed_at"] = as_utc(row["changed_at"])
    return rows


async def _stored_days() -> tuple[LocalDay, ...]:
    rows = await LocalCalendarDay.select(
        LocalCalendarDay.day, LocalCalendarDay.closed, LocalCalendarDay.note
    ).order_by(LocalCalendarDay.day)
    return tuple(LocalDay(r["day"], bool(r["closed"]), r["note"]) for r in rows)


def clean_local_day_form(
    form: Mapping[str, str], calendar: WorkCalendar
) -> tuple[dict, dict[str, str]]:
    """The form's values, and a message for each that cannot be saved."""
    errors: dict[str, str] = {}
    raw_day = (form.get("day") or "").strip()
    kind = (form.get("kind") or "").strip()
    note = " ".join((form.get("note") or "").split())
    values: dict = {"day": raw_day, "kind": kind, "note": note}
    day: dt.date | None = None
    if not raw_day:
        errors["day"] = "Tanggal wajib diisi."
    else:
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            errors["day"] = "Tanggal tidak valid: gunakan format TTTT-BB-HH (mis. 2026-12-31)."
        else:
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                errors["day"] = f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}."
                day = None
    if kind not in KINDS:
        errors["kind"] = "Pilih: kantor tutup, atau kantor tetap buka."
    if not note:
        errors["note"] = "Keterangan wajib diisi (mis. alasan kantor tutup)."
    elif len(note) > NOTE_MAX:
        errors["note"] = f"Keterangan paling panjang {NOTE_MAX} karakter."
    if day is not None and kind in KINDS and "day" not in errors:
        # Judged on the calendar without this day's own entry, so an entry can be edited.
        national = WorkCalendar(d for d in calendar.local_days if d.day != day)
        reason = national.closure_reason(day)
        if KINDS[kind] and reason:
            errors["day"] = f"Hari itu sudah libur ({reason}): tidak perlu ditutup lagi."
        elif not KINDS[kind] and not reason:
            errors["day"] = "Hari itu sudah hari kerja: tidak perlu dibuka."
    values["date"] = day
    return values, errors


async def save_local_day(form: Mapping[str, str], changed_by: str) -> CalendarChange:
    """Add or replace the entry of one day; open requests' due dates follow."""
    async with write_transaction(current_engine()):
        before = WorkCalendar(await _stored_days())
        values, errors = clean_local_day_form(form, before)
        if errors:
            raise CalendarDayInvalid(errors)
        day, closed = values["date"], KINDS[values["kind"]]
        fields = {
            "closed": closed,
            "note": values["note"],
            "changed_by": changed_by,
            "changed_at": _now(),
        }
        if await LocalCalendarDay.exists().where(LocalCalendarDay.day == day):
            # Piccolo types update()'s dict with Column | str keys; these are column names.
            changes = cast("dict[Column | str, Any]", fields)
            await LocalCalendarDay.update(changes).where(LocalCalendarDay.day == day)
        else:
            await LocalCalendarDay.insert(LocalCalendarDay(day=day, **fields))
        after = WorkCalendar(await _stored_days())
        moved = await due_dates.follow_calendar_change(before, after, [day])
    workdays.install(after.local_days)  # this process at once; the others within the interval
    return CalendarChange(day=day, requests_moved=moved)


async def remove_local_day(entry_id: int) -> CalendarChange | None:
    """Back to the national calendar for that day (None: no such entry)."""
    async with write_transaction(current_engine()):
        found = await LocalCalendarDay.select(LocalCalendarDay.day).where(
            LocalCalendarDay.id == entry_id
        )
        if not found:
            return None
        before = WorkCalendar(await _stored_days())
        await LocalCalendarDay.delete().where(LocalCalendarDay.id == entry_id)
        after = WorkCalendar(await _stored_days())
        moved = await due_dates.follow_calendar_change(before, after, [found[0]["day"]])
    workdays.install(after.local_days)
    return CalendarChange(day=found[0]["day"], requests_moved=moved)


async def refresh() -> bool:
    """Read the admin's days again; install a new calendar if they changed."""
    stored = await _stored_days()
    if stored == workdays.current().local_days:
        return False
    workdays.install(stored)
    return True


async def keep_fresh(stop: asyncio.Event, interval: float) -> None:
    """Every `interval` seconds until `stop`: pick up edits made in other processes."""
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
            return
        except TimeoutError:
            pass
        try:
            if await refresh():
                logger.info("working calendar reloaded: an admin changed a local day")
        except Exception:  # the database may be away for a moment: keep the last calendar
            logger.exception("working calendar refresh failed")
