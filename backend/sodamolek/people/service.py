"""The local population registry table (embedded default) and its demo residents; the counter's
applicant lookup through whichever registry the app uses."""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from sodamolek.core.nik import InvalidNik, Nik, build_nik, parse_nik
from sodamolek.people.registry import PopulationRegistry, RegistryRecord, RegistryUnavailable
from sodamolek.people.tables import Resident
from sodamolek.regions.tables import Kelurahan

DEMO_SEED = 5371  # same residents on every machine, so seeding twice adds nothing
_MALE = [
    "Yohanes",
    "Markus",
    "Petrus",
    "Yosef",
    "Agustinus",
    "Fransiskus",
    "Daniel",
    "Yakobus",
    "Simon",
    "Matius",
    "Paulus",
    "Stefanus",
    "Imanuel",
    "Melkianus",
    "Ferdinand",
    "Rudolf",
]
_FEMALE = [
    "Maria",
    "Yuliana",
    "Magdalena",
    "Theresia",
    "Anastasia",
    "Veronika",
    "Agnes",
    "Ester",
    "Ribka",
    "Debora",
    "Naomi",
    "Yohana",
    "Rosalina",
    "Margaretha",
    "Elisabeth",
    "Sarlota",
]
_FAMILY = [
    "Ndun",
    "Manafe",
    "Tefa",
    "Bessie",
    "Benu",
    "Lay",
    "Kana",
    "Riwu",
    "Lado",
    "Pello",
    "Foenay",
    "Nenobais",
    "Tanaem",
    "Haning",
    "Dethan",
    "Mooy",
    "Sinlae",
    "Nalle",
    "Tallo",
    "Kolo",
    "Nubatonis",
    "Bire",
    "Radja",
    "Kapitan",
]
_OCCUPATIONS = [
    "Pegawai Negeri Sipil",
    "Wiraswasta",
    "Petani",
    "Nelayan",
    "Pelajar/Mahasiswa",
    "Mengurus Rumah Tangga",
    "Karyawan Swasta",
    "Guru",
    "Sopir",
    "Pensiunan",
]
_RELIGIONS = ["Kristen", "Kristen", "Katolik", "Katolik", "Islam", "Hindu"]
_STREETS = [
    "Jl. El Tari",
    "Jl. Frans Seda",
    "Jl. Soeharto",
    "Jl. Timor Raya",
    "Jl. W.J. Lalamentik",
    "Jl. Herewila",
    "Jl. Adi Sucipto",
    "Jl. Cak Doko",
    "Jl. Moh. Hatta",
    "Jl. Perintis",
]
_BIRTH_PLACES = [
    "Kupang",
    "Kupang",
    "Kupang",
    "Soe",
    "Atambua",
    "Ba'a",
    "Seba",
    "Kefamenanu",
    "Ende",
    "Waingapu",
]


def demo_residents(
    kelurahan: list[dict], count: int = 300, today: dt.date | None = None
) -> list[dict]:
    """Families of 1–5 with valid Kota Kupang NIKs and KK numbers, spread over the kelurahan."""
    today = today or dt.date(2026, 1, 1)
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, reproducible on purpose
    used: set[str] = set()
    people: list[dict] = []
    ordered = sorted(kelurahan, key=lambda k: k["code"])
    while len(people) < count:
        kel = rng.choice(ordered)
        region6 = kel["kecamatan_code"].replace(".", "")
        kk = _new_kk(rng, used, region6, today)
        family = rng.choice(_FAMILY)
        street = f"{rng.choice(_STREETS)} No. {rng.randint(1, 120)}"
        rt, rw = f"{rng.randint(1, 30):03}", f"{rng.randint(1, 10):03}"
        for member in range(min(rng.randint(1, 5), count - len(people))):
            sex = {0: "L", 1: "P"}.get(member) or rng.choice("LP")
            age_low, age_high = (25, 70) if member < 2 else (1, 24)
            birth = _random_date(rng, today, age_low, age_high)
            nik = _new_nik(rng, used, region6, birth, sex)
            first = rng.choice(_MALE if sex == "L" else _FEMALE)
            people.append(
                {
                    "nik": nik,
                    "kk": kk,
                    "name": f"{first} {family}",
                    "birth_place": rng.choice(_BIRTH_PLACES),
                    "birth_date": birth,
                    "sex": sex,
                    "religion": rng.choice(_RELIGIONS),
                    "occupation": rng.choice(_OCCUPATIONS) if member < 2 else "Pelajar/Mahasiswa",
                    "marital_status": "Kawin" if member < 2 else "Belum Kawin",
                    "citizenship": "WNI",
                    "address": f"{street}, Kelurahan {kel['name']}",
                    "rt": rt,
                    "rw": rw,
                    "kelurahan": kel["id"],
                }
            )
    return people


def _new_kk(rng: random.Random, used: set[str], region6: str, today: dt.date) -> str:
    while True:
        issued = _random_date(rng, today, 1, 20)
        kk = f"{region6}{_date6(issued)}{rng.randint(1, 9999):04}"
        if kk not in used:
            used.add(kk)
            return kk


def _new_nik(rng: random.Random, used: set[str], region6: str, birth: dt.date, sex: str) -> str:
    while True:
        nik = build_nik(region6, birth, sex, rng.randint(1, 9999))
        if nik not in used:
            used.add(nik)
            return nik


def _random_date(rng: random.Random, today: dt.date, min_years: int, max_years: int) -> dt.date:
    days = rng.randint(min_years * 365, max_years * 365)
    return today - dt.timedelta(days=days)


def _date6(day: dt.date) -> str:
    return f"{day.day:02}{day.month:02}{day.year % 100:02}"


async def seed_demo_residents(count: int = 300) -> int:
    kelurahan = await Kelurahan.select(
        Kelurahan.id,
        Kelurahan.code,
        Kelurahan.name,
        Kelurahan.kecamatan.code.as_alias("kecamatan_code"),
    )
    people = demo_residents(kelurahan, count)
    existing = {r["nik"] for r in await Resident.select(Resident.nik)}
    missing = [Resident(**p) for p in people if p["nik"] not in existing]
    for start in range(0, len(missing), 100):
        await Resident.insert(*missing[start : start + 100]).on_conflict(
            target=Resident.nik, action="DO NOTHING"
        )
    return len(missing)


# --- The applicant at the counter -----------------------------------------------------------

logger = logging.getLogger("sodamolek.people")

FOUND = "Terverifikasi dari data kependudukan"
NOT_FOUND = (
    "NIK tidak ditemukan di data kependudukan; isi data secara manual — permohonan ditandai "
    "belum terverifikasi."
)
UNAVAILABLE = "Data kependudukan sedang tidak dapat dihubungi; isi manual, akan dicek ulang nanti."

# The applicant's inputs in the request form (prefix "applicant_"), in the order shown.
APPLICANT_FIELDS = (
    "nik",
    "kk",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "rt",
    "rw",
    # The identity a letter's form may print (agama, pekerjaan, status perkawinan,
    # kewarganegaraan), as the registry records it.
    "religion",
    "occupation",
    "marital_status",
    "citizenship",
)


@dataclass(frozen=True)
class ApplicantLookup:
    status: str  # found | not_found | unavailable | invalid
    message: str
    record: RegistryRecord | None = None
    nik: Nik | None = None

    @property
    def verified(self) -> bool:
        return self.status == "found"


async def lookup_applicant(
    registry: PopulationRegistry, nik_text: str, today: dt.date | None = None
) -> ApplicantLookup:
    """What the counter shows for a typed NIK. Only a valid NIK is sent to the registry; a
    registry that is down gives "unavailable", never an error: the counter keeps working."""
    try:
        nik = parse_nik(nik_text, today)
    except InvalidNik as reason:
        return ApplicantLookup("invalid", str(reason))
    try:
        record = await registry.lookup(nik.value)
    except RegistryUnavailable:
        return ApplicantLookup("unavailable", UNAVAILABLE, nik=nik)
    if record is None:
        return ApplicantLookup("not_found", NOT_FOUND, nik=nik)
    return ApplicantLookup("found", FOUND, record=record, nik=nik)


def registry_values(lookup: ApplicantLookup) -> dict[str, str] | None:
    """The registry's answer as the request form's applicant inputs ("applicant_<field>"), or
    None when it has no record. The page fills the empty inputs with these and asks before
    replacing what the operator typed (the answer may arrive while they are typing)."""
    record = lookup.record
    if record is None:
        return None
    values = {f"applicant_{name}": str(getattr(record, name)) for name in APPLICANT_FIELDS}
    values["applicant_birth_date"] = record.birth_date.isoformat()
    return values


def answered_nik(lookup: ApplicantLookup, nik_text: str) -> str:
    """The NIK an answer is about: the page ignores an answer for a NIK no longer in its box."""
    return lookup.nik.value if lookup.nik else nik_text.strip()
