"""Letter types (jenis surat): the catalogue every counter and the public standard read from."""

from __future__ import annotations

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
