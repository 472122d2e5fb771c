"""Working days: weekends, Indonesia's national holidays and cuti bersama from the `holidays`
package, the admin's closures and openings; due dates counted across them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sodamolek.core.formatting import WITA
from sodamolek.letter_requests import workdays
from sodamolek.letter_requests.workdays import LocalDay, WorkCalendar

NATIONAL = WorkCalendar()


def wita(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(WITA)


def test_the_package_gives_both_national_holidays_and_cuti_bersama():
    days = workdays.national_holidays(2026)
    assert days[dt.date(2026, 12, 25)] == "Hari Raya Natal"
    assert days[dt.date(2026, 12, 24)] == "Cuti Bersama Hari Raya Natal"  # the SKB's joint leave
    assert days[dt.date(2026, 4, 3)] == "Wafat Yesus Kristus"  # Jumat Agung
    assert days[dt.date(2026, 3, 21)] == "Hari Raya Idul Fitri"
    assert days[dt.date(2026, 3, 23)] == "Cuti Bersama Hari Raya Idul Fitri"


def test_christmas_and_its_cuti_bersama_are_skipped():
    # Wednesday 23 December 2026; 24 (cuti bersama), 25 (Natal), 26–27 (weekend) are off.
    due = NATIONAL.add_working_days(wita(2026, 12, 23, 10, 15), 1)
    assert local(due) == wita(2026, 12, 28, 10, 15)


def test_good_friday_is_skipped():
    due = NATIONAL.add_working_days(wita(2026, 4, 2, 9), 1)  # Thursday before Jumat Agung
    assert local(due) == wita(2026, 4, 6, 9)


def test_a_request_taken_during_lebaran_counts_from_the_next_working_morning():
    # Nyepi (19 March 2026), then cuti bersama and Idul Fitri until Tuesday 24 March.
    due = NATIONAL.add_working_days(wita(2026, 3, 19, 13, 30), 1)
    assert local(due) == wita(2026, 3, 26, 8, 0)


def test_weekends_as_before():
    assert local(NATIONAL.add_working_days(wita(2026, 11, 27, 15), 1)) == wita(2026, 11, 30, 15)
    assert local(NATIONAL.add_working_days(wita(2026, 11, 28, 11), 2)) == wita(2026, 12, 2, 8)


def test_a_local_closure_is_a_day_off_and_an_opening_a_working_day():
    calendar = WorkCalendar(
        [
            LocalDay(dt.date(2026, 12, 2), closed=True, note="HUT Kota Kupang"),
            LocalDay(dt.date(2026, 12, 24), closed=False, note="Pelayanan tetap buka"),
        ]
    )
    assert calendar.closure_reason(dt.date(2026, 12, 2)) == "HUT Kota Kupang"
    assert local(calendar.add_working_days(wita(2026, 12, 1, 10), 1)) == wita(2026, 12, 3, 10)
    assert calendar.is_working_day(dt.date(2026, 12, 24))
    assert local(calendar.add_working_days(wita(2026, 12, 23, 10), 1)) == wita(2026, 12, 24, 10)
    assert NATIONAL.closure_reason(dt.date(2026, 12, 5)) == "Sabtu"


def test_working_days_between_counts_after_the_start_up_to_the_end():
    start = wita(2026, 12, 23, 10)
    assert NATIONAL.working_days_between(start, wita(2026, 12, 28, 9)) == 1
    assert NATIONAL.working_days_between(start, wita(2026, 12, 23, 17)) == 0
    assert NATIONAL.working_days_between(start, wita(2026, 12, 1, 9)) == 0


def test_the_functions_read_the_installed_calendar():
    day = dt.date(2026, 12, 2)
    try:
        workdays.install([LocalDay(day, closed=True, note="Banjir")])
        assert not workdays.is_working_day(day)
        assert local(workdays.add_working_days(wita(2026, 12, 1, 10), 1)) == wita(2026, 12, 3, 10)
    finally:
        workdays.install(())
    assert workdays.is_working_day(day)


moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(WITA)
)


@settings(max_examples=300, deadline=None)
@given(start=moments, days=st.integers(min_value=1, max_value=40))
def test_a_due_date_is_a_working_day_exactly_that_many_working_days_on(start, days):
    due = NATIONAL.add_working_days(start, days)
    assert NATIONAL.is_working_day(local(due).date())
    counted = NATIONAL.working_days_between(start, due)
    # A request taken on a day off counts from the next working morning, which is one more.
    assert counted == days + (not NATIONAL.is_working_day(start.date()))


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(min_value=-30, max_value=30))
def test_shifting_back_undoes_shifting_forward(start, days):
    on_a_working_day = NATIONAL.add_working_days(start, 0)
    moved = NATIONAL.shift_working_days(on_a_working_day, days)
    assert NATIONAL.shift_working_days(moved, -days) == on_a_working_day.astimezone(dt.UTC)
