"""A visible mark over every page of an issued PDF ("DICABUT" and why), for a letter that is no
longer valid. The stored PDF stays as it was signed; the mark is laid over it when served."""

from __future__ import annotations

import io

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from sodamolek.documents.pdf import pdf_text

RED = (200, 0, 0)
FONT = "Helvetica"  # a core font: the mark needs no embedding


def _stamp_page(width_pt: float, height_pt: float, title: str, line: str) -> PdfReader:
    page = FPDF(unit="pt", format=(width_pt, height_pt))
    page.add_page()
    page.set_text_color(*RED)
    page.set_draw_color(*RED)
    with page.rotation(35, x=width_pt / 2, y=height_pt / 2):
        page.set_font(FONT, "B", 96)
        page.set_xy(0, height_pt / 2 - 60)
        page.cell(width_pt, 96, pdf_text(title), align="C")
    # A plain line at the top, readable even where the big word is not.
    page.set_font(FONT, "B", 11)
    page.set_line_width(1.5)
    page.rect(24, 14, width_pt - 48, 24)
    page.set_xy(30, 20)
    page.cell(width_pt - 60, 12, pdf_text(line), align="C")
    return PdfReader(io.BytesIO(bytes(page.output())))


def stamp_pdf(pdf: bytes, title: str, line: str) -> bytes:
    """`pdf` with `title` across each page and `line` in a box at its top."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.merge_page(_stamp_page(width, height, title, line).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
