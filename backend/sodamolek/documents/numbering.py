"""Letter numbers: the office's format string filled with the allocated counter.

The format is typed by an admin (Kelurahan.letter_number_format), so it is checked before use:
only our placeholders, no attribute or index access, no conversions, braces balanced, and a
{nomor} somewhere (otherwise every letter would get the same number).
"""

from __future__ import annotations

import datetime as dt
from string import Formatter

# The column default (regions) owns the default format; re-exported for the numbering callers.
from sodamolek.regions.tables import DEFAULT_NUMBER_FORMAT as DEFAULT_NUMBER_FORMAT

MAX_FORMAT_LENGTH = 200  # Kelurahan.letter_number_format is a Varchar(200)

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

# Placeholder -> what it means, for the admin's form and the error messages.
PLACEHOLDERS = {
    "kode": "kode klasifikasi jenis surat, mis. 470",
    "nomor": "nomor urut (per kelurahan, tahun dan kode), mis. {nomor:03} → 007",
    "kode_kelurahan": "kode Kemendagri kelurahan, mis. 53.71.04.1001",
    "bulan_romawi": "bulan dalam angka Romawi, mis. XI",
    "bulan": "bulan dalam angka, mis. 11 ({bulan:02} → 03 untuk Maret)",
    "tahun": "tahun, mis. 2026",
}

# Values used to try a format once before it is accepted.
_SAMPLE = {
    "kode": "470",
    "nomor": 7,
    "kode_kelurahan": "53.71.04.1001",
    "bulan_romawi": "XI",
    "bulan": 11,
    "tahun": 2026,
}


class NumberFormatError(ValueError):
    """The number format cannot be used; the message says why, in Indonesian."""


def roman_month(month: int) -> str:
    """1 → I … 12 → XII."""
    if not 1 <= month <= 12:
        raise ValueError(f"bulan harus 1–12, bukan {month}")
    return ROMAN_MONTHS[month - 1]


def validate_number_format(fmt: str) -> str | None:
    """None when the format is usable, else the reason in Indonesian."""
    if not isinstance(fmt, str) or not fmt.strip():
        return "Format nomor surat wajib diisi."
    if len(fmt) > MAX_FORMAT_LENGTH:
        return f"Format nomor surat terlalu panjang (maksimal {MAX_FORMAT_LENGTH} karakter)."
    if any(ch in fmt for ch in "\r\n\t"):
        return "Format nomor surat harus satu baris."
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in Formatter().parse(fmt)
            if name is not None
        ]
    except ValueError:
        return (
            "Kurung kurawal tidak seimbang: setiap '{' harus ditutup '}' "
            "(tulis '{{' atau '}}' untuk tanda kurung itu sendiri)."
        )
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            return f"Bagian {shown} tidak dikenal. Yang tersedia: {known}."
        if conversion is not None:
            return f"Bagian {{{name}!{conversion}}} tidak boleh memakai '!'."
        if "{" in (spec or "") or "}" in (spec or ""):
            return f"Format bagian {{{name}}} tidak boleh berisi kurung kurawal."
    if not any(name == "nomor" for name, _, _ in fields):
        return "Format nomor surat harus memuat {nomor}, agar setiap surat bernomor berbeda."
    try:
        fmt.format(**_SAMPLE)
    except (ValueError, TypeError):
        bad = _first_bad_spec(fields)
        where = f" pada {{{bad}}}" if bad else ""
        return (
            f"Format tidak sah{where}. Setelah ':' hanya boleh format angka, "
            "mis. {nomor:03} untuk 007."
        )
    return None


def _first_bad_spec(fields: list[tuple[str, str | None, str | None]]) -> str | None:
    for name, spec, _ in fields:
        try:
            format(_SAMPLE[name], spec or "")
        except (ValueError, TypeError):
            return f"{name}:{spec}"
    return None


def format_letter_number(
    fmt: str, *, kode: str, nomor: int, kode_kelurahan: str, when: dt.date
) -> str:
    """The letter number, e.g. 470/007/53.71.04.1001/XI/2026. Raises NumberFormatError."""
    reason = validate_number_format(fmt)
    if reason:
        raise NumberFormatError(reason)
    if isinstance(nomor, bool) or not isinstance(nomor, int) or nomor < 1:
        raise NumberFormatError(f"Nomor urut harus bilangan bulat positif, bukan {nomor!r}.")
    return fmt.format(
        kode=kode,
        nomor=nomor,
        kode_kelurahan=kode_kelurahan,
        bulan_romawi=roman_month(when.month),
        bulan=when.month,
        tahun=when.year,
    )
