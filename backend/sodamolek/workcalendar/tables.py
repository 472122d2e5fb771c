from piccolo.columns import Boolean, Date, Serial, Timestamptz, Varchar
from piccolo.table import Table


class LocalCalendarDay(Table, tablename="local_calendar_day"):
    """A day the city's admin set apart from the national calendar: a local closure of Kota
    Kupang's offices, or (closed = false) a working day despite a national holiday."""

    id: Serial

    day = Date(unique=True)
    closed = Boolean(default=True)
    note = Varchar(length=200)
    changed_by = Varchar(length=64, default="")  # the admin's username, for the page
    changed_at = Timestamptz()
