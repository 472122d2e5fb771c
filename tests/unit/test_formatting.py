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
