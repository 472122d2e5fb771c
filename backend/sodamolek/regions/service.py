"""Kecamatan and kelurahan: the city's offices."""

from __future__ import annotations

import csv
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from sodamolek import db
from sodamolek.core.nip import clean_nip
from sodamolek.db import stamps
from sodamolek.regions.tables import Kecamatan, Kelurahan

WILAYAH_CSV = "kupang-wilayah.csv"


@dataclass(frozen=True)
class WilayahRow:
    kecamatan_code: str
    kecamatan: str
    kelurahan_code: str
    kelurahan: str


def read_wilayah() -> list[WilayahRow]:
    text = resources.files("sodamolek.seed_data").joinpath(WILAYAH_CSV).read_text("utf-8")
    return [
        WilayahRow(r["kode_kecamatan"], r["kecamatan"], r["kode_kelurahan"], r["kelurahan"])
        for r in csv.DictReader(text.splitlines())
    ]


def office_address(kelurahan: str, kecamatan: str) -> str:
    return f"Kantor Lurah {kelurahan}, Kecamatan {kecamatan}, Kota Kupang, Nusa Tenggara Timur"


async def seed_regions() -> tuple[int, int]:
    """Insert the 6 kecamatan and 51 kelurahan that are missing; never overwrite office details
    an admin has edited. Returns how many rows were added."""
    rows = read_wilayah()
    kecamatan = {r.kecamatan_code: r.kecamatan for r in rows}
    added_kec = await _insert_missing(
        Kecamatan,
        [
            Kecamatan(code=code, name=name, address=f"Kantor Camat {name}, Kota Kupang")
            for code, name in kecamatan.items()
        ],
    )
    ids = {r["code"]: r["id"] for r in await Kecamatan.select(Kecamatan.id, Kecamatan.code)}
    added_kel = await _insert_missing(
        Kelurahan,
        [
            Kelurahan(
                code=r.kelurahan_code,
                name=r.kelurahan,
                kecamatan=ids[r.kecamatan_code],
                address=office_address(r.kelurahan, r.kecamatan),
                lurah_name="(nama lurah belum diisi)",
                lurah_nip="(NIP belum diisi)",
            )
            for r in rows
        ],
    )
    return added_kec, added_kel


async def _insert_missing(table, rows) -> int:
    existing = {r["code"] for r in await table.select(table.code)}
    missing = [row for row in rows if row.code not in existing]
    if missing:
        async with db.write_transaction(db.current_engine()):
            await table.insert(*missing).on_conflict(target=table.code, action="DO NOTHING")
            await stamps.bump(CACHE.name)
    return len(missing)


async def counts() -> tuple[int, int]:
    return await Kecamatan.count(), await Kelurahan.count()


async def find_kelurahan(code_or_name: str) -> dict | None:
    """By Kemendagri code or by name, case-insensitive (51 rows: matched here, not in SQL,
    so it behaves the same on both engines)."""
    return _match(await Kelurahan.select(), code_or_name)


async def find_kecamatan(code_or_name: str) -> dict | None:
    return _match(await Kecamatan.select(), code_or_name)


def _match(rows: list[dict], code_or_name: str) -> dict | None:
    text = " ".join(code_or_name.split()).casefold()
    for row in rows:
        if text in (row["code"], row["name"].casefold()):
            return row
    return None


async def get_kelurahan(kelurahan_id: int) -> dict | None:
    return (
        await Kelurahan.select(
            *Kelurahan.all_columns(),
            Kelurahan.kecamatan.name.as_alias("kecamatan_name"),
            Kelurahan.kecamatan.code.as_alias("kecamatan_code"),
        )
        .where(Kelurahan.id == kelurahan_id)
        .first()
    )


# Offices by id for every create (db.stamps: every edit below bumps its stamp, and a create calls
# stamps.refresh() first, so an edit in any worker is seen by the next create).
CACHE = stamps.StampedCache("offices")


async def cached_kelurahan(kelurahan_id: int) -> dict | None:
    """get_kelurahan() from memory; the dict is shared, never change it. Call stamps.refresh()
    before (once per request)."""
    return await CACHE.get(kelurahan_id, get_kelurahan)


async def get_kecamatan(kecamatan_id: int) -> dict | None:
    return await Kecamatan.select().where(Kecamatan.id == kecamatan_id).first()


async def list_offices(kecamatan_id: int | None = None) -> list[dict]:
    """Every kelurahan office with its kecamatan, ordered as the city lists them."""
    query = Kelurahan.select(
        *Kelurahan.all_columns(),
        Kelurahan.kecamatan.name.as_alias("kecamatan_name"),
        Kelurahan.kecamatan.code.as_alias("kecamatan_code"),
    ).order_by(Kelurahan.code)
    if kecamatan_id is not None:
        query = query.where(Kelurahan.kecamatan == kecamatan_id)
    return await query


async def set_lurah(kelurahan_id: int, name: str, nip: str) -> None:
    async with db.write_transaction(db.current_engine()):
        await Kelurahan.update({Kelurahan.lurah_name: name, Kelurahan.lurah_nip: nip}).where(
            Kelurahan.id == kelurahan_id
        )
        await stamps.bump(CACHE.name)


# ---------------------------------------------------------------------------------------------
# The admin's editing of offices

NUMBER_PLACEHOLDERS = ("kode", "nomor", "kode_kelurahan", "bulan_romawi", "bulan", "tahun")
PAPER_SIZES = ("A4", "F4")
_NUMBER_SPEC = re.compile(r"0?[1-9]")  # {nomor:03}: zero-padded to a width of 1–9
_PHONE = re.compile(r"\+?[\d\s()\-]{6,24}")


class OfficeInvalid(ValueError):
    """`errors` maps each input to its Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def number_format_problem(template: str) -> str | None:
    """Why a letter number format is refused, or None. It must contain {nomor} and may use only
    {kode} {nomor} {kode_kelurahan} {bulan_romawi} {bulan} {tahun}; {nomor} may be zero-padded
    ({nomor:03}). The real formatter lives with the letters; this only guards what is saved."""
    if not template.strip():
        return "Format nomor surat wajib diisi."
    if len(template) > 200:
        return "Format nomor surat paling banyak 200 karakter."
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return "Format nomor surat tidak sah: periksa tanda kurung kurawal { }."
    names = [name for _, name, _, _ in parts if name is not None]
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in NUMBER_PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            allowed = " ".join("{" + p + "}" for p in NUMBER_PLACEHOLDERS)
            return f"Bagian {shown} tidak dikenal. Yang boleh dipakai: {allowed}."
        if conversion or (spec and not (name == "nomor" and _NUMBER_SPEC.fullmatch(spec))):
            return "Format tambahan hanya boleh pada nomor urut, berupa lebar angka: {nomor:03}."
    if "nomor" not in names:
        return "Format nomor surat harus memuat {nomor} (nomor urut surat)."
    return None


def _text(form: Mapping[str, str], key: str) -> str:
    return " ".join(str(form.get(key, "") or "").split())


def _required(values: dict, errors: dict, key: str, label: str, limit: int) -> None:
    if not values[key]:
        errors[key] = f"{label} wajib diisi."
    elif len(values[key]) > limit:
        errors[key] = f"{label} paling banyak {limit} karakter."


def clean_kelurahan_form(form: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    keys = (
        "address",
        "phone",
        "hours",
        "lurah_name",
        "lurah_title",
        "lurah_nip",
        "letter_number_format",
        "paper_size",
    )
    values = {k: _text(form, k) for k in keys}
    values["letter_number_format"] = str(form.get("letter_number_format", "") or "").strip()
    errors: dict[str, str] = {}
    _required(values, errors, "address", "Alamat kantor", 500)
    _required(values, errors, "hours", "Jam layanan", 200)
    _required(values, errors, "lurah_name", "Nama lurah", 120)
    _required(values, errors, "lurah_title", "Jabatan penanda tangan", 120)
    if values["phone"] and not _PHONE.fullmatch(values["phone"]):
        errors["phone"] = "Nomor telepon tidak sah (contoh: (0380) 821234 atau 081234567890)."
    values["lurah_nip"], problem = clean_nip(values["lurah_nip"])
    if problem:
        errors["lurah_nip"] = problem
    if problem := number_format_problem(values["letter_number_format"]):
        errors["letter_number_format"] = problem
    values["paper_size"] = values["paper_size"].upper()
    if values["paper_size"] not in PAPER_SIZES:
        errors["paper_size"] = "Ukuran kertas A4 atau F4."
    return values, errors


def clean_kecamatan_form(form: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    values = {k: _text(form, k) for k in ("address", "camat_name", "camat_nip")}
    errors: dict[str, str] = {}
    _required(values, errors, "address", "Alamat kantor", 500)
    _required(values, errors, "camat_name", "Nama camat", 120)
    values["camat_nip"], problem = clean_nip(values["camat_nip"])
    if problem:
        errors["camat_nip"] = problem
    return values, errors


async def update_kelurahan(kelurahan_id: int, form: Mapping[str, str]) -> dict:
    """Save the office's details; OfficeInvalid with every problem, LookupError if unknown."""
    if await get_kelurahan(kelurahan_id) is None:
        raise LookupError(kelurahan_id)
    values, errors = clean_kelurahan_form(form)
    if errors:
        raise OfficeInvalid(errors)
    async with db.write_transaction(db.current_engine()):
        await Kelurahan.update({getattr(Kelurahan, k): v for k, v in values.items()}).where(
            Kelurahan.id == kelurahan_id
        )
        await stamps.bump(CACHE.name)
    return await _saved(await get_kelurahan(kelurahan_id), kelurahan_id)


async def update_kecamatan(kecamatan_id: int, form: Mapping[str, str]) -> dict:
    if await get_kecamatan(kecamatan_id) is None:
        raise LookupError(kecamatan_id)
    values, errors = clean_kecamatan_form(form)
    if errors:
        raise OfficeInvalid(errors)
    async with db.write_transaction(db.current_engine()):
        await Kecamatan.update({getattr(Kecamatan, k): v for k, v in values.items()}).where(
            Kecamatan.id == kecamatan_id
        )
        await stamps.bump(CACHE.name)  # a kelurahan's row carries its kecamatan's name
    return await _saved(await get_kecamatan(kecamatan_id), kecamatan_id)


async def _saved(office: dict | None, office_id: int) -> dict:
    if office is None:  # removed between the update and the read
        raise LookupError(office_id)
    return office


async def list_kecamatan() -> list[dict]:
    return await Kecamatan.select().order_by(Kecamatan.code)
