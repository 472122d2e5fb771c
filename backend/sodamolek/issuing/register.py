"""Buku register surat keluar: per office and year, every allocated letter number in order, with
its date, type, applicant, signer and fate (sah, menunggu camat, batal, dicabut, diganti).

Built from the number counters, not only from the letters: every number from 1 to the counter's
last value is a row, so a number given out without a letter (which the signing transaction should
make impossible) shows as "tanpa surat" instead of a silent gap. Filters (type, month, search)
narrow the letters shown; the summary always counts every allocated number of the year.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import xlsxwriter

from sodamolek.core.formatting import WITA, format_date
from sodamolek.db import as_utc
from sodamolek.issuing.tables import Letter, LetterNumberCounter
from sodamolek.letter_requests.lifecycle import LetterState

GAP = "Tanpa surat (nomor dialokasikan)"
HEADERS = ["No. urut", "Kode klasifikasi", "Nomor surat", "Tanggal", "Jenis surat", "Pemohon",
           "Penanda tangan", "Keadaan", "Keterangan"]  # fmt: skip


@dataclass(frozen=True)
class Entry:
    sequence: int
    classification_code: str
    number: str
    signed_on: dt.date | None
    letter_type: str
    letter_type_code: str
    applicant: str
    signer: str
    state: str  # a LetterState value, or "" for a number without a letter
    note: str

    @property
    def state_label(self) -> str:
        return LetterState(self.state).label if self.state else GAP

    def cells(self) -> list:
        return [
            self.sequence, self.classification_code, self.number,
            format_date(self.signed_on) if self.signed_on else "", self.letter_type,
            _safe(self.applicant), _safe(self.signer), self.state_label, _safe(self.note),
        ]  # fmt: skip


@dataclass(frozen=True)
class Register:
    year: int
    entries: list[Entry]
    allocated: int  # every number given out this year, whatever the filters
    letters: int
    gaps: int
    by_state: dict[str, int]


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never for our text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _note(row: dict, numbers: dict[int, str]) -> str:
    state = row["state"]
    if state == LetterState.VOIDED:
        return f"Batal: {row['voided_reason']}" if row["voided_reason"] else "Batal"
    if state in (LetterState.REVOKED, LetterState.REPLACED):
        note = f"Dicabut: {row['revoked_reason']}"
        replacement = next((n for i, n in numbers.items() if row.get("replaced_by") == i), "")
        return f"{note}; diganti {replacement}" if replacement else note
    if row["replaces"] and row["replaces"] in numbers:
        return f"Pengganti {numbers[row['replaces']]}"
    return ""


async def build_register(
    kelurahan_id: int,
    year: int,
    *,
    letter_type: str = "",
    month: int | None = None,
    search: str = "",
) -> Register:
    rows = await Letter.select(
        Letter.id, Letter.number, Letter.sequence, Letter.classification_code, Letter.signed_at,
        Letter.state, Letter.signer_name, Letter.signer_title, Letter.voided_reason,
        Letter.revoked_reason, Letter.replaces,
        Letter.request._.applicant_name.as_alias("applicant"),
        Letter.request._.letter_type._.name.as_alias("letter_type"),
        Letter.request._.letter_type._.code.as_alias("letter_type_code"),
    ).where((Letter.kelurahan == kelurahan_id) & (Letter.year == year))  # fmt: skip
    counters = await LetterNumberCounter.select(
        LetterNumberCounter.classification_code, LetterNumberCounter.last_number
    ).where((LetterNumberCounter.kelurahan == kelurahan_id) & (LetterNumberCounter.year == year))
    numbers = {r["id"]: r["number"] for r in rows}
    for row in rows:
        if row["replaces"]:
            for other in rows:
                if other["id"] == row["replaces"]:
                    other["replaced_by"] = row["id"]
    by_number = {(r["classification_code"], r["sequence"]): r for r in rows}
    entries: list[Entry] = []
    gaps = 0
    allocated = 0
    codes = {c["classification_code"]: c["last_number"] for c in counters}
    for row in rows:  # a letter beyond its counter (should not exist) is still listed
        codes[row["classification_code"]] = max(codes.get(row["classification_code"], 0),
                                                row["sequence"])  # fmt: skip
    needle = " ".join(search.split()).casefold()
    for code in sorted(codes, key=_code_key):
        for sequence in range(1, codes[code] + 1):
            allocated += 1
            found = by_number.get((code, sequence))
            if found is None:
                gaps += 1
                entries.append(Entry(sequence, code, "", None, "", "", "", "", "", GAP))
                continue
            row = found
            signed_on = as_utc(row["signed_at"]).astimezone(WITA).date()
            entry = Entry(
                sequence=sequence, classification_code=code, number=row["number"],
                signed_on=signed_on, letter_type=row["letter_type"],
                letter_type_code=row["letter_type_code"], applicant=row["applicant"],
                signer=f"{row['signer_name']}, {row['signer_title']}", state=row["state"],
                note=_note(row, numbers),
            )  # fmt: skip
            if letter_type and entry.letter_type_code != letter_type:
                continue
            if month and signed_on.month != month:
                continue
            if needle and needle not in f"{entry.number} {entry.applicant}".casefold():
                continue
            entries.append(entry)
    by_state: dict[str, int] = {}
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + 1
    return Register(year, entries, allocated, len(rows), gaps, by_state)


def _code_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def register_csv(register: Register) -> bytes:
    out = io.StringIO("\ufeff")
    out.seek(0, io.SEEK_END)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for entry in register.entries:
        writer.writerow(entry.cells())
    return out.getvalue().encode("utf-8")


def register_xlsx(register: Register, office_name: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(f"Register {register.year}")
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, f"Buku Register Surat Keluar {office_name} Tahun {register.year}", bold)
    sheet.write_row(2, 0, HEADERS, bold)
    for index, entry in enumerate(register.entries, start=3):
        sheet.write_row(index, 0, entry.cells())
    sheet.set_column(0, 1, 10)
    sheet.set_column(2, 2, 34)
    sheet.set_column(3, 8, 22)
    book.close()
    return out.getvalue()
