"""Tracking codes kept out of the server's logs.

A tracking code is the key to a resident's status page (name masked, but the letter, the
office, the dates and the survey): whoever reads a log line with one could open that page. The
access log (off by default, `serve --access-log`) and the app's own error lines therefore show
the code masked: `/lacak/KPG-****`, the rest of the path kept, so a line still says which page
of which kind was asked for and how it was answered.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

MASK = "KPG-****"
# The segment after /lacak/ (whatever was typed there, percent-encoded or not), and a code-like
# run anywhere else (a query such as ?kode=kpg 7f3k 9qx2 m4td): residents type codes freely.
_SEP = r"(?:[-_.+ ]|%20|%2d)*"
_TRACKING = re.compile(
    rf"(?i)(/lacak/)[^/?#\s\"]+|kpg{_SEP}(?:[0-9a-z]{_SEP}){{12}}",
)


def mask_tracking_codes(text: str) -> str:
    if "lacak" not in text and "kpg" not in text.lower():
        return text  # the common line: no regex run
    return _TRACKING.sub(lambda m: f"{m.group(1)}{MASK}" if m.group(1) else MASK, text)


class MaskTrackingCodes(logging.Filter):
    """A logging filter: every text argument of the record (uvicorn's access line passes the
    path with its query as one) and the message itself, codes masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tracking_codes(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(mask_tracking_codes(a) if isinstance(a, str) else a for a in args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with the filter on its access and error handlers
    (uvicorn applies it in every worker process too)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"tracking_codes": {"()": f"{__name__}.MaskTrackingCodes"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["tracking_codes"]
    return config
