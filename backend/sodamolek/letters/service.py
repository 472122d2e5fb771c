"""Letter types (jenis surat): the catalogue every counter and the public standard read from."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from sodamolek.letters.tables import LetterType

CATALOGUE_FILE = "letter_types.json"


def default_catalogue() -> list[dict]:
    text = resources.files("sodamolek.seed_data").joinpath(CATALOGUE_FILE).read_text("utf-8")
    return json.loads(text)


async def seed_letter_types() -> int:
    """Add the default letter types that are missing; an admin's edits are kept."""
    existing = {r["code"] for r in await LetterType.select(LetterType.code)}
    missing = [LetterType(**item) for item in default_catalogue() if item["code"] not in existing]
    if missing:
        await LetterType.insert(*missing).on_conflict(target=LetterType.code, action="DO NOTHING")
    return len(missing)


async def list_letter_types(active_only: bool = True) -> list[dict]:
    query = LetterType.select().order_by(LetterType.name)
    if active_only:
        query = query.where(LetterType.is_active == True)  # noqa: E712
    rows = await query
    for row in rows:
        _decode_json(row)
    return rows


def _decode_json(row: dict) -> dict:
    # Piccolo returns JSON columns as text on both engines.
    for key in ("requirements", "fields"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


async def count_letter_types() -> int:
    return await LetterType.count()


async def get_letter_type(code: str) -> dict | None:
    row = await LetterType.select().where(LetterType.code == code).first()
    return _decode_json(row) if row else None


def validate_request_data(letter_type: dict, form) -> tuple[dict, dict]:
    """The type's own fields of a request: (clean data, errors by field name)."""
    data: dict = {}
    errors: dict = {}
    for spec in letter_type["fields"]:
        name = spec["name"]
        value = " ".join(str(form.get(name, "") or "").split()) if spec["type"] != "textarea" \
            else str(form.get(name, "") or "").strip()  # fmt: skip
        if not value:
            if spec.get("required"):
                errors[name] = f"{spec['label']} wajib diisi."
            continue
        if spec["type"] == "number" and not value.isdigit():
            errors[name] = f"{spec['label']} harus berupa angka."
        elif spec["type"] == "date":
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[name] = f"{spec['label']}: tanggal tidak sah (TTTT-BB-HH)."
        elif spec["type"] == "select" and value not in spec.get("options", []):
            errors[name] = f"{spec['label']}: pilih salah satu pilihan yang tersedia."
        elif len(value) > (2000 if spec["type"] == "textarea" else 500):
            errors[name] = f"{spec['label']} terlalu panjang."
        data[name] = value
    return data, errors
