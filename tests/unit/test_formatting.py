"""Dates as pages show them: in Indonesian, in WITA (UTC+8, no daylight saving)."""

import datetime as dt

from sodamolek.core.formatting import format_date, format_datetime


def test_a_time_is_written_in_wita_in_indonesian():
    # 22:05 UTC on 28 November is 06:05 on the 29th in Kupang.
    assert format_datetime(dt.datetime(2026, 11, 28, 22, 5, tzinfo=dt.UTC)) == (
        "29 November 2026 06.05 WITA"
    )
    # Stored values without a zone are UTC.
    assert format_datetime(dt.datetime(2026, 1, 1, 0, 0)) == "1 Januari 2026 08.00 WITA"
    assert format_datetime(None) == "-"
    assert format_date(dt.date(2026, 8, 17)) == "17 Agustus 2026"


def test_every_minute_of_a_day_is_written_with_two_digits():
    midnight_wita = dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)  # 2 March, 00.00 WITA
    for minutes in range(24 * 60):
        hour, minute = divmod(minutes, 60)
        text = format_datetime(midnight_wita + dt.timedelta(minutes=minutes))
        assert text == f"2 Maret 2026 {hour:02}.{minute:02} WITA"
