"""Kecamatan and kelurahan: the city's offices."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

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
        await table.insert(*missing).on_conflict(target=table.code, action="DO NOTHING")
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
        )
        .where(Kelurahan.id == kelurahan_id)
        .first()
    )


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
    await Kelurahan.update({Kelurahan.lurah_name: name, Kelurahan.lurah_nip: nip}).where(
        Kelurahan.id == kelurahan_id
    )


async def list_kecamatan() -> list[dict]:
    return await Kecamatan.select().order_by(Kecamatan.code)
