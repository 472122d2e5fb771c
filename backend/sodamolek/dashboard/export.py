"""CSV export of the dashboard: the same figures as the page, one row per office (and the
total), or one row per day. Plain numbers (dot decimals), UTF-8, comma-separated."""

from __future__ import annotations

import csv
import io
import math

from sodamolek.dashboard.service import Dashboard, OfficeFigures
from sodamolek.letter_requests.lifecycle import Status

OFFICE_HEADER = [
    "kode_kelurahan", "kelurahan", "kecamatan", "permohonan_baru", "selesai",
    "selesai_tepat_waktu", "persen_tepat_waktu", "median_jam", "p90_jam", "terlambat_saat_ini",
    *[s.value for s in Status], "skm", "mutu_skm", "responden_skm",
]  # fmt: skip
DAY_HEADER = ["tanggal", "permohonan_baru", "selesai"]


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return ">336" if value == math.inf else f"{value:.1f}"


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never for our text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def office_row(item: OfficeFigures) -> list:
    share = item.on_time_share
    skm = item.skm
    return [
        item.code, _safe(item.name), _safe(item.kecamatan_name), item.created, item.ready,
        item.ready_on_time, "" if share is None else f"{share * 100:.1f}",
        _hours(item.median_hours), _hours(item.p90_hours), item.overdue,
        *[item.statuses.get(s.value, 0) for s in Status],
        "" if skm is None else f"{skm.value:.2f}", "" if skm is None else skm.grade,
        0 if skm is None else skm.respondents,
    ]  # fmt: skip


def offices_csv(data: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(OFFICE_HEADER)
    for item in data.offices:
        writer.writerow(office_row(item))
    writer.writerow(office_row(data.total))
    return out.getvalue()


def days_csv(data: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DAY_HEADER)
    for day in data.days:
        writer.writerow([day.day.isoformat(), day.created, day.ready])
    return out.getvalue()
