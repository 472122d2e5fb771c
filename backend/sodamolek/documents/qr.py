"""The QR code printed on a letter: segno encodes it, fpdf2 draws segno's SVG as vector paths,
so it stays sharp on any printer and shows no seams between modules on screen."""

from __future__ import annotations

import io

import segno
from fpdf import FPDF

QR_ERROR = "m"  # 15 % recovery survives a fold or a smudge; segno raises it when that is free
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_svg(url: str) -> bytes:
    """The QR as a compact SVG (one path), quiet zone included; also usable on a web page."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", border=QUIET_ZONE, xmldecl=False, omitsize=True)
    return buffer.getvalue()


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of url, quiet zone included, as a size × size square at (x, y)."""
    pdf.image(io.BytesIO(qr_svg(url)), x=x, y=y, w=size, h=size)
