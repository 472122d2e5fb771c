"""How dates and money are shown: Bahasa Indonesia, Asia/Makassar (WITA)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = to_wita(value).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: dt.datetime | None) -> str:
    """29 November 2026 14.05 WITA"""
    if value is None:
        return "-"
    local = to_wita(value)
    return f"{format_date(local.date())} {local.hour:02}.{local.minute:02} WITA"


def to_wita(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # stored values are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(WITA)


def format_rupiah(amount: int | None) -> str:
    if not amount:
        return "Gratis"
    return "Rp " + f"{amount:,}".replace(",", ".")


def format_number(value: int | None) -> str:
    """1234567 -> 1.234.567"""
    return "-" if value is None else f"{value:,}".replace(",", ".")


def format_percent(share: float | None) -> str:
    """0.875 -> 87,5%"""
    return "-" if share is None else f"{share * 100:.1f}%".replace(".", ",")


def format_hours(hours: float | None) -> str:
    """A duration: 5,2 jam under a day, 1,3 hari from a day on."""
    if hours is None:
        return "-"
    if hours == float("inf"):
        return "lebih dari 14 hari"
    if hours < 24:
        return f"{hours:.1f} jam".replace(".", ",")
    return f"{hours / 24:.1f} hari".replace(".", ",")


def format_decimal(value: float | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}".replace(".", ",")
