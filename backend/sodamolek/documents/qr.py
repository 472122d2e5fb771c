"""The QR code printed on a letter: segno encodes it, fpdf2 draws it as vector rectangles (one per
run of dark modules in a row), so it stays sharp on any printer. Drawn straight from segno's
matrix: parsing segno's SVG in fpdf2 cost more than the rest of the kop."""

from __future__ import annotations

import re

import segno
from fpdf import FPDF
from fpdf.enums import RenderStyle

QR_ERROR = "m"  # 15 % recovery survives a fold or a smudge; segno raises it when that is free
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
# Any of the eight data masks is valid (ISO/IEC 18004 7.8); segno would score all eight to pick
# the most even-looking, half of the QR's time. Mask 4 is the one it picks for four in five
# verification URLs, and the best-scoring on average over them; scanners read it (tests decode it).
QR_MASK = 4


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False, mask=QR_MASK)


SEAM = 0.02  # mm each run overlaps the row below: no hairline between rows on screen
_DARK_RUN = re.compile(b"\x01+")


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of url, quiet zone included, as a size × size square at (x, y)."""
    code = qr_code(url)
    unit = size / code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    left, top = x + QUIET_ZONE * unit, y + QUIET_ZONE * unit
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row, modules in enumerate(code.matrix):  # bytes of 1 (dark) and 0, no quiet zone
            for run in _DARK_RUN.finditer(modules):
                start, end = run.span()
                # The style as fpdf2's enum: a string is parsed again for every rectangle.
                pdf.rect(
                    left + start * unit,
                    top + row * unit,
                    (end - start) * unit,
                    unit + SEAM,
                    style=RenderStyle.F,
                )
