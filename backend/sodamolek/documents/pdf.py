"""One letter as a PDF: kop surat with the city's emblem, title and number, the body as blocks
(headings, paragraphs, key–value tables each under its own heading, lists, the closing
paragraph), the signature blocks and the verification QR. fpdf2, pure Python from PyPI.
CPU-bound: async callers should run it in a worker thread.

Type: Liberation Serif (metric-compatible with Times New Roman, the face Indonesian offices type
letters in), vendored under fonts/ with its licence, embedded and subset by fpdf2, so every name
prints as typed: ō, Ŋ, ș and the rest of Latin read back from the PDF as themselves. The font
files are parsed once per process (_font_prototype): each letter gets a copy with its own subset
map. fpdf2 subsets and compresses the fonts again for every document, a third of a letter's
time; _LetterOutput writes them once per glyph set instead (bench/letter_pdf.py).
Characters the font lacks (other scripts, emoji) are mapped by pdf_text() to a look-alike or
their base letter, and anything left to "?", never to an empty box.
"""

from __future__ import annotations

import copy
import io
import logging
import re
import threading
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset as font_subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import Glyph, SubsetMap, TTFFont
from fpdf.image_datastructures import ImageCache
from fpdf.line_break import BREAKING_SPACE_SYMBOLS_STR, NBSP, SOFT_HYPHEN
from fpdf.output import OutputProducer, PDFFont, PDFType3Font
from fpdf.syntax import PDFArray
from fpdf.util import FloatTolerance

from sodamolek.documents.layout import (
    BLOCK_KINDS,
    CAPACITIES,
    EMBLEM_SIZE,
    PAPER_SIZES_MM,
    Block,
    Emblem,
    LetterDocument,
    Signer,
    default_emblem,
    format_nip,
    place_date_line,
)
from sodamolek.documents.qr import draw_qr

__all__ = [  # the layout's names, for the callers that render
    "BLOCK_KINDS",
    "CAPACITIES",
    "EMBLEM_SIZE",
    "PAPER_SIZES_MM",
    "Block",
    "Emblem",
    "LetterDocument",
    "Signer",
    "default_emblem",
    "format_nip",
    "place_date_line",
    "render_letter_pdf",
]

# fontTools reports every subsetting step at INFO: two dozen lines a letter in the server's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

# Margins of an Indonesian government letter: 3 cm left for binding, 2 cm elsewhere.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 30.0, 20.0, 20.0, 20.0
FONT = "LiberationSerif"
FONT_DIR = Path(__file__).with_name("fonts")
FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
}
# What is kept of the font files: Latin (with every extension and combining mark), general
# punctuation and a few symbols. Names of Kupang residents are Latin script.
KEPT_CODEPOINTS = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x250, 0x2FF),
    (0x300, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20AC, 0x20AC),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
)
# Characters every letter's fonts carry, with the same codes in every letter: printable ASCII
# and the punctuation the letters print. A letter whose text stays within them has the same
# fonts as every other such letter, written once per process (_LetterOutput).
SHARED_CHARACTERS = (
    "".join(map(chr, range(0x20, 0x7F))) + "\u00b7\u2013\u2014\u2018\u2019\u201c\u201d\u2026"
)
BODY_SIZE = 12
LINE = 6.0  # mm per body line (12 pt at about 1.4 spacing)
PARAGRAPH_GAP = 2.0
TABLE_INDENT = 10.0
SIGN_BLOCK_WIDTH = 80.0
SIGN_SPACE = 22.0  # room for the handwritten signature and stamp
QR_SIZE = 28.0  # quiet zone included; about 2.2 cm of code

# Characters with an obvious twin the font has.
_TWINS = {
    "\u2212": "-",  # minus sign
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u02bc": "\u2019",  # modifier apostrophe (some keyboards) → right single quote
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2192": "->",
}
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but \n; tab becomes a space
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@cache
def _font_bytes(style: str) -> bytes:
    """The font file reduced to KEPT_CODEPOINTS, without hinting (a PDF viewer hints by itself)
    and without the layout tables fpdf2 drops anyway: a smaller font is faster to subset."""
    font = TTFont(str(FONT_DIR / FONT_FILES[style]), recalcTimestamp=False)
    options = font_subset.Options(
        glyph_names=True, notdef_outline=True, recommended_glyphs=True, hinting=False
    )
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "gasp", "PCLT", "LTSH", "VDMX"]
    options.drop_tables += ["DSIG", "hdmx", "FFTM"]
    subsetter = font_subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in KEPT_CODEPOINTS for c in range(lo, hi + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _font_prototype(style: str) -> TTFFont:
    """fpdf2's parsed font (metrics, character map, widths), made once per process."""
    return TTFFont(FPDF(), io.BytesIO(_font_bytes(style)), f"{FONT.lower()}{style}", style)  # type: ignore[arg-type]


@cache
def _shared_glyphs(style: str) -> tuple[Glyph, ...]:
    """The glyphs of SHARED_CHARACTERS, looked up once per process."""
    subset = SubsetMap(_font_prototype(style))
    glyphs = tuple(subset.get_glyph(unicode=ord(ch)) for ch in SHARED_CHARACTERS)
    subset.get_glyph.cache_clear()
    return tuple(glyph for glyph in glyphs if glyph is not None)


@lru_cache(maxsize=1)
def font_codepoints() -> frozenset[int]:
    """Every character the embedded font can print."""
    return frozenset(_font_prototype("").cmap)


def _add_fonts(pdf: FPDF) -> None:
    """The styles into this document: shared metrics, a font object, descriptor and subset of
    its own (fpdf2 subsets the font object in place and numbers the descriptor when it writes
    the file, so neither can be shared between letters rendered at the same time)."""
    for style in FONT_FILES:
        prototype = _font_prototype(style)
        font = copy.copy(prototype)
        font.i = len(pdf.fonts) + 1
        font.ttfont = TTFont(
            io.BytesIO(_font_bytes(style)), recalcTimestamp=False, recalcBBoxes=False, lazy=True
        )
        font.desc = copy.copy(prototype.desc)
        font.subset = SubsetMap(font)
        for glyph in _shared_glyphs(style):  # the same codes in every letter, in the same order
            font.subset.pick_glyph(glyph)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        pdf.fonts[prototype.fontkey] = font


_FONT_OBJECTS: dict[tuple, list[Any]] = {}  # font and glyph set -> fpdf2's objects
_FONT_OBJECTS_MAX = 64  # glyph sets kept: a letter with a rare character adds one
_FONT_OBJECTS_LOCK = threading.Lock()


def _font_key(font: object) -> tuple | None:
    """What fpdf2's font objects depend on: the font and every glyph with its code."""
    if not isinstance(font, TTFFont) or font.color_font or font.missing_glyphs:
        return None
    glyphs = tuple(
        (code, g.glyph_id, g.unicode) for g, code in font.subset.items() if g is not None
    )
    return (font.fontkey, glyphs)


def _copied(objects: list[Any]) -> list[Any]:
    """Copies of one font's PDF objects, referring to each other as the originals do (to be
    numbered in another letter); what they hold besides is immutable or never changed."""
    copies = {id(obj): copy.copy(obj) for obj in objects}
    for obj in copies.values():
        for name, value in list(vars(obj).items()):
            if id(value) in copies:
                setattr(obj, name, copies[id(value)])
            elif isinstance(value, PDFArray):
                setattr(obj, name, PDFArray([copies.get(id(item), item) for item in value]))
    return [copies[id(obj)] for obj in objects]


class _LetterOutput(OutputProducer):
    """fpdf2's writer (FPDF.output's output_producer_class) with each embedded font written
    once per process for its glyph set: the first letter's objects, as fpdf2 made them (the
    subset TrueType program, widths, ToUnicode and CIDToGIDMap), are copied with new numbers
    into the next letter with the same glyphs. The bytes are the same as fpdf2's own
    (tests/unit/test_letter_pdf.py), which subsets and compresses the fonts every time."""

    def _add_fonts(self, *resources: Any) -> dict[int, PDFFont | PDFType3Font]:
        fonts = sorted(self.fpdf.fonts.values(), key=lambda font: font.i)
        keys = [_font_key(font) for font in fonts]
        templates = [_FONT_OBJECTS.get(key) if key else None for key in keys]
        if fonts and self.fpdf._compliance is None and all(templates):
            font_objs_per_index: dict[int, PDFFont | PDFType3Font] = {}
            for font, template in zip(fonts, templates, strict=True):
                assert isinstance(font, TTFFont) and template
                objects = _copied(template)
                for obj in objects:
                    self._add_pdf_obj(obj, "fonts")
                font_objs_per_index[font.i] = objects[0]
                # As fpdf2 ends each font: its caches hold the document until cleared.
                font.subset.pick.cache_clear()
                font.subset.get_glyph.cache_clear()
                font.close()
            return font_objs_per_index
        start = len(self.pdf_objs)
        font_objs_per_index = super()._add_fonts(*resources)
        added = self.pdf_objs[start:]
        firsts = [
            next(n for n, obj in enumerate(added) if obj is font_objs_per_index[font.i])
            for font in fonts
        ]
        if self.fpdf._compliance is None:
            for key, first, end in zip(keys, firsts, [*firsts[1:], len(added)], strict=True):
                if key is not None:
                    self._keep(key, added[first:end])
        return font_objs_per_index

    @staticmethod
    def _keep(key: tuple, objects: list[Any]) -> None:
        template = copy.deepcopy(objects)
        with _FONT_OBJECTS_LOCK:
            if key not in _FONT_OBJECTS and len(_FONT_OBJECTS) >= _FONT_OBJECTS_MAX:
                del _FONT_OBJECTS[next(iter(_FONT_OBJECTS))]  # the oldest
            _FONT_OBJECTS[key] = template


def pdf_text(text: str) -> str:
    """Text the embedded font can print, as close to the original as it allows."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(lambda m: " " if m.group() == "\t" else "", text)
    covered = font_codepoints()
    if all(ord(ch) in covered or ch == "\n" for ch in text):
        return text  # the common case: nothing to do
    return "".join(_printable(ch, covered) for ch in text)


def _printable(ch: str, covered: frozenset[int]) -> str:
    if ch == "\n" or ord(ch) in covered:
        return ch
    if ch in _INVISIBLE:
        return ""
    twin = _TWINS.get(ch)
    if twin is not None:
        return twin
    folded = unicodedata.normalize("NFKC", ch)  # ligatures, full-width forms: ﬁ → fi
    if folded != ch and all(ord(c) in covered for c in folded):
        return folded
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch and all(ord(c) in covered for c in base):
        return base
    return "?"


class _LetterPDF(FPDF):
    """Pages after the first say which letter they continue, so a page cannot be swapped
    between letters unnoticed."""

    continuation = ""

    def header(self) -> None:
        if self.page_no() > 1 and self.continuation:
            self.set_font(FONT, "", 9)
            self.cell(0, 5, self.continuation, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3)


def render_letter_pdf(doc: LetterDocument) -> bytes:
    """The letter as PDF bytes; its text can be extracted (embedded TrueType, ToUnicode map)."""
    width, height = PAPER_SIZES_MM[doc.paper_size]
    pdf = _LetterPDF(orientation="P", unit="mm", format=(width, height))
    _add_fonts(pdf)
    pdf.continuation = pdf_text(f"Lanjutan {doc.title} Nomor {doc.number or '-'}")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.c_margin = 0  # cells start exactly at their x: the tables line up
    pdf.set_lang("id")
    pdf.set_creator("Sodamolek")
    pdf.set_title(pdf_text(f"{doc.title} {doc.number or ''}".strip()))
    if doc.issued_at is not None:
        pdf.set_creation_date(doc.issued_at)  # same letter, same bytes
    pdf.add_page()
    _kop(pdf, doc)
    _heading(pdf, doc)
    signed = False
    for block in doc.blocks:
        if block.kind == "signature":
            _signatures(pdf, doc)
            signed = True
        else:
            _BLOCK_PRINTERS[block.kind](pdf, block)
    if not signed:
        _signatures(pdf, doc)
    _verification(pdf, doc)
    return bytes(pdf.output(output_producer_class=_LetterOutput))


def _line(
    pdf: FPDF,
    text: str,
    *,
    style: str = "",
    size: float = BODY_SIZE,
    height: float = LINE,
    align: str = "C",
    width: float = 0,
) -> None:
    pdf.set_font(FONT, style, size)
    pdf.cell(width, height, pdf_text(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _kop(pdf: FPDF, doc: LetterDocument) -> None:
    government, kecamatan, kelurahan, *contact = doc.kop_lines
    top = pdf.get_y()
    emblem = doc.emblem or default_emblem()
    _draw_emblem(pdf, emblem, pdf.l_margin, top - 1)
    # The kop text is centred on the page column right of the emblem, as on printed kop surat.
    left = pdf.l_margin + EMBLEM_SIZE + 2
    width = pdf.w - pdf.r_margin - left
    pdf.set_y(top)
    for text, size, height in ((government, 14, 6.5), (kecamatan, 14, 6.5), (kelurahan, 16, 7.5)):
        pdf.set_x(left)
        _line(pdf, text, style="B", size=size, height=height, width=width)
    if contact:
        pdf.set_x(left)
        pdf.set_font(FONT, "", 10)
        _text_cell(pdf, width, pdf_text(contact[0]), "C", height=4.5)
    # The double rule under the kop: a thick line over a thin one.
    y = max(pdf.get_y(), top + EMBLEM_SIZE - 1) + 2
    right = pdf.w - pdf.r_margin
    with pdf.local_context(line_width=0.8):
        pdf.line(pdf.l_margin, y, right, y)
    with pdf.local_context(line_width=0.25):
        pdf.line(pdf.l_margin, y + 1.3, right, y + 1.3)
    pdf.set_y(y + 7)


def _draw_emblem(pdf: FPDF, emblem: Emblem, x: float, y: float) -> None:
    if emblem.media_type == "image/png":
        pdf.image_cache = _emblem_image_cache(emblem.data)
    source = io.BytesIO(emblem.data)
    pdf.image(source, x=x, y=y, w=EMBLEM_SIZE, h=EMBLEM_SIZE, keep_aspect_ratio=True)


def _emblem_image_cache(data: bytes) -> ImageCache:
    """An image cache for one letter holding the PNG emblem already decoded. fpdf2 decodes a PNG
    and compresses its pixels again for every document: 25 ms a letter for a 1000-pixel emblem
    with transparency, twice the rest of the letter. fpdf2 lets documents share an image cache;
    each letter gets a copy of the parsed one instead, as its use counts are the document's and
    letters are drawn in several threads at once. (An SVG emblem is drawn as paths, not cached.)"""
    parsed = _parsed_png(data)
    images = {name: type(info)(info, usages=0) for name, info in parsed.images.items()}
    return ImageCache(images, dict(parsed.icc_profiles), parsed.image_filter)


@lru_cache(maxsize=2)  # the emblem in use, and the one before it while an upload settles
def _parsed_png(data: bytes) -> ImageCache:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(data), w=EMBLEM_SIZE, h=EMBLEM_SIZE, keep_aspect_ratio=True)
    return pdf.image_cache


def _heading(pdf: FPDF, doc: LetterDocument) -> None:
    _line(pdf, doc.title.upper(), style="BU", size=13, height=6)
    _line(pdf, f"Nomor: {doc.number or '(diberikan saat ditandatangani)'}")
    pdf.ln(6)


def _fits(pdf: FPDF, width: float, text: str) -> bool:
    return "\n" not in text and pdf.get_string_width(text) <= width - 0.01


def _text_cell(pdf: FPDF, width: float, text: str, align: str = "L", height: float = LINE) -> None:
    """Text in a column from the current x, then to the next line: one cell a line. fpdf2's
    multi_cell measures the line again for every character it adds; here each word is measured
    once (_lines), which is most of a letter's layout time (bench/letter_pdf.py). Justified text
    of more than one line still goes through multi_cell, which alone can justify a line."""
    x = pdf.get_x()
    room = width or (pdf.w - pdf.r_margin - x)
    lines = [text] if _fits(pdf, room, text) else None
    if lines is None and align != "J":
        lines = _lines(pdf, room, text)
    if lines is None:
        pdf.multi_cell(room, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    for line in lines:
        pdf.set_x(x)
        pdf.cell(
            room,
            height,
            line,
            align="L" if align == "J" else align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


# Characters after which multi_cell breaks or spaces differently from a plain space.
_NOT_PLAIN = frozenset(BREAKING_SPACE_SYMBOLS_STR + NBSP + SOFT_HYPHEN + "\n\f") - {" "}


def _lines(pdf: FPDF, room: float, text: str) -> list[str] | None:
    """text broken into lines as multi_cell breaks it: greedily, at single spaces, each line as
    long as fits. None when it takes more than that (a line break, another kind of space, a
    soft hyphen, a word wider than the column): then multi_cell breaks it."""
    if not text or text != text.strip(" ") or "  " in text or not _NOT_PLAIN.isdisjoint(text):
        return None
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split(" "):
        width = pdf.get_string_width(word)
        if FloatTolerance.greater_than(width, room):
            return None
        if line and FloatTolerance.greater_than(used + space + width, room):
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0.0) + width
        line.append(word)
    lines.append(" ".join(line))
    return lines


def _print_heading(pdf: FPDF, block: Block) -> None:
    pdf.set_font(FONT, "B", BODY_SIZE)
    _text_cell(pdf, 0, pdf_text(block.text))
    pdf.ln(PARAGRAPH_GAP / 2)


def _print_paragraph(pdf: FPDF, block: Block) -> None:
    pdf.set_font(FONT, "", BODY_SIZE)
    _text_cell(pdf, 0, pdf_text(block.text), "J")
    pdf.ln(PARAGRAPH_GAP)


def _block_heading(pdf: FPDF, heading: str) -> None:
    if heading.strip():
        pdf.set_font(FONT, "", BODY_SIZE)
        _text_cell(pdf, 0, pdf_text(heading))


def _print_table(pdf: FPDF, block: Block) -> None:
    _block_heading(pdf, block.heading)
    pdf.set_font(FONT, "", BODY_SIZE)
    labels = [pdf_text(label) for label, _ in block.rows]
    if not labels:
        return
    label_width = min(max(pdf.get_string_width(label) for label in labels) + 3, 70)
    colon_width = 4.0
    left = pdf.l_margin + TABLE_INDENT
    value_width = pdf.w - pdf.r_margin - left - label_width - colon_width
    for label, (_, value) in zip(labels, block.rows, strict=True):
        pdf.set_x(left)
        top, label_bottom = pdf.get_y(), pdf.get_y() + LINE
        if _fits(pdf, label_width, label):
            pdf.cell(label_width, LINE, label)
        else:  # a long label wraps in its column; the row is as tall as its taller cell
            lines = pdf.multi_cell(
                label_width, LINE, label, align="L", dry_run=True, output="LINES"
            )
            assert isinstance(lines, list)
            pdf.multi_cell(label_width, LINE, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
            label_bottom = top + len(lines) * LINE
        pdf.cell(colon_width, LINE, ":")
        _text_cell(pdf, value_width, pdf_text(value) or "-")
        pdf.set_y(max(pdf.get_y(), label_bottom))
    pdf.ln(PARAGRAPH_GAP)


def _print_list(pdf: FPDF, block: Block) -> None:
    _block_heading(pdf, block.heading)
    pdf.set_font(FONT, "", BODY_SIZE)
    left = pdf.l_margin + TABLE_INDENT
    for number, item in enumerate(block.items, 1):
        pdf.set_x(left)
        pdf.cell(8, LINE, f"{number}.")
        _text_cell(pdf, pdf.w - pdf.r_margin - left - 8, pdf_text(item), "J")
    pdf.ln(PARAGRAPH_GAP)


_BLOCK_PRINTERS = {
    "heading": _print_heading,
    "paragraph": _print_paragraph,
    "closing": _print_paragraph,
    "table": _print_table,
    "list": _print_list,
}


def _signature_block(
    pdf: FPDF, x: float, y: float, first: str, signer: Signer, names_y: float
) -> None:
    """A block centred in SIGN_BLOCK_WIDTH at x: a first line (place and date, or
    "Mengetahui,"), the title, the signature space, the name underlined and the NIP."""
    pdf.set_xy(x, y)
    for text in (first, *signer.title_lines):
        pdf.set_x(x)
        _line(pdf, text, width=SIGN_BLOCK_WIDTH)
    pdf.set_xy(x, names_y)
    _line(pdf, signer.name, style="BU", width=SIGN_BLOCK_WIDTH)
    if signer.nip.strip():
        pdf.set_x(x)
        _line(pdf, f"NIP. {format_nip(signer.nip)}", width=SIGN_BLOCK_WIDTH)


def _signatures(pdf: FPDF, doc: LetterDocument) -> None:
    signers = [doc.signer, *([doc.countersigner] if doc.countersigner else [])]
    title_lines = max(len(s.title_lines) for s in signers)
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
        _signature_block(pdf, pdf.l_margin, top, doc.countersign_label, doc.countersigner, names_y)
    pdf.set_y(names_y + 2 * LINE + 2)


def _verification(pdf: FPDF, doc: LetterDocument) -> None:
    """Bottom left of the last page: the QR and the sentence that explains it."""
    pdf.set_auto_page_break(False)  # the footer zone is kept free above
    top = pdf.h - MARGIN_BOTTOM - QR_SIZE
    if doc.verification_url:
        draw_qr(pdf, doc.verification_url, pdf.l_margin, top, QR_SIZE)
        text_x = pdf.l_margin + QR_SIZE + 3
        pdf.set_font(FONT, "", 9)
        note = doc.verification_note or ""
    else:
        text_x = pdf.l_margin
        pdf.set_font(FONT, "B", 10)
        note = (
            "PRATINJAU \u2013 belum ditandatangani. Nomor surat dan kode QR verifikasi "
            "diberikan saat surat ditandatangani."
        )
    pdf.set_xy(text_x, top + QR_SIZE / 2 - 4.5)
    _text_cell(pdf, pdf.w - pdf.r_margin - text_x, pdf_text(note), height=4.5)
