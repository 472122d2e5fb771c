from piccolo.columns import Date, ForeignKey, Integer, Serial
from piccolo.table import Table

from sodamolek.regions.tables import Kelurahan


class OfficeDay(Table, tablename="office_day"):
    """One kelurahan office on one local (WITA) day: requests received, requests that became
    ready, how many of those within their service time, and a histogram of their times to
    ready. Kept up to date in the same transaction as each creation and status change (hooks in
    letter_requests.service), so the dashboard sums a few rows per office instead of reading
    every request.

    b00…b19 count the requests that became ready that day whose time from creation to ready
    fell in bucket i of dashboard.service.BUCKET_HOURS: b00 is ≤ 1 hour, b19 is over 14 days."""

    id: Serial

    kelurahan = ForeignKey(Kelurahan, null=False)
    day = Date(index=True)
    created = Integer(default=0)
    ready = Integer(default=0)
    ready_on_time = Integer(default=0)
    b00 = Integer(default=0)
    b01 = Integer(default=0)
    b02 = Integer(default=0)
    b03 = Integer(default=0)
    b04 = Integer(default=0)
    b05 = Integer(default=0)
    b06 = Integer(default=0)
    b07 = Integer(default=0)
    b08 = Integer(default=0)
    b09 = Integer(default=0)
    b10 = Integer(default=0)
    b11 = Integer(default=0)
    b12 = Integer(default=0)
    b13 = Integer(default=0)
    b14 = Integer(default=0)
    b15 = Integer(default=0)
    b16 = Integer(default=0)
    b17 = Integer(default=0)
    b18 = Integer(default=0)
    b19 = Integer(default=0)
