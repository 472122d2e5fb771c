"""Where async code draws PDFs: in a worker thread (drawing is CPU-bound), with fpdf2, fontTools
and pypdf imported when the first PDF is drawn. They are the largest part of the server's and
every CLI command's start-up, and most processes (the push worker, account commands, a server
before its first letter) never draw one. The letter's parts are plain values in layout.py.
"""

from __future__ import annotations

import asyncio

from sodamolek.documents.layout import LetterDocument


async def letter_pdf(document: LetterDocument) -> bytes:
    """The letter as PDF bytes (documents.pdf.render_letter_pdf)."""
    from sodamolek.documents.pdf import render_letter_pdf  # heavy: on first use, see above

    return await asyncio.to_thread(render_letter_pdf, document)


async def stamped_pdf(pdf: bytes, title: str, line: str) -> bytes:
    """The PDF with a red mark over every page (documents.stamp.stamp_pdf)."""
    from sodamolek.documents.stamp import stamp_pdf  # heavy: on first use, see above

    return await asyncio.to_thread(stamp_pdf, pdf, title, line)
