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
    # The queue writes one for each of its rows: one f-string, the hour and minute looked up
    # (a format spec is a call each).
    local = to_wita(value)
    return (
        f"{local.day} {MONTHS[local.month - 1]} {local.year} "
        f"{_TWO_DIGITS[local.hour]}.{_TWO_DIGITS[local.minute]} WITA"
    )


_TWO_DIGITS = [f"{n:02}" for n in range(60)]


def to_wita(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # stored values are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(WITA)


def format_rupiah(amount: int | None) -> str:
    """Rp850.000 as Indonesian style guides write it (no space, dots for thousands); 0 is Rp0:
    in a letter an amount is a figure, never a word like "Gratis"."""
    if amount is None:
        return "-"
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


def format_cost(amount: int | None) -> str:
    """A service's cost on a web page: "Gratis" when there is none, else the amount."""
    return "Gratis" if not amount else format_rupiah(amount)


def format_amount(value: int | float | None, places: int | None = None) -> str:
    """A number the Indonesian way: 1.250,5 (dots for thousands, comma for decimals). Whole
    numbers print without decimals; `places` fixes how many are printed."""
    if value is None:
        return "-"
    if places is not None:
        text = f"{value:,.{places}f}"
    elif isinstance(value, int) or float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text.translate(_SWAP_SEPARATORS)


_SWAP_SEPARATORS = str.maketrans(",.", ".,")


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


def format_field_value(value: object) -> str:
    """A letter type's field as typed, for reading: ISO dates in Indonesian, yes/no, '-'."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
