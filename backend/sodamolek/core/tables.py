from piccolo.columns import Integer, Serial, Varchar
from piccolo.table import Table


class RateLimitWindow(Table, tablename="rate_limit_window"):
    """Hits per key (e.g. 'lacak:<address>') in a fixed time window, shared by every worker."""

    id: Serial

    key = Varchar(length=120)
    window_start = Integer()  # unix seconds
    hits = Integer(default=0)
