"""NIP (Nomor Induk Pegawai) as a value object: the 18-digit number of a civil servant, as
printed under a signature: birth date YYYYMMDD, start of service YYYYMM, sex (1 man, 2 woman),
serial."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


class InvalidNip(ValueError):
    """The reason, in Indonesian, is the message."""


@dataclass(frozen=True)
class Nip:
    value: str
    birth_date: dt.date
    sex: str  # "L" or "P"

    def __str__(self) -> str:
        return self.value


def parse_nip(text: str) -> Nip:
    """The NIP without the spaces and dots people type; InvalidNip says why it is refused."""
    value = re.sub(r"[\s.]", "", text or "")
    if not (value.isdigit() and len(value) == 18):
        raise InvalidNip("NIP harus 18 angka (contoh: 197805122005011003).")
    try:
        birth_date = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise InvalidNip("NIP tidak sah: 8 angka pertama harus tanggal lahir (TTTTBBHH).") from None
    if not 1 <= int(value[12:14]) <= 12:
        raise InvalidNip("NIP tidak sah: angka ke-9 s.d. 14 harus tahun dan bulan pengangkatan.")
    if value[14] not in "12":
        raise InvalidNip("NIP tidak sah: angka ke-15 (jenis kelamin) harus 1 atau 2.")
    return Nip(value=value, birth_date=birth_date, sex="L" if value[14] == "1" else "P")


def clean_nip(text: str) -> tuple[str, str | None]:
    """For forms: (the NIP as typed without spaces, why it is refused or None)."""
    try:
        return parse_nip(text).value, None
    except InvalidNip as error:
        return re.sub(r"[\s.]", "", text or ""), str(error)
