"""NIP (Nomor Induk Pegawai): the 18-digit number of a civil servant, as printed under a
signature: birth date YYYYMMDD, start of service YYYYMM, sex (1 man, 2 woman), serial."""

from __future__ import annotations

import datetime as dt
import re


def clean_nip(text: str) -> tuple[str, str | None]:
    """(the NIP without spaces, why it is refused or None)."""
    nip = re.sub(r"[\s.]", "", text or "")
    if not (nip.isdigit() and len(nip) == 18):
        return nip, "NIP harus 18 angka (contoh: 197805122005011003)."
    try:
        dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return nip, "NIP tidak sah: 8 angka pertama harus tanggal lahir (TTTTBBHH)."
    if not 1 <= int(nip[12:14]) <= 12:
        return nip, "NIP tidak sah: angka ke-9 s.d. 14 harus tahun dan bulan pengangkatan."
    if nip[14] not in "12":
        return nip, "NIP tidak sah: angka ke-15 (jenis kelamin) harus 1 atau 2."
    return nip, None
