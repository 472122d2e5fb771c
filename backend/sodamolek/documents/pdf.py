"""One letter as a PDF: kop surat, title and number, body, identity table, signature blocks and
the verification QR. fpdf2 with its core fonts: pure Python from PyPI, no font files to ship, about
20 ms of CPU a letter (half of it the QR; bench/letter_pdf.py). CPU-bound: async callers should
run it in a worker thread.

Core fonts and characters: the standard Times font is written with WinAnsiEncoding, so every
character of Windows-1252 prints and extracts as itself, including the ones latin-1 lacks that
Indonesian text uses: – — ‘ ’ “ ” … • €. The few characters outside it are mapped by pdf_text():
look-alike dashes, quotes and spaces to their Windows-1252 twins, invisible ones removed, accented
letters from other alphabets to their base letter (ő → o), and anything left to "?". Names of
Kupang residents are Latin script, so in practice only punctuation is ever changed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from sodamolek.core.formatting import format_date
from sodamolek.documents.qr import draw_qr

# Paper sizes in millimetres (width, height). F4 (folio) as Indonesian offices use it.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "F4": (215.0, 330.0)}

# Margins of an Indonesian government letter: 3 cm left for binding, 2 cm elsewhere.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 30.0, 20.0, 20.0, 20.0
FONT = "Times"
BODY_SIZE = 12
LINE = 6.0  # mm per body line (12 pt at about 1.4 spacing)
PARAGRAPH_GAP = 2.0
IDENTITY_INDENT = 10.0
SIGN_BLOCK_WIDTH = 80.0
SIGN_SPACE = 22.0  # room for the handwritten signature and stamp
QR_SIZE = 28.0  # quiet zone included; about 2.2 cm of code
ENCODING = "windows-1252"

# Characters outside Windows-1252 that have an obvious twin inside it.
_TWINS = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "\u2013",  # figure dash → en dash
    "\u2015": "\u2014",  # horizontal bar → em dash
    "\u2212": "-",  # minus sign
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u02bc": "\u2019",  # modifier apostrophe (some keyboards) → right single quote
    "\u201b": "\u2018",
    "\u201f": "\u201c",
    "\u2002": " ",
    "\u2003": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": "\u00a0",  # narrow no-break space → no-break space
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2192": "->",
    "\u0141": "L",  # Ł, Đ, ı have no decomposition to a base letter
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
}
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but \n; tab becomes a space
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def pdf_text(text: str) -> str:
    """Text that the core fonts can print, as close to the original as Windows-1252 allows."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(lambda m: " " if m.group() == "\t" else "", text)
    if _encodable(text):
        return text  # the common case: nothing to do
    return "".join(_printable(ch) for ch in text)


def _printable(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    ch = _TWINS.get(ch, ch)
    if _encodable(ch):
        return ch
    folded = unicodedata.normalize("NFKC", ch)  # ligatures, full-width forms: ﬁ → fi
    if _encodable(folded):
        return folded
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and _encodable(base):  # ő → o, ș → s
        return base
    return "?"


def _encodable(text: str) -> bool:
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


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


@dataclass(frozen=True)
class Signer:
    """Who signs: title may span lines ("a.n. Lurah Oebobo\\nSekretaris Kelurahan")."""

    title: str
    name: str
    nip: str = ""


def _strip_prefix(name: str, prefix: str) -> str:
    name = name.strip()
    return name[len(prefix) :].strip() if name.lower().startswith(prefix.lower() + " ") else name


@dataclass(frozen=True)
class LetterDocument:
    """Everything printed on one letter, already rendered to text.

    number and verification_url are None for the lurah's preview before signing: the letter then
    prints a "PRATINJAU" notice where the QR goes. identity rows (label, value) are printed as an
    aligned table after the first `identity_after` paragraphs.
    """

    kecamatan: str  # "Oebobo" (a leading "Kecamatan" is dropped)
    kelurahan: str  # "Fatululi"
    office_address: str
    title: str  # "SURAT KETERANGAN DOMISILI"
    number: str | None
    paragraphs: tuple[str, ...]
    place_date: str  # "Kupang, 29 November 2026"
    signer: Signer
    paper_size: str = "A4"  # "A4" or "F4"
    office_phone: str = ""
    identity: tuple[tuple[str, str], ...] = ()
    identity_after: int = 1
    countersigner: Signer | None = None  # the camat, for types that need a countersign
    countersign_label: str = "Mengetahui,"
    verification_url: str | None = None
    government: str = "Pemerintah Kota Kupang"
    issued_at: dt.datetime | None = None  # the PDF's creation date: same letter, same bytes

    def __post_init__(self) -> None:
        if self.paper_size not in PAPER_SIZES_MM:
            raise ValueError(f"paper_size must be A4 or F4, not {self.paper_size!r}")
        # Lists are accepted and frozen, so a document stays hashable and unchangeable.
        object.__setattr__(self, "paragraphs", tuple(self.paragraphs))
        object.__setattr__(self, "identity", tuple((str(a), str(b)) for a, b in self.identity))
        if not 0 <= self.identity_after <= len(self.paragraphs):
            raise ValueError("identity_after must be between 0 and the number of paragraphs")

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


class _LetterPDF(FPDF):
    """Pages after the first say which letter they continue, so a page cannot be swapped
    between letters unnoticed."""

    continuation = ""

    def header(self) -> None:
        if self.page_no() > 1 and self.continuation:
            self.set_font(FONT, "I", 9)
            self.cell(0, 5, self.continuation, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3)


def render_letter_pdf(doc: LetterDocument) -> bytes:
    """The letter as PDF bytes; its text can be extracted (WinAnsi-encoded core font)."""
    width, height = PAPER_SIZES_MM[doc.paper_size]
    pdf = _LetterPDF(orientation="P", unit="mm", format=(width, height))
    pdf.continuation = pdf_text(f"Lanjutan {doc.title} Nomor {doc.number or '-'}")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.c_margin = 0  # cells start exactly at their x: the identity table lines up
    pdf.set_lang("id")
    pdf.set_creator("Sodamolek")
    pdf.set_title(pdf_text(f"{doc.title} {doc.number or ''}".strip()))
    if doc.issued_at is not None:
        pdf.set_creation_date(doc.issued_at)  # same letter, same bytes
    pdf.add_page()
    _kop(pdf, doc)
    _heading(pdf, doc)
    _body(pdf, doc)
    _signatures(pdf, doc)
    _verification(pdf, doc)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, *, style: str = "", size: float = BODY_SIZE,
          height: float = LINE, align: str = "C", width: float = 0) -> None:  # fmt: skip
    pdf.set_font(FONT, style, size)
    pdf.cell(width, height, pdf_text(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _kop(pdf: FPDF, doc: LetterDocument) -> None:
    government, kecamatan, kelurahan, *contact = doc.kop_lines
    _line(pdf, government, style="B", size=14, height=6.5)
    _line(pdf, kecamatan, style="B", size=14, height=6.5)
    _line(pdf, kelurahan, style="B", size=16, height=7.5)
    if contact:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 4.5, pdf_text(contact[0]), align="C",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    # The double rule under the kop: a thick line over a thin one.
    y = pdf.get_y() + 2
    right = pdf.w - pdf.r_margin
    with pdf.local_context(line_width=0.8):
        pdf.line(pdf.l_margin, y, right, y)
    with pdf.local_context(line_width=0.25):
        pdf.line(pdf.l_margin, y + 1.3, right, y + 1.3)
    pdf.set_y(y + 7)


def _heading(pdf: FPDF, doc: LetterDocument) -> None:
    _line(pdf, doc.title.upper(), style="BU", size=13, height=6)
    _line(pdf, f"Nomor: {doc.number or '(diberikan saat ditandatangani)'}")
    pdf.ln(6)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.multi_cell(0, LINE, pdf_text(text), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(PARAGRAPH_GAP)


def _identity_table(pdf: FPDF, rows: tuple[tuple[str, str], ...]) -> None:
    pdf.set_font(FONT, "", BODY_SIZE)
    labels = [pdf_text(label) for label, _ in rows]
    label_width = min(max(pdf.get_string_width(label) for label in labels) + 3, 60)
    colon_width = 4.0
    left = pdf.l_margin + IDENTITY_INDENT
    value_width = pdf.w - pdf.r_margin - left - label_width - colon_width
    for label, (_, value) in zip(labels, rows, strict=True):
        pdf.set_x(left)
        pdf.cell(label_width, LINE, label)
        pdf.cell(colon_width, LINE, ":")
        pdf.multi_cell(value_width, LINE, pdf_text(value) or "-", align="L",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.ln(PARAGRAPH_GAP)


def _body(pdf: FPDF, doc: LetterDocument) -> None:
    for index, text in enumerate(doc.paragraphs):
        if index == doc.identity_after and doc.identity:
            _identity_table(pdf, doc.identity)
        _paragraph(pdf, text)
    if doc.identity_after == len(doc.paragraphs) and doc.identity:
        _identity_table(pdf, doc.identity)


def _signature_block(pdf: FPDF, x: float, y: float, first: str, signer: Signer,
                     names_y: float) -> None:  # fmt: skip
    """A block centred in SIGN_BLOCK_WIDTH at x: a first line (place and date, or
    "Mengetahui,"), the title, the signature space, the name underlined and the NIP."""
    pdf.set_xy(x, y)
    for text in (first, *signer.title.splitlines()):
        pdf.set_x(x)
        _line(pdf, text, width=SIGN_BLOCK_WIDTH)
    pdf.set_xy(x, names_y)
    _line(pdf, signer.name, style="BU", width=SIGN_BLOCK_WIDTH)
    if signer.nip.strip():
        pdf.set_x(x)
        _line(pdf, f"NIP. {format_nip(signer.nip)}", width=SIGN_BLOCK_WIDTH)


def _signatures(pdf: FPDF, doc: LetterDocument) -> None:
    signers = [doc.signer, *([doc.countersigner] if doc.countersigner else [])]
    title_lines = max(len(s.title.splitlines()) for s in signers)
    block_height = (1 + title_lines) * LINE + SIGN_SPACE + 2 * LINE
    # Keep the block whole, with the QR under it on the same page.
    footer_top = pdf.h - MARGIN_BOTTOM - QR_SIZE
    top = pdf.get_y() + 4
    if top + block_height > footer_top - 2:
        pdf.add_page()
        top = pdf.get_y()
    names_y = top + (1 + title_lines) * LINE + SIGN_SPACE
    right_x = pdf.w - pdf.r_margin - SIGN_BLOCK_WIDTH
    _signature_block(pdf, right_x, top, doc.place_date, doc.signer, names_y)
    if doc.countersigner:
        _signature_block(pdf, pdf.l_margin, top, doc.countersign_label, doc.countersigner,
                         names_y)  # fmt: skip


def _verification(pdf: FPDF, doc: LetterDocument) -> None:
    """Bottom left of the last page: the QR and the sentence that explains it."""
    pdf.set_auto_page_break(False)  # the footer zone is kept free above
    top = pdf.h - MARGIN_BOTTOM - QR_SIZE
    if doc.verification_url:
        draw_qr(pdf, doc.verification_url, pdf.l_margin, top, QR_SIZE)
        text_x = pdf.l_margin + QR_SIZE + 3
        pdf.set_font(FONT, "I", 9)
        note = doc.verification_note or ""
    else:
        text_x = pdf.l_margin
        pdf.set_font(FONT, "B", 10)
        note = (
            "PRATINJAU \u2013 belum ditandatangani. Nomor surat dan kode QR verifikasi "
            "diberikan saat surat ditandatangani."
        )
    pdf.set_xy(text_x, top + QR_SIZE / 2 - 4.5)
    pdf.multi_cell(pdf.w - pdf.r_margin - text_x, 4.5, pdf_text(note), align="L")
