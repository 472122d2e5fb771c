"""NIK (Nomor Induk Kependudukan) as a value object.

16 digits `PPKKCC DDMMYY SSSS`: province, regency/city and district of first registration;
day of birth (+40 for women), month, two-digit year; a serial from 0001.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Province codes in use (Kemendagri), including the Papua provinces formed in 2022.
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
        97,
    }
)
KOTA_KUPANG_PREFIX = "5371"

_DIGITS = re.compile(r"\d+")


class InvalidNik(ValueError):
    """The reason, in Indonesian, is the message."""


@dataclass(frozen=True)
class Nik:
    value: str
    birth_date: dt.date
    sex: str  # "L" or "P"

    @property
    def region_code(self) -> str:
        """The district code as Kemendagri writes it, e.g. 53.71.04."""
        return f"{self.value[0:2]}.{self.value[2:4]}.{self.value[4:6]}"

    @property
    def is_kota_kupang(self) -> bool:
        return self.value.startswith(KOTA_KUPANG_PREFIX)

    @property
    def masked(self) -> str:
        return mask_nik(self.value)

    def __str__(self) -> str:
        return self.value


def mask_nik(value: str) -> str:
    """Keep the region and the last two digits: enough to recognise, too little to misuse."""
    return value[:6] + "*" * 8 + value[-2:] if len(value) == 16 else "*" * len(value)


def _century_year(two_digits: int, today: dt.date) -> int:
    year = 2000 + two_digits
    return year if year <= today.year else year - 100


def parse_nik(text: str, today: dt.date | None = None) -> Nik:
    today = today or dt.date.today()
    value = re.sub(r"[\s.\-]", "", text or "")
    if not value:
        raise InvalidNik("NIK wajib diisi.")
    if not _DIGITS.fullmatch(value):
        raise InvalidNik("NIK hanya boleh berisi angka.")
    if len(value) != 16:
        raise InvalidNik(f"NIK harus 16 angka, yang diisi {len(value)} angka.")
    province, regency, district = int(value[0:2]), int(value[2:4]), int(value[4:6])
    if province not in PROVINCE_CODES:
        raise InvalidNik(f"Kode provinsi {value[0:2]} pada NIK tidak dikenal.")
    if regency == 0:
        raise InvalidNik("Kode kabupaten/kota pada NIK tidak boleh 00.")
    if district == 0:
        raise InvalidNik("Kode kecamatan pada NIK tidak boleh 00.")
    day, month, year2 = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = "L"
    if 41 <= day <= 71:
        day, sex = day - 40, "P"
    if not 1 <= day <= 31:
        raise InvalidNik(
            f"Tanggal lahir pada NIK ({value[6:8]}) tidak sah: 01–31 untuk laki-laki, "
            "41–71 untuk perempuan."
        )
    if not 1 <= month <= 12:
        raise InvalidNik(f"Bulan lahir pada NIK ({value[8:10]}) tidak sah.")
    year = _century_year(year2, today)
    try:
        birth_date = dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidNik(f"Tanggal lahir pada NIK ({day:02}-{month:02}-{year}) tidak ada.") from exc
    if birth_date > today:
        raise InvalidNik("Tanggal lahir pada NIK ada di masa depan.")
    if int(value[12:16]) == 0:
        raise InvalidNik("Nomor urut pada NIK tidak boleh 0000.")
    return Nik(value=value, birth_date=birth_date, sex=sex)


def build_nik(region6: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """The NIK a registry would issue; used for demo data and tests."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region6}{day:02}{birth_date.month:02}{birth_date.year % 100:02}{serial:04}"
