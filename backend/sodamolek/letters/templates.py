"""The little template language of letter texts: Jinja, cut down to what a letter needs, so that
no template an admin saves can take the server down or read what it should not.

A text may print values (`{{ pemohon.nama }}`), pass them through the letter filters
(`{{ data.penghasilan | rupiah }}`) and choose between wordings (`{% if %}`, `a if b else c`,
`and`, `or`, `not`, comparisons, `~`). Nothing else: no loops, no arithmetic, no calls, no
assignments, no macros or includes. The check walks the parsed tree against that whitelist before
anything is compiled, because Jinja's compiler folds constant expressions while compiling: a saved
`{{ 10**5000 }}` used to be computed (and fail) right there. Rendering is then bounded three
ways: every literal number is small, the output of one text has a size limit, and the rendering
has a CPU budget, checked between the pieces Jinja yields. Values come from the context only and
are inserted as text, never evaluated as template code.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from sodamolek.core import formatting

TEMPLATE_ROOTS = ("pemohon", "data", "kelurahan", "kecamatan", "penandatangan", "surat")
# What the signing step puts under each root (`data.<field>` are the type's own fields).
TEMPLATE_VARIABLES = {
    "pemohon": (
        "nama",
        "nik",
        "tempat_lahir",
        "tanggal_lahir",
        "jenis_kelamin",
        "alamat",
        "agama",
        "pekerjaan",
        "status_perkawinan",
        "kewarganegaraan",
    ),
    "kelurahan": ("nama", "kode", "alamat"),
    "kecamatan": ("nama", "kode"),
    "penandatangan": ("nama", "jabatan", "nip"),
    "surat": ("nomor", "tanggal", "berlaku_sampai"),
}
LETTER_FILTERS = (
    "tanggal",
    "rupiah",
    "angka",
    "tengah_kalimat",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
)
COMMON_FILTERS = LETTER_FILTERS[:7]

MAX_TEXT = 4000  # characters of one template text
MAX_OUTPUT = 20_000  # characters one text may render to
MAX_LITERAL = 10**12  # the largest number a template may write
MAX_LITERAL_TEXT = 500
RENDER_BUDGET_S = 0.25  # CPU seconds for one text; a letter renders in well under 1 ms a text


class LetterTemplateError(ValueError):
    """A template that cannot be rendered; the message is Indonesian, for the person who acts."""


class MissingTemplateValue(LetterTemplateError):
    """The template needs values the context does not have; `missing` lists their paths,
    e.g. ["pemohon.alamat", "data.keperluan"]."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("Data untuk isi surat belum lengkap: " + ", ".join(missing) + ".")


class TemplateLimitExceeded(LetterTemplateError):
    pass


class LetterDate(dt.date):
    """A date in a letter's context: prints as "29 November 2026", still a date for filters."""

    def __str__(self) -> str:
        return formatting.format_date(self)


def letter_date(value: dt.date) -> LetterDate:
    return LetterDate(value.year, value.month, value.day)


# --- Filters -------------------------------------------------------------------------------------


def _filled(value: Any) -> Any:
    if isinstance(value, _Blank):
        raise MissingTemplateValue([value.path])
    return value


def _date_filter(value: Any) -> str:
    """`{{ data.tanggal_nikah | tanggal }}` -> "29 November 2026" (a date or ISO text)."""
    value = _filled(value)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise LetterTemplateError("Filter tanggal hanya untuk isian jenis Tanggal.") from None
    if not isinstance(value, dt.date):
        raise LetterTemplateError("Filter tanggal hanya untuk isian jenis Tanggal.")
    return formatting.format_date(value)


def _as_number(value: Any, name: str) -> int | float:
    value = _filled(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LetterTemplateError(f"Filter {name} hanya untuk isian jenis Angka.")
    return value


def _rupiah_filter(value: Any) -> str:
    """`{{ data.penghasilan | rupiah }}` -> "Rp850.000"; 0 is "Rp0"."""
    return formatting.format_rupiah(int(_as_number(value, "rupiah")))


def _number_filter(value: Any) -> str:
    """`{{ data.luas | angka }}` -> "1.250,5"."""
    return formatting.format_amount(_as_number(value, "angka"))


ACRONYM = re.compile(r"[A-Z0-9]{2,}\b")


def mid_sentence(value: Any) -> str:
    """Typed text placed mid-sentence: "Persyaratan melamar kerja" -> "persyaratan melamar
    kerja". An acronym or code at the start ("SKCK", "KTP-el", "BPJS") keeps its capitals."""
    text = str(_filled(value))
    if not text or ACRONYM.match(text) or not text[0].isupper():
        return text
    return text[0].lower() + text[1:]


def _budgeted_concat(pieces: Iterable[str]) -> str:
    """Jinja's "".join, with the output size and CPU budget checked between pieces."""
    out: list[str] = []
    size = 0
    deadline = time.process_time() + RENDER_BUDGET_S
    for piece in pieces:
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateLimitExceeded(
                f"Isi surat terlalu panjang: satu bagian paling banyak {MAX_OUTPUT} karakter."
            )
        if time.process_time() > deadline:
            raise TemplateLimitExceeded("Templat terlalu lama dijalankan; sederhanakan templat.")
        out.append(piece)
    return "".join(out)


class _LetterEnvironment(SandboxedEnvironment):
    """No globals, StrictUndefined, no autoescape (the text goes into a PDF; HTML pages escape
    it when they show it), only the letter filters, the budgeted concat."""

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        self.globals.clear()
        builtin = self.filters
        self.filters = {
            name: builtin[name] for name in ("upper", "lower", "title", "capitalize", "trim")
        }
        self.filters |= {
            "tanggal": _date_filter,
            "rupiah": _rupiah_filter,
            "angka": _number_filter,
            "tengah_kalimat": mid_sentence,
        }
        self.tests = {name: self.tests[name] for name in ("defined", "none", "number", "string")}
        self.concat = _budgeted_concat  # type: ignore[method-assign]


ENVIRONMENT = _LetterEnvironment()

# --- The whitelist check -------------------------------------------------------------------------

_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.Filter,
    nodes.Test,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
)
_NODE_WORDS = {
    nodes.For: "perulangan {% for %}",
    nodes.Macro: "makro",
    nodes.Call: "pemanggilan fungsi",
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.Pow: "pangkat (**)",
    nodes.Mul: "perkalian (*)",
    nodes.Add: "penjumlahan (+); untuk menyambung teks pakai ~",
    nodes.Sub: "pengurangan (-)",
    nodes.Div: "pembagian (/)",
    nodes.FloorDiv: "pembagian (//)",
    nodes.Mod: "sisa bagi (%)",
    nodes.Neg: "tanda minus",
    nodes.Slice: "potongan [a:b]",
    nodes.Include: "{% include %}",
    nodes.Extends: "{% extends %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.With: "{% with %}",
}


def template_problems(text: str, field_names: Iterable[str]) -> list[str]:
    """What is wrong with one template text for a type with these fields, in Indonesian, each
    naming the line (empty list: it is fine). Nothing is compiled or evaluated here."""
    if len(text) > MAX_TEXT:
        return [f"Templat paling banyak {MAX_TEXT} karakter."]
    try:
        tree = ENVIRONMENT.parse(text)
    except TemplateSyntaxError as exc:
        return [f"Baris {exc.lineno}: susunan templat salah ({_syntax_reason(exc)})."]
    except Exception:  # noqa: BLE001 - e.g. a 5000-digit literal the lexer cannot read
        return ["Templat tidak dapat dibaca; periksa tanda {{ }} dan {% %}."]
    problems: list[str] = []
    fields = set(field_names)
    for node in _walk(tree):
        line = f"Baris {getattr(node, 'lineno', 1) or 1}: "
        if not isinstance(node, _ALLOWED_NODES):
            what = next((w for k, w in _NODE_WORDS.items() if isinstance(node, k)), None)
            problems.append(
                line + f"{what or type(node).__name__} tidak dapat dipakai di templat surat."
            )
            continue
        if isinstance(node, nodes.Const):
            problem = _constant_problem(node.value)
            if problem:
                problems.append(line + problem)
        elif isinstance(node, nodes.Filter):
            if node.name not in LETTER_FILTERS:
                problems.append(
                    line
                    + f"filter “{node.name}” tidak dikenal; yang tersedia: "
                    + ", ".join(LETTER_FILTERS)
                    + "."
                )
            elif node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
                problems.append(line + f"filter “{node.name}” tidak memakai nilai tambahan.")
        elif isinstance(node, nodes.Test) and node.name not in ENVIRONMENT.tests:
            problems.append(line + f"uji “{node.name}” tidak dikenal.")
        elif isinstance(node, nodes.Name):
            if node.ctx != "load" or node.name not in TEMPLATE_ROOTS:
                problems.append(
                    line
                    + f"variabel “{node.name}” tidak dikenal; gunakan "
                    + ", ".join(TEMPLATE_ROOTS)
                    + "."
                )
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
            problem = _path_problem(node, fields)
            if problem:
                problems.append(line + problem)
    # A root printed or tested on its own (`{{ pemohon }}`) would print a dictionary.
    bases = {id(n.node) for n in _walk(tree) if isinstance(n, (nodes.Getattr, nodes.Getitem))}
    for node in _walk(tree):
        if isinstance(node, nodes.Name) and node.name in TEMPLATE_ROOTS and id(node) not in bases:
            problems.append(
                f"Baris {node.lineno}: gunakan {node.name}.<nama>, bukan {node.name} saja."
            )
    return list(dict.fromkeys(problems))  # once each, in order


def _walk(node: nodes.Node):
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _syntax_reason(exc: TemplateSyntaxError) -> str:
    message = str(exc.message or "")
    if "unexpected end of template" in message:
        return "ada {% if %} tanpa {% endif %} atau tanda yang belum ditutup"
    if "unexpected '}'" in message or "unexpected char" in message:
        return "tanda yang tidak dikenal atau kurung kurawal yang tidak berpasangan"
    if "Encountered unknown tag" in message:
        tag = re.search(r"unknown tag '([^']+)'", message)
        return f"perintah “{tag[1] if tag else '?'}” tidak dikenal"
    if "expected token" in message:
        return "ada tanda yang kurang atau berlebih"
    return "periksa tanda {{ }} dan {% %}"


def _constant_problem(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and abs(value) > MAX_LITERAL:
        return f"angka paling besar {formatting.format_amount(MAX_LITERAL)}."
    if isinstance(value, float) and not abs(value) <= MAX_LITERAL:
        return f"angka paling besar {formatting.format_amount(MAX_LITERAL)}."
    if isinstance(value, str) and len(value) > MAX_LITERAL_TEXT:
        return f"teks di dalam {{{{ }}}} paling banyak {MAX_LITERAL_TEXT} karakter."
    if not isinstance(value, (int, float, str)):
        return "nilai ini tidak dapat dipakai di templat surat."
    return None


def _static_attribute(node: nodes.Getattr | nodes.Getitem) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    return None


def _path_problem(node: nodes.Getattr | nodes.Getitem, fields: set[str]) -> str | None:
    attr = _static_attribute(node)
    if attr is None:
        return "gunakan nama tetap (data.nama_isian), bukan [...] dengan nilai hitungan."
    if attr.startswith("_"):
        return f"atribut “{attr}” tidak diizinkan."
    if not isinstance(node.node, nodes.Name):
        return f"“{attr}”: variabel surat hanya satu tingkat (misalnya pemohon.nama)."
    root = node.node.name
    if root == "data":
        if attr not in fields:
            return f"data.{attr}: “{attr}” bukan isian jenis surat ini."
        return None
    known = TEMPLATE_VARIABLES.get(root)
    if known is not None and attr not in known:
        return (
            f"{root}.{attr} tidak dikenal; yang ada: "
            + ", ".join(f"{root}.{n}" for n in known)
            + "."
        )
    return None


# --- Rendering -----------------------------------------------------------------------------------


def render_text(text: str, context: Mapping) -> str:
    """One template text rendered with `context` (keys pemohon, data, kelurahan, kecamatan,
    penandatangan, surat).

    A value the text needs that is absent from the context, or None where the text prints it,
    raises MissingTemplateValue naming every such path; a text that breaks a rule or a limit
    raises LetterTemplateError with a message in Indonesian. No HTML escaping: show the result in
    a page with Jinja's autoescape (never `| safe`).
    """
    problems = _whitelist_problems(text)
    if problems:
        raise LetterTemplateError("Templat surat tidak dapat dipakai: " + " ".join(problems))
    compiled = _compile(text)
    missing = _absent_paths(text, context)
    if missing:
        raise MissingTemplateValue(missing)
    marked = context if isinstance(context, PreparedContext) else prepare_context(context)
    try:
        return compiled.render(marked)
    except LetterTemplateError:
        raise
    except UndefinedError as exc:
        raise MissingTemplateValue([_undefined_name(exc)]) from exc
    except TemplateError as exc:  # the sandbox refused something
        reason = str(exc.message or exc).rstrip(".")
        raise LetterTemplateError(f"Templat surat tidak dapat dipakai: {reason}.") from exc
    except (TypeError, ValueError, OverflowError) as exc:
        raise LetterTemplateError(
            "Templat surat tidak dapat dipakai dengan data ini; periksa filter dan perbandingan."
        ) from exc


@lru_cache(maxsize=1024)
def _whitelist_problems(text: str) -> tuple[str, ...]:
    # Field names are checked when a type is saved; here only what could hurt the server.
    problems = template_problems(text, ())
    return tuple(p for p in problems if "bukan isian jenis surat ini" not in p)


@lru_cache(maxsize=1024)
def _compile(text: str):
    return ENVIRONMENT.from_string(text)


def _undefined_name(exc: UndefinedError) -> str:
    found = re.search(r"(?:attribute|key) '([^']+)'|^'([^']+)' is undefined", str(exc.message))
    return (found[1] or found[2]) if found else "nilai"


@lru_cache(maxsize=1024)
def _referenced_paths(text: str) -> tuple[tuple[str, ...], ...]:
    """Every root.attr path the text reads."""
    paths: list[tuple[str, ...]] = []
    for node in ENVIRONMENT.parse(text).find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, (nodes.Getattr, nodes.Getitem))
        attr = _static_attribute(node)
        if attr is not None and isinstance(node.node, nodes.Name):
            if node.node.name in TEMPLATE_ROOTS:
                paths.append((node.node.name, attr))
    return tuple(dict.fromkeys(paths))


def _absent_paths(text: str, context: Mapping) -> list[str]:
    missing: list[str] = []
    for root, attr in _referenced_paths(text):
        values = context.get(root)
        if isinstance(values, _Blank) or not isinstance(values, Mapping):
            if root not in missing:
                missing.append(root)
        elif attr not in values:
            missing.append(f"{root}.{attr}")
    return missing


class PreparedContext(dict):
    """A context with its None values marked (see _Blank), made once for a whole letter."""


def prepare_context(context: Mapping) -> PreparedContext:
    return PreparedContext(_mark_blanks(context, ""))


class _Blank:
    """A None in the context: false in `{% if %}` and `or`, but printing it is a missing value."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        raise MissingTemplateValue([self.path])


def _mark_blanks(value: Any, path: str) -> Any:
    if value is None:
        return _Blank(path)
    if isinstance(value, Mapping):
        return {k: _mark_blanks(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    return value
