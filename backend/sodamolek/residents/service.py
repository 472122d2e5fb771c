"""A resident applies from home (/ajukan): no account, no PIN. They prove who they are with what
is printed on their Kartu Keluarga — NIK, KK number and birth date — matched against the
population registry; the request is then created by the counter's own service function
(letter_requests.service.create_request, channel RESIDENT) in the office the registry names.

Whether a NIK exists is not revealed: not registered, another KK, another birth date all get the
same words. Attempts are limited per address and per NIK (core.ratelimit, shared by workers)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sodamolek.core import ratelimit
from sodamolek.core.nik import InvalidNik, parse_nik
from sodamolek.people.registry import PopulationRegistry, RegistryRecord, RegistryUnavailable
from sodamolek.regions import service as regions

NO_MATCH = (
    "Data yang Anda isi tidak cocok dengan data kependudukan. Periksa NIK, nomor KK dan tanggal "
    "lahir persis seperti tertulis di Kartu Keluarga, atau datang ke kantor kelurahan."
)
REGISTRY_DOWN = (
    "Data kependudukan sedang tidak dapat dihubungi, jadi data Anda belum bisa dicocokkan. "
    "Coba lagi beberapa saat lagi; isian Anda masih ada di halaman ini."
)
OUTSIDE_CITY = (
    "Menurut data kependudukan, alamat Anda tidak di salah satu kelurahan Kota Kupang. Ajukan "
    "surat di kantor kelurahan tempat Anda terdaftar."
)
TOO_MANY = "Terlalu banyak pengajuan dalam waktu singkat. Coba lagi sekitar {minutes} menit lagi."

# Per address: a family's phone or a warnet submits a few; a script guessing identities does not
# get far. Per NIK: guessing someone's KK and birth date is capped whatever the address.
ADDRESS_LIMIT = ratelimit.Limit(hits=10, seconds=3600)
NIK_LIMIT = ratelimit.Limit(hits=5, seconds=3600)


class ApplicationRefused(Exception):
    """The application cannot go on; `message` is for the resident, `status` the HTTP answer."""

    def __init__(self, message: str, status: int = 422, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Identity:
    nik: str
    kk: str
    birth_date: dt.date


def parse_identity(
    form: Mapping[str, str], today: dt.date | None = None
) -> tuple[Identity | None, dict[str, str]]:
    """The three values as typed, checked for shape only (that says nothing about the
    registry)."""
    errors: dict[str, str] = {}
    nik = kk = ""
    birth_date = None
    try:
        nik = parse_nik(str(form.get("nik", "") or ""), today).value
    except InvalidNik as reason:
        errors["nik"] = str(reason)
    kk = re.sub(r"\s", "", str(form.get("kk", "") or ""))
    if not (kk.isdigit() and len(kk) == 16):
        errors["kk"] = "Nomor KK harus 16 angka (lihat bagian atas Kartu Keluarga)."
    try:
        birth_date = dt.date.fromisoformat(str(form.get("tanggal_lahir", "") or "").strip())
    except ValueError:
        errors["tanggal_lahir"] = "Isi tanggal lahir (hari, bulan, tahun)."
    if errors or birth_date is None:
        return None, errors
    return Identity(nik, kk, birth_date), {}


def nik_key(nik: str, secret: str) -> str:
    """The rate-limit key of a NIK: keyed by the app's secret, so the table holds no NIK and a
    key cannot be turned back into one by trying all NIKs."""
    digest = hmac.new(secret.encode(), nik.encode(), hashlib.sha256).hexdigest()[:32]
    return f"ajukan-nik:{digest}"


async def limit(key: str, rule: ratelimit.Limit) -> None:
    try:
        await ratelimit.hit(key, rule)
    except ratelimit.RateLimited as limited:
        minutes = max(1, -(-limited.retry_after // 60))
        raise ApplicationRefused(
            TOO_MANY.format(minutes=minutes), status=429, retry_after=limited.retry_after
        ) from None


async def identify(registry: PopulationRegistry, identity: Identity) -> RegistryRecord:
    """The registry's record when NIK, KK and birth date all match; otherwise one refusal."""
    try:
        record = await registry.lookup(identity.nik)
    except RegistryUnavailable:
        raise ApplicationRefused(REGISTRY_DOWN, status=503) from None
    if (
        record is None
        or record.kk.strip() != identity.kk
        or record.birth_date != identity.birth_date
    ):
        raise ApplicationRefused(NO_MATCH)
    return record


async def office_of(record: RegistryRecord) -> dict:
    """The kelurahan the registry puts the resident in: their request goes to its queue."""
    office = await regions.find_kelurahan(record.kelurahan_code) if record.kelurahan_code else None
    if office is None:
        raise ApplicationRefused(OUTSIDE_CITY)
    return office


def applicant_from(record: RegistryRecord, phone: str) -> dict[str, str]:
    """The applicant as the registry knows them (the authority), with the phone they typed."""
    return {
        "applicant_nik": record.nik,
        "applicant_kk": record.kk,
        "applicant_name": record.name,
        "applicant_birth_place": record.birth_place,
        "applicant_birth_date": record.birth_date.isoformat(),
        "applicant_sex": record.sex,
        "applicant_address": record.address,
        "applicant_rt": record.rt,
        "applicant_rw": record.rw,
        "applicant_religion": record.religion,
        "applicant_occupation": record.occupation,
        "applicant_marital_status": record.marital_status,
        "applicant_citizenship": record.citizenship,
        "applicant_phone": phone,
    }


class KnownRecord:
    """The registry's answer already in hand, as a registry: create_request verifies the
    applicant against it without asking the registry a second time."""

    def __init__(self, record: RegistryRecord) -> None:
        self._record = record

    async def lookup(self, nik: str) -> RegistryRecord | None:
        return self._record if nik == self._record.nik else None


# ---------------------------------------------------------------------------------------------
# The signed letter on the phone

LETTER_LIMIT_ADDRESS = ratelimit.Limit(hits=10, seconds=900)
LETTER_LIMIT_CODE = ratelimit.Limit(hits=5, seconds=3600)  # guessing a birth date: 5 an hour
LETTER_NOT_READY = "Surat belum selesai ditandatangani. Anda akan dikabari bila sudah siap."
LETTER_WRONG_DATE = (
    "Tanggal lahir tidak cocok dengan data permohonan ini. Periksa lagi (sesuai KTP/KK), atau "
    "ambil surat di kantor kelurahan."
)
LETTER_NO_DATE = (
    "Permohonan ini tidak mencatat tanggal lahir pemohon, jadi suratnya hanya dapat diambil di "
    "kantor kelurahan."
)
LETTER_AT_OFFICE = "Surat ini hanya dapat diambil di kantor kelurahan."


def check_birth_date(request: dict, typed: str) -> None:
    """The resident proves the request is theirs with the applicant's birth date: the tracking
    code alone never opens a document that holds the full NIK."""
    recorded = request.get("applicant_birth_date")
    if isinstance(recorded, dt.datetime):
        recorded = recorded.date()
    if recorded is None:
        raise ApplicationRefused(LETTER_NO_DATE, status=403)
    try:
        given = dt.date.fromisoformat((typed or "").strip())
    except ValueError:
        raise ApplicationRefused("Isi tanggal lahir pemohon (hari, bulan, tahun).") from None
    if not hmac.compare_digest(given.isoformat(), recorded.isoformat()):
        raise ApplicationRefused(LETTER_WRONG_DATE)
