"""What a letter is made of, as plain values: the blocks of its body, who signs, the emblem, the
paper. No PDF library here: the letter catalogue, templates and previews build these values in
every process, while only the process that draws a PDF pays for fpdf2 and fontTools
(documents/pdf.py, imported where a PDF is drawn).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sodamolek.core.formatting import format_date

# Paper sizes in millimetres (width, height). F4 (folio) as Indonesian offices use it.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "F4": (215.0, 330.0)}
EMBLEM_SIZE = 24.0  # the emblem's box, left of the kop text
BLOCK_KINDS = ("heading", "paragraph", "table", "list", "closing", "signature")


def format_nip(nip: str) -> str:
    """An 18-digit NIP as printed on letters: 19780512 200501 1 003 (birth date, appointment,
    sex, serial). Anything else is shown as given."""
    digits = re.sub(r"\s+", "", nip or "")
    if re.fullmatch(r"\d{18}", digits):
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return (nip or "").strip()


def place_date_line(when: dt.date | dt.datetime, place: str = "Kupang") -> str:
    """Kupang, 29 November 2026 (a datetime is taken in WITA)."""
    return f"{place}, {format_date(when)}"


# Who signs, and in what capacity (Permendagri 1/2023): the holder of the office itself, "a.n."
# (atas nama: an official signing for the lurah, under his own position), or "Plt." (pelaksana
# tugas: an official acting as lurah).
CAPACITIES = ("", "a.n.", "Plt.")


@dataclass(frozen=True)
class Signer:
    """Who signs. title is the office ("Lurah Oebobo", may span lines); for "a.n." position is
    the signer's own ("Sekretaris Kelurahan")."""

    title: str
    name: str
    nip: str = ""
    capacity: str = ""
    position: str = ""

    def __post_init__(self) -> None:
        if self.capacity not in CAPACITIES:
            raise ValueError(f"capacity must be one of {CAPACITIES}, not {self.capacity!r}")

    @property
    def title_lines(self) -> tuple[str, ...]:
        lines = self.title.splitlines() or [""]
        if self.capacity == "Plt.":
            return (f"Plt. {lines[0]}", *lines[1:])
        if self.capacity == "a.n.":
            own = [self.position] if self.position.strip() else []
            return (f"a.n. {lines[0]}", *lines[1:], *own)
        return tuple(lines)


@dataclass(frozen=True)
class Block:
    """One block of the body, already rendered to text.

    kind: heading | paragraph | table (rows of (label, value) under heading) | list (items,
    numbered, under heading) | closing | signature (where the signature blocks go)."""

    kind: str
    text: str = ""
    heading: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    items: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"kind must be one of {BLOCK_KINDS}, not {self.kind!r}")
        object.__setattr__(self, "rows", tuple((str(a), str(b)) for a, b in self.rows))
        object.__setattr__(self, "items", tuple(str(i) for i in self.items))

    def as_dict(self) -> dict:
        """The JSON shape stored in a signed letter's content."""
        out: dict = {"kind": self.kind}
        if self.text:
            out["text"] = self.text
        if self.heading:
            out["heading"] = self.heading
        if self.rows:
            out["rows"] = [list(r) for r in self.rows]
        if self.items:
            out["items"] = list(self.items)
        return out

    @classmethod
    def from_dict(cls, item: dict) -> Block:
        return cls(
            kind=item["kind"],
            text=item.get("text", ""),
            heading=item.get("heading", ""),
            rows=tuple(tuple(r) for r in item.get("rows") or ()),
            items=tuple(item.get("items") or ()),
        )


@dataclass(frozen=True)
class Emblem:
    """The city's emblem for the kop: PNG or SVG bytes, checked when uploaded."""

    data: bytes
    media_type: str  # image/png or image/svg+xml

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]


@lru_cache(maxsize=1)
def default_emblem() -> Emblem:
    """A neutral shield drawn for this project, until the admin uploads the city's emblem."""
    return Emblem((Path(__file__).with_name("default_emblem.svg")).read_bytes(), "image/svg+xml")


@dataclass(frozen=True)
class LetterDocument:
    """Everything printed on one letter, already rendered to text.

    number and verification_url are None for the lurah's preview before signing: the letter then
    prints a "PRATINJAU" notice where the QR goes. Without a signature block in blocks, the
    signatures follow the last block.
    """

    kecamatan: str  # "Oebobo" (a leading "Kecamatan" is dropped)
    kelurahan: str  # "Fatululi"
    office_address: str
    title: str  # "SURAT KETERANGAN DOMISILI"
    number: str | None
    blocks: tuple[Block, ...]
    place_date: str  # "Kupang, 29 November 2026"
    signer: Signer
    paper_size: str = "A4"  # "A4" or "F4"
    office_phone: str = ""
    countersigner: Signer | None = None  # the camat, for types that need a countersign
    countersign_label: str = "Mengetahui,"
    verification_url: str | None = None
    government: str = "Pemerintah Kota Kupang"
    emblem: Emblem | None = field(default=None, compare=False)
    issued_at: dt.datetime | None = None  # the PDF's creation date: same letter, same bytes

    def __post_init__(self) -> None:
        if self.paper_size not in PAPER_SIZES_MM:
            raise ValueError(f"paper_size must be A4 or F4, not {self.paper_size!r}")
        object.__setattr__(self, "blocks", tuple(self.blocks))
        if sum(1 for b in self.blocks if b.kind == "signature") > 1:
            raise ValueError("a letter has at most one signature block")

    @property
    def kop_lines(self) -> tuple[str, ...]:
        """The letterhead as printed, top to bottom."""
        phone = self.office_phone.strip()
        parts = [self.office_address.strip(), f"Telp. {phone}" if phone else ""]
        contact = " · ".join(part for part in parts if part)
        lines = [
            self.government.upper(),
            "KECAMATAN " + _strip_prefix(self.kecamatan, "Kecamatan").upper(),
            "KELURAHAN " + _strip_prefix(self.kelurahan, "Kelurahan").upper(),
        ]
        return (*lines, contact) if contact else tuple(lines)

    @property
    def verification_note(self) -> str | None:
        if not self.verification_url:
            return None
        return (
            "Dokumen ini ditandatangani secara elektronik; periksa keasliannya di "
            f"{self.verification_url}"
        )


def _strip_prefix(name: str, prefix: str) -> str:
    name = name.strip()
    return name[len(prefix) :].strip() if name.lower().startswith(prefix.lower() + " ") else name
