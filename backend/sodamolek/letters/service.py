"""Letter types (jenis surat): the catalogue every counter and the public standard read from.

The admin edits letter types as data; this module checks every rule before anything is written,
renders a type's blocks into the letter's body, and validates the type-specific part of a
request form. Messages are in Indonesian, keyed by the form field they belong to.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sodamolek import db
from sodamolek.db import stamps
from sodamolek.documents.layout import Block, Emblem, LetterDocument, Signer, place_date_line
from sodamolek.letters.blocks import (
    SAMPLE_CONTEXT,
    BlocksError,
    clean_blocks,
    render_blocks,
    sample_context,
)
from sodamolek.letters.tables import CityEmblem, LetterType
from sodamolek.letters.templates import (  # noqa: F401 - the template API, re-exported
    COMMON_FILTERS,
    LETTER_FILTERS,
    TEMPLATE_ROOTS,
    TEMPLATE_VARIABLES,
    LetterTemplateError,
    MissingTemplateValue,
    letter_date,
    render_text,
    template_problems,
)

CATALOGUE_FILE = "letter_types.json"

CODE_PATTERN = re.compile(r"[a-z0-9-]{2,32}")
# Path segments under /admin/jenis-surat/ that are pages, not letter types.
RESERVED_CODES = frozenset({"baru", "baris", "pratinjau", "pratinjau.pdf"})
CLASSIFICATION_PATTERN = re.compile(r"\d{1,4}(?:\.\d{1,4})*")
FIELD_NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
FIELD_TYPES = {
    "text": "Teks singkat",
    "textarea": "Teks panjang",
    "number": "Angka",
    "date": "Tanggal",
    "select": "Pilihan",
}
MAX_NAME = 150
MAX_DESCRIPTION = 2000
MAX_REQUIREMENTS = 30
MAX_REQUIREMENT = 200
MAX_FIELDS = 30
MAX_FIELD_NAME = 40
MAX_LABEL = 100
MAX_OPTIONS = 50
MAX_OPTION = 100
MAX_COST = 100_000_000  # rupiah; fits the Integer column with room to spare
# Lengths of a request's type-specific answers.
MAX_TEXT = 500
MAX_TEXTAREA = 2000
MAX_NUMBER_DIGITS = 15

REQUIRED = "Wajib diisi."


class LetterTypeError(ValueError):
    """A letter type that cannot be saved; `errors` maps form field -> Indonesian message.

    Keys: code, name, classification_code, description, requirements, service_days, cost,
    validity_days, blocks, fields, and fields.<row>.<name|label|type|options> for a field row.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Jenis surat belum benar: " + " ".join(errors.values()))
        self.errors = errors


class LetterTypeNotFound(LookupError):
    pass


FIELD_KEYS = ("name", "label", "type", "required", "options")


@dataclass
class FieldInput:
    """One type-specific question on the request form."""

    name: str = ""
    label: str = ""
    type: str = "text"
    required: bool = False
    options: list[str] = field(default_factory=list)

    def is_blank(self) -> bool:
        # An empty row of the admin's form table: ignored, not an error.
        return not (self.name.strip() or self.label.strip() or any(o.strip() for o in self.options))


@dataclass
class LetterTypeInput:
    """What the admin typed. Numbers may still be text (from a form); the service parses them."""

    code: str
    name: str
    classification_code: str
    requirements: list[str]
    fields: list[FieldInput]  # or dicts in the stored shape {name, label, type, required, options}
    blocks: list[dict]  # the body, in the stored shape (letters.blocks)
    description: str = ""
    service_days: int | str = 1
    cost: int | str = 0
    validity_days: int | str | None = None
    needs_camat: bool = False

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> LetterTypeInput:
        """From a catalogue entry or a stored row (JSON shape)."""
        return cls(
            code=item["code"],
            name=item["name"],
            classification_code=item["classification_code"],
            requirements=list(item.get("requirements") or []),
            fields=[
                FieldInput(
                    name=f.get("name", ""),
                    label=f.get("label", ""),
                    type=f.get("type", "text"),
                    required=bool(f.get("required")),
                    options=list(f.get("options") or []),
                )
                for f in item.get("fields") or []
            ],
            blocks=list(item.get("blocks") or []),
            description=item.get("description", ""),
            service_days=item.get("service_days", 1),
            cost=item.get("cost", 0),
            validity_days=item.get("validity_days"),
            needs_camat=bool(item.get("needs_camat")),
        )


# --- Reading -----------------------------------------------------------------------------------


def default_catalogue() -> list[dict]:
    text = resources.files("sodamolek.seed_data").joinpath(CATALOGUE_FILE).read_text("utf-8")
    return json.loads(text)


async def seed_letter_types() -> int:
    """Add the default letter types that are missing; an admin's edits are kept."""
    existing = {r["code"] for r in await LetterType.select(LetterType.code)}
    missing = [LetterType(**item) for item in default_catalogue() if item["code"] not in existing]
    if missing:
        async with db.write_transaction(db.current_engine()):
            await LetterType.insert(*missing).on_conflict(
                target=LetterType.code, action="DO NOTHING"
            )
            await stamps.bump(CACHE.name)
    return len(missing)


async def list_letter_types(active_only: bool = True) -> list[dict]:
    query = LetterType.select().order_by(LetterType.name)
    if active_only:
        query = query.where(LetterType.is_active == True)  # noqa: E712
    rows = await query
    for row in rows:
        _decode_json(row)
    return rows


async def get_letter_type(code: str) -> dict | None:
    """The letter type with this code, active or not (check `is_active`), or None."""
    row = await LetterType.select().where(LetterType.code == code).first()
    return _decode_json(row) if row else None


# Letter types by code for every create (db.stamps: every edit below bumps its stamp, and a
# create calls stamps.refresh() first, so an edit in any worker is seen by the next create).
CACHE = stamps.StampedCache("letter_types")


async def cached_letter_type(code: str) -> dict | None:
    """get_letter_type() from memory; the dict is shared, never change it. Call
    stamps.refresh() before (once per request)."""
    return await CACHE.get(code, get_letter_type)


def _decode_json(row: dict) -> dict:
    # Piccolo returns JSON columns as text on both engines.
    for key in ("requirements", "fields", "blocks"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


async def current_emblem() -> Emblem | None:
    """The city's emblem as last uploaded, or None (letters then carry the neutral default)."""
    row = await (
        CityEmblem.select(CityEmblem.data, CityEmblem.media_type)
        .order_by(CityEmblem.id, ascending=False)
        .first()
    )
    return Emblem(bytes(row["data"]), row["media_type"]) if row else None


# --- Writing -----------------------------------------------------------------------------------


async def create_letter_type(data: LetterTypeInput) -> int:
    """Check and store a new letter type (active). Returns its id; raises LetterTypeError."""
    values = clean_letter_type(data)
    # The unique index decides, so two admins creating the same code at once cannot both win.
    try:
        async with db.write_transaction(db.current_engine()):
            rows = await LetterType.insert(LetterType(**values, is_active=True))
            await stamps.bump(CACHE.name)  # a create may have found no type by this code
    except _unique_violations() as exc:
        raise LetterTypeError({"code": _code_taken(values["code"])}) from exc
    return rows[0]["id"]


async def update_letter_type(code: str, data: LetterTypeInput) -> None:
    """Replace everything but the code (immutable) and the active flag."""
    errors: dict[str, str] = {}
    if data.code and data.code != code:
        errors["code"] = "Kode tidak dapat diubah setelah jenis surat dibuat."
    try:
        values = clean_letter_type(LetterTypeInput(**{**data.__dict__, "code": code}))
    except LetterTypeError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise LetterTypeError(errors)
    values.pop("code")
    async with db.write_transaction(db.current_engine()):
        if not await LetterType.exists().where(LetterType.code == code):
            raise LetterTypeNotFound(code)
        await LetterType.update({getattr(LetterType, k): v for k, v in values.items()}).where(
            LetterType.code == code
        )
        await stamps.bump(CACHE.name)


async def set_letter_type_active(code: str, active: bool) -> None:
    """Offer (active) or withdraw (inactive) a type at the counters. Requests already taken keep
    their type; the type just no longer appears for new requests."""
    async with db.write_transaction(db.current_engine()):
        if not await LetterType.exists().where(LetterType.code == code):
            raise LetterTypeNotFound(code)
        await LetterType.update({LetterType.is_active: bool(active)}).where(LetterType.code == code)
        await stamps.bump(CACHE.name)


def _code_taken(code: str) -> str:
    return f"Kode “{code}” sudah dipakai jenis surat lain."


def _unique_violations() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


# --- Validation of a letter type ---------------------------------------------------------------


def clean_letter_type(data: LetterTypeInput) -> dict:
    """Every rule of a letter type, without the database (uniqueness is checked on insert).

    Returns the column values ready to store; raises LetterTypeError with every problem found,
    not just the first, so the form can show them all at once.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    code = (data.code or "").strip()
    if not code:
        errors["code"] = REQUIRED
    elif not CODE_PATTERN.fullmatch(code):
        errors["code"] = (
            "Kode 2–32 karakter: huruf kecil, angka atau tanda hubung (contoh: domisili, sktm)."
        )
    elif code in RESERVED_CODES:
        errors["code"] = f"Kode “{code}” dipakai oleh sistem; pilih kode lain."
    values["code"] = code

    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = REQUIRED
    elif len(name) > MAX_NAME:
        errors["name"] = f"Paling banyak {MAX_NAME} karakter."
    values["name"] = name

    classification = (data.classification_code or "").strip()
    if not classification:
        errors["classification_code"] = REQUIRED
    elif len(classification) > 16 or not CLASSIFICATION_PATTERN.fullmatch(classification):
        errors["classification_code"] = (
            "Kode klasifikasi berupa angka, boleh dengan titik (contoh: 470 atau 474.2)."
        )
    values["classification_code"] = classification

    description = (data.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"Paling banyak {MAX_DESCRIPTION} karakter."
    values["description"] = description

    requirements = [" ".join(r.split()) for r in data.requirements or [] if r and r.strip()]
    if not requirements:
        errors["requirements"] = "Tulis paling sedikit satu persyaratan (satu per baris)."
    elif len(requirements) > MAX_REQUIREMENTS:
        errors["requirements"] = f"Paling banyak {MAX_REQUIREMENTS} persyaratan."
    elif too_long := [r for r in requirements if len(r) > MAX_REQUIREMENT]:
        errors["requirements"] = (
            f"Setiap persyaratan paling banyak {MAX_REQUIREMENT} karakter "
            f"(“{too_long[0][:40]}…” terlalu panjang)."
        )
    values["requirements"] = requirements

    values["service_days"] = _whole_number(
        data.service_days,
        "service_days",
        1,
        60,
        errors,
        "Waktu layanan berupa bilangan bulat 1–60 hari kerja.",
    )
    values["cost"] = _whole_number(
        data.cost,
        "cost",
        0,
        MAX_COST,
        errors,
        "Biaya berupa bilangan bulat rupiah, 0 (gratis) atau lebih.",
    )
    if data.validity_days is None or str(data.validity_days).strip() == "":
        values["validity_days"] = None
    else:
        values["validity_days"] = _whole_number(
            data.validity_days,
            "validity_days",
            1,
            3650,
            errors,
            "Masa berlaku dikosongkan (tanpa batas) atau bilangan bulat 1–3650 hari.",
        )
    values["needs_camat"] = bool(data.needs_camat)

    values["fields"] = _clean_fields(data.fields or [], errors)

    try:
        values["blocks"] = clean_blocks(data.blocks, values["fields"])
    except BlocksError as exc:
        errors["blocks"] = "\n".join(exc.problems)
        values["blocks"] = data.blocks

    if errors:
        raise LetterTypeError(errors)
    return values


def _whole_number(
    value: int | str | None, key: str, low: int, high: int, errors: dict, message: str
) -> int | None:
    number = _parse_whole(value)
    if number is None or not low <= number <= high:
        errors[key] = message
        return None
    return number


THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def _parse_whole(value: int | str | None) -> int | None:
    """A non-negative whole number from an int or from text like "25" or "1.500.000"
    (Indonesian thousands separators). Anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip().replace(" ", "")
    if THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if not text.isascii() or not text.isdigit() or len(text) > MAX_NUMBER_DIGITS:
        return None
    return int(text)


def _clean_fields(rows: Sequence[FieldInput | Mapping], errors: dict[str, str]) -> list[dict]:
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if isinstance(row, Mapping):  # the stored JSON shape is accepted as well
            row = FieldInput(**{k: row[k] for k in FIELD_KEYS if k in row})
        if row.is_blank():
            continue
        key = f"fields.{index}."
        name = (row.name or "").strip()
        label = " ".join((row.label or "").split())
        kind = (row.type or "").strip()
        options = [" ".join(o.split()) for o in row.options or [] if o and o.strip()]
        if not name:
            errors[key + "name"] = REQUIRED
        elif len(name) > MAX_FIELD_NAME or not FIELD_NAME_PATTERN.fullmatch(name):
            errors[key + "name"] = (
                f"Nama isian: huruf kecil, angka atau garis bawah, diawali huruf atau garis "
                f"bawah, paling banyak {MAX_FIELD_NAME} karakter (contoh: alamat_usaha)."
            )
        elif name in seen:
            errors[key + "name"] = f"Nama isian “{name}” sudah dipakai di baris lain."
        seen.add(name)
        if not label:
            errors[key + "label"] = REQUIRED
        elif len(label) > MAX_LABEL:
            errors[key + "label"] = f"Paling banyak {MAX_LABEL} karakter."
        if kind not in FIELD_TYPES:
            errors[key + "type"] = "Pilih jenis isian: " + ", ".join(FIELD_TYPES.values()) + "."
        item: dict[str, Any] = {
            "name": name,
            "label": label,
            "type": kind,
            "required": bool(row.required),
        }
        if kind == "select":
            if not options:
                errors[key + "options"] = "Isian pilihan perlu paling sedikit satu pilihan."
            elif len(options) > MAX_OPTIONS:
                errors[key + "options"] = f"Paling banyak {MAX_OPTIONS} pilihan."
            elif any(len(o) > MAX_OPTION for o in options):
                errors[key + "options"] = f"Setiap pilihan paling banyak {MAX_OPTION} karakter."
            elif len(set(options)) != len(options):
                errors[key + "options"] = "Ada pilihan yang ditulis dua kali."
            item["options"] = options
        cleaned.append(item)
    if len(cleaned) > MAX_FIELDS:
        errors["fields"] = f"Paling banyak {MAX_FIELDS} isian."
    return cleaned


# --- The body ----------------------------------------------------------------------------------


def render_letter_body(letter_type: Mapping, context: Mapping) -> tuple[Block, ...]:
    """The letter's body blocks for a request's context (MissingTemplateValue names every
    missing value; LetterTemplateError says, in Indonesian, what else went wrong)."""
    return render_blocks(letter_type["blocks"], context)


def preview_from_input(data: LetterTypeInput) -> tuple[tuple[Block, ...] | None, list[str]]:
    """The admin's live preview of what is typed, saved or not: (blocks, []) rendered with
    sample data, or (None, the problems of the fields and blocks, block and line named)."""
    errors: dict[str, str] = {}
    fields = _clean_fields(data.fields or [], errors)
    if errors:
        return None, ["Perbaiki dulu isian formulir permohonan (nama, label, jenis, pilihan)."]
    try:
        blocks = clean_blocks(data.blocks, fields)
    except BlocksError as exc:
        return None, exc.problems
    try:
        return render_blocks(blocks, sample_context(fields)), []
    except LetterTemplateError as exc:  # pragma: no cover - clean_blocks renders the same way
        return None, [str(exc)]


async def preview_document(title: str, blocks: tuple[Block, ...]) -> LetterDocument:
    """A letter of the sample office with these blocks: no number, no QR, the city's emblem."""
    sample = SAMPLE_CONTEXT
    return LetterDocument(
        kecamatan=sample["kecamatan"]["nama"],
        kelurahan=sample["kelurahan"]["nama"],
        office_address=sample["kelurahan"]["alamat"],
        title=title.upper(),
        number=None,
        blocks=blocks,
        place_date=place_date_line(dt.date.today()),
        signer=Signer(
            title=f"{sample['penandatangan']['jabatan']} {sample['kelurahan']['nama']}",
            name=sample["penandatangan"]["nama"],
            nip=sample["penandatangan"]["nip"],
        ),
        emblem=await current_emblem(),
    )


def preview_letter_body(letter_type: Mapping) -> tuple[tuple[Block, ...] | None, str | None]:
    """The body with sample values of every field type, for the admin's page:
    (blocks, None) or (None, why it cannot be shown). Text is plain: escape it in HTML."""
    try:
        return render_blocks(letter_type["blocks"], sample_context(letter_type["fields"])), None
    except LetterTemplateError as exc:
        return None, str(exc)


# --- A request's type-specific answers ---------------------------------------------------------


def validate_request_data(letter_type: dict, form: Mapping[str, str]) -> tuple[dict, dict]:
    """Check a request's answers to its type's fields.

    `form` is keyed by field name (other keys are ignored). Returns (clean, errors): clean has
    every field of the type — text stripped, numbers as int, dates as ISO text "YYYY-MM-DD",
    an optional field left empty as None; errors maps field name -> Indonesian message that
    names the field by its label. The data is usable only when errors is empty.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in letter_type.get("fields") or []:
        name, label, kind = f["name"], f["label"], f["type"]
        raw = form.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        if kind == "textarea":
            text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
        else:
            text = " ".join(text.split())
        if not text:
            clean[name] = None
            if f.get("required"):
                errors[name] = f"{label} wajib diisi."
            continue
        value, problem = _check_answer(kind, text, list(f.get("options") or []))
        clean[name] = value
        if problem:
            errors[name] = f"{label}: {problem}"
    return clean, errors


def _check_answer(kind: str, text: str, options: list[str]) -> tuple[Any, str | None]:
    if kind == "number":
        number = _parse_whole(text)
        if number is None:
            return None, "isi dengan bilangan bulat 0 atau lebih, tanpa koma (contoh: 3)."
        return number, None
    if kind == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None, "tanggal tidak valid; gunakan format TTTT-BB-HH (contoh: 2026-11-29)."
        if not 1900 <= day.year <= 2100:
            return None, "tahun harus antara 1900 dan 2100."
        return day.isoformat(), None
    if kind == "select":
        if text not in options:
            return None, "pilih salah satu pilihan yang tersedia."
        return text, None
    limit = MAX_TEXTAREA if kind == "textarea" else MAX_TEXT
    if len(text) > limit:
        return None, f"paling banyak {limit} karakter (sekarang {len(text)})."
    return text, None
