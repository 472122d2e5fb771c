"""A letter type's body as structured blocks, stored as data in the letter type:

    {"kind": "heading",   "text": T}
    {"kind": "paragraph", "text": T}
    {"kind": "table",     "heading": T, "rows": [{"label": T, "value": T}, ...]}
    {"kind": "list",      "heading": T, "items": [T, ...]}
    {"kind": "closing",   "text": T}
    {"kind": "signature"}

Every T is a template text (letters.templates). A table row or list item whose text renders
empty is left out, so an optional field is written `{{ data.nik_almarhum or "" }}`. Exactly one
signature block, the last one: where the signature blocks go (the signer's capacity, a.n. or
Plt., comes from who signs, not from the template).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sodamolek.documents.layout import Block
from sodamolek.letters.templates import (
    LetterTemplateError,
    MissingTemplateValue,
    letter_date,
    prepare_context,
    render_text,
    template_problems,
)

KIND_WORDS = {
    "heading": "Judul bagian",
    "paragraph": "Paragraf",
    "table": "Tabel",
    "list": "Daftar",
    "closing": "Penutup",
    "signature": "Tanda tangan",
}
MAX_BLOCKS = 40
MAX_ROWS = 40
MAX_TOTAL = 40_000  # characters of all texts of a type together


class BlocksError(ValueError):
    """Blocks that cannot be saved: the messages, in Indonesian, each naming block and line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def block_name(index: int, block: Mapping) -> str:
    kind = KIND_WORDS.get(str(block.get("kind")), "Blok")
    heading = str(block.get("heading") or "").strip()
    return f"Blok {index + 1} ({kind}{f' “{heading[:40]}”' if heading else ''})"


def _texts(block: Mapping) -> list[tuple[str, str]]:
    """(where, template text) of every text in a block; `where` names its line in the form."""
    kind = block.get("kind")
    if kind == "table":
        out = [("judul", str(block.get("heading") or ""))]
        for n, row in enumerate(block.get("rows") or [], 1):
            out.append((f"baris {n}, label", str(row.get("label", ""))))
            out.append((f"baris {n}, isi", str(row.get("value", ""))))
        return out
    if kind == "list":
        out = [("judul", str(block.get("heading") or ""))]
        out += [(f"baris {n}", str(item)) for n, item in enumerate(block.get("items") or [], 1)]
        return out
    return [("", str(block.get("text") or ""))]


def clean_blocks(raw: Any, fields: Sequence[Mapping]) -> list[dict]:
    """The blocks as stored, or BlocksError with every problem found.

    Checked: the shape, every text against the template whitelist and the type's fields, and a
    rendering against sample data of every field type — once with every field filled, once with
    the optional ones left empty — so a type that saves also renders when it is signed."""
    problems: list[str] = []
    if not isinstance(raw, list) or not raw:
        raise BlocksError(["Isi surat perlu paling sedikit satu blok dan blok tanda tangan."])
    if len(raw) > MAX_BLOCKS:
        raise BlocksError([f"Paling banyak {MAX_BLOCKS} blok."])
    field_names = [f["name"] for f in fields]
    cleaned: list[dict] = []
    total = 0
    for index, block in enumerate(raw):
        if not isinstance(block, Mapping) or block.get("kind") not in KIND_WORDS:
            problems.append(f"Blok {index + 1}: jenis blok tidak dikenal.")
            continue
        name = block_name(index, block)
        item = _normalised(block)
        if item["kind"] in ("table", "list"):
            count = len(item.get("rows") or item.get("items") or [])
            if not count:
                problems.append(f"{name}: isi paling sedikit satu baris.")
            elif count > MAX_ROWS:
                problems.append(f"{name}: paling banyak {MAX_ROWS} baris.")
        elif item["kind"] != "signature" and not item["text"].strip():
            problems.append(f"{name}: teks wajib diisi.")
        for where, text in _texts(item):
            total += len(text)
            for problem in template_problems(text, field_names):
                problems.append(f"{name}{', ' + where if where else ''}: {_lower(problem)}")
        cleaned.append(item)
    signatures = [i for i, b in enumerate(cleaned) if b["kind"] == "signature"]
    if len(signatures) != 1 or signatures[0] != len(cleaned) - 1:
        problems.append("Blok tanda tangan harus ada tepat satu, sebagai blok terakhir.")
    if total > MAX_TOTAL:
        problems.append(f"Isi surat paling banyak {MAX_TOTAL} karakter seluruhnya.")
    if not problems:
        problems += _sample_problems(cleaned, fields)
    if problems:
        raise BlocksError(list(dict.fromkeys(problems)))
    return cleaned


def _lower(problem: str) -> str:
    return problem[:1].lower() + problem[1:]


def _normalised(block: Mapping) -> dict:
    kind = block["kind"]
    if kind == "table":
        rows = [
            {"label": str(r.get("label", "")).strip(), "value": str(r.get("value", "")).strip()}
            for r in block.get("rows") or []
            if isinstance(r, Mapping) and (str(r.get("label", "")).strip() or r.get("value"))
        ]
        return {"kind": kind, "heading": str(block.get("heading") or "").strip(), "rows": rows}
    if kind == "list":
        items = [str(i).strip() for i in block.get("items") or [] if str(i).strip()]
        return {"kind": kind, "heading": str(block.get("heading") or "").strip(), "items": items}
    if kind == "signature":
        return {"kind": kind}
    return {"kind": kind, "text": str(block.get("text") or "").strip()}


# --- Sample data ---------------------------------------------------------------------------------

SAMPLE_CONTEXT: dict[str, dict[str, Any]] = {
    "pemohon": {
        "nama": "Maria Lado",
        "nik": "5371046506900001",
        "tempat_lahir": "Kupang",
        "tanggal_lahir": "25 Juni 1990",
        "jenis_kelamin": "Perempuan",
        "alamat": "Jl. Frans Seda No. 12 RT 003/RW 001",
        "agama": "Kristen",
        "pekerjaan": "Wiraswasta",
        "status_perkawinan": "Belum Kawin",
        "kewarganegaraan": "WNI",
    },
    "kelurahan": {"nama": "Oebobo", "kode": "53.71.04.1001", "alamat": "Jl. W. J. Lalamentik"},
    "kecamatan": {"nama": "Oebobo", "kode": "53.71.04"},
    "penandatangan": {
        "nama": "Markus Ndun, S.Sos.",
        "jabatan": "Lurah",
        "nip": "197805122005011003",
    },
    "surat": {
        "nomor": "470/001/53.71.04.1001/XI/2026",
        "tanggal": "29 November 2026",
        "berlaku_sampai": "28 Mei 2027",
    },
}


def sample_value(field: Mapping) -> Any:
    """An example answer of the field's type, as the signing step passes it to templates."""
    kind = field.get("type")
    if kind == "number":
        return 850_000
    if kind == "date":
        return letter_date(dt.date(2026, 11, 29))
    if kind == "select":
        options = list(field.get("options") or [])
        return options[0] if options else "Pilihan"
    if kind == "textarea":
        return f"[{field.get('label', field.get('name'))}]\nbaris kedua"
    return f"[{field.get('label', field.get('name'))}]"


def sample_context(fields: Sequence[Mapping], *, optional_blank: bool = False) -> dict:
    data = {
        f["name"]: None if optional_blank and not f.get("required") else sample_value(f)
        for f in fields
    }
    return {**SAMPLE_CONTEXT, "data": data}


def _sample_problems(blocks: list[dict], fields: Sequence[Mapping]) -> list[str]:
    for blank in (False, True):
        try:
            render_blocks(blocks, sample_context(fields, optional_blank=blank))
        except MissingTemplateValue as missing:
            names = ", ".join(missing.missing)
            if blank:
                return [
                    f"Isian tidak wajib {names} bisa kosong, tetapi templat mencetaknya: tulis "
                    f'misalnya {{{{ {missing.missing[0]} or "-" }}}}.'
                ]
            return [f"Templat memakai {names} yang tidak tersedia."]
        except LetterTemplateError as exc:
            return [f"Dengan data contoh templat gagal: {exc}"]
    return []


# --- Rendering -----------------------------------------------------------------------------------


def render_blocks(blocks: Sequence[Mapping], context: Mapping) -> tuple[Block, ...]:
    """The letter's body: every template text rendered; MissingTemplateValue names every missing
    value of the whole letter at once, LetterTemplateError (Indonesian) for anything else."""
    out: list[Block] = []
    missing: list[str] = []
    prepared = prepare_context(context)

    def text(template: str) -> str:
        try:
            return render_text(template, prepared).strip()
        except MissingTemplateValue as exc:
            missing.extend(m for m in exc.missing if m not in missing)
            return ""

    for index, block in enumerate(blocks):
        kind = block["kind"]
        try:
            if kind == "table":
                pairs = [(text(r["label"]), text(r["value"])) for r in block.get("rows") or []]
                rows = tuple((label, value) for label, value in pairs if value)
                out.append(Block("table", heading=text(block.get("heading", "")), rows=rows))
            elif kind == "list":
                items = tuple(i for i in (text(t) for t in block.get("items") or []) if i)
                out.append(Block("list", heading=text(block.get("heading", "")), items=items))
            elif kind == "signature":
                out.append(Block("signature"))
            elif rendered := text(block.get("text", "")):
                out.append(Block(kind, text=rendered))
        except MissingTemplateValue:
            raise
        except LetterTemplateError as exc:
            raise LetterTemplateError(f"{block_name(index, block)}: {exc}") from exc
    if missing:
        raise MissingTemplateValue(missing)
    return tuple(out)


def body_text(blocks: Sequence[Block]) -> str:
    """The letter as plain text, for search and for pages that show the body."""
    lines: list[str] = []
    for block in blocks:
        if block.heading:
            lines.append(block.heading)
        if block.text:
            lines.append(block.text)
        lines += [f"{label}: {value}" for label, value in block.rows]
        lines += [f"{n}. {item}" for n, item in enumerate(block.items, 1)]
    return "\n".join(lines)
