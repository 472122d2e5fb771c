"""CSV export of the dashboard: the same figures as the page, one row per office (and the
total), or one row per day. Written for a spreadsheet set to Indonesian: headers in words (the
statuses by their labels), decimal commas, so semicolons between cells (the list separator of
that locale), and UTF-8 with a byte-order mark so names with accents open correctly."""

from __future__ import annotations

import csv
import io
import math

from sodamolek.dashboard.service import Dashboard, OfficeFigures
from sodamolek.letter_requests.lifecycle import Status

OFFICE_HEADER = [
    "Kode kelurahan",
    "Kelurahan",
    "Kecamatan",
    "Permohonan baru",
    "Selesai",
    "Selesai tepat waktu",
    "Persen tepat waktu",
    "Median (jam)",
    "Persentil 90 (jam)",
    "Terlambat saat ini",
    *[s.label for s in Status],
    "Nilai SKM",
    "Mutu SKM",
    "Responden SKM",
]
DAY_HEADER = ["Tanggal", "Permohonan baru", "Selesai"]
DELIMITER = ";"
BOM = "\ufeff"


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return ">336" if value == math.inf else _decimal(value, 1)


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never for our text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def office_row(item: OfficeFigures) -> list:
    share = item.on_time_share
    skm = item.skm
    return [
        item.code,
        _safe(item.name),
        _safe(item.kecamatan_name),
        item.created,
        item.ready,
        item.ready_on_time,
        "" if share is None else _decimal(share * 100, 1),
        _hours(item.median_hours),
        _hours(item.p90_hours),
        item.overdue,
        *[item.statuses.get(s.value, 0) for s in Status],
        "" if skm is None else _decimal(skm.value, 2),
        "" if skm is None else skm.grade,
        0 if skm is None else skm.respondents,
    ]


def offices_csv(data: Dashboard) -> str:
    out = io.StringIO(BOM)
    out.seek(0, io.SEEK_END)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(OFFICE_HEADER)
    for item in data.offices:
        writer.writerow(office_row(item))
    writer.writerow(office_row(data.total))
    return out.getvalue()


def days_csv(data: Dashboard) -> str:
    out = io.StringIO(BOM)
    out.seek(0, io.SEEK_END)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(DAY_HEADER)
    for day in data.days:
        writer.writerow([day.day.isoformat(), day.created, day.ready])
    return out.getvalue()
