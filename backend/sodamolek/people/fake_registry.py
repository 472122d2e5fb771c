"""A fake Disdukcapil web service for development and tests (`sodamolek fake-registry`).

It answers POST /api/nik in Dukcapil's shape (see people/registry.py for the fields) from the same
deterministic demo residents that `sodamolek seed --demo` puts in the local table, so the two
registries agree. It can be told to answer slowly or to fail, to try the counter's fallbacks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

from litestar import Litestar, Request, Response, get, post

from sodamolek.people.service import demo_residents
from sodamolek.regions.service import read_wilayah

NOT_FOUND = {"content": [{"RESPON": "Data Tidak Ditemukan"}]}


def demo_people(count: int = 300) -> list[dict]:
    """The demo residents `seed --demo` makes, with their kelurahan's code and names."""
    rows = read_wilayah()
    kelurahan = [
        {"id": i, "code": r.kelurahan_code, "name": r.kelurahan, "kecamatan_code": r.kecamatan_code}
        for i, r in enumerate(rows)
    ]
    people = demo_residents(kelurahan, count)
    for person in people:
        row = rows[person.pop("kelurahan")]
        person.update(
            kelurahan_code=row.kelurahan_code,
            kelurahan_name=row.kelurahan,
            kecamatan_name=row.kecamatan,
        )
    return people


def dukcapil_item(person: dict) -> dict[str, Any]:
    """One demo resident in Dukcapil's field names (region numbers and RT/RW as numbers, as the
    real service sends them)."""
    prop, kab, kec, kel = person["kelurahan_code"].split(".")
    birth: dt.date = person["birth_date"]
    return {
        "NIK": person["nik"],
        "NO_KK": person["kk"],
        "NAMA_LGKP": person["name"],
        "TMPT_LHR": person["birth_place"],
        "TGL_LHR": birth.strftime("%d-%m-%Y"),
        "JENIS_KLMIN": "LAKI-LAKI" if person["sex"] == "L" else "PEREMPUAN",
        "ALAMAT": person["address"],
        "NO_RT": int(person["rt"]),
        "NO_RW": int(person["rw"]),
        "KEL_NAME": person["kelurahan_name"].upper(),
        "KEC_NAME": person["kecamatan_name"].upper(),
        "NO_PROP": int(prop),
        "NO_KAB": int(kab),
        "NO_KEC": int(kec),
        "NO_KEL": int(kel),
        "AGAMA": person["religion"],
        "JENIS_PKRJN": person["occupation"],
        "STATUS_KAWIN": person["marital_status"],
        "KEWARGANEGARAAN": person.get("citizenship", "WNI"),
    }


def create_fake_registry(
    user: str,
    password: str,
    *,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    residents: int = 300,
    rng: random.Random | None = None,
) -> Litestar:
    if latency_ms < 0 or not 0.0 <= fail_rate <= 1.0:
        raise ValueError("latency_ms harus ≥ 0 dan fail_rate antara 0 dan 1")
    by_nik = {p["nik"]: dukcapil_item(p) for p in demo_people(residents)}
    chance = rng or random.Random()  # noqa: S311 - failure injection, not security

    @post("/api/nik", status_code=200)
    async def lookup_nik(request: Request) -> Response:
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        if fail_rate and chance.random() < fail_rate:
            return Response({"content": [{"RESPON": "Service Unavailable"}]}, status_code=503)
        try:
            body = await request.json()
        except Exception:  # any unreadable body is the caller's mistake
            body = None
        if not isinstance(body, dict):
            return Response({"content": [{"RESPON": "Format permintaan salah"}]}, status_code=400)
        if body.get("user_id") != user or body.get("password") != password:
            return Response(
                {"content": [{"RESPON": "User ID atau password salah"}]}, status_code=401
            )
        item = by_nik.get(str(body.get("NIK", "")))
        return Response({"content": [item]} if item else NOT_FOUND)

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[lookup_nik, health], openapi_config=None, debug=False)
