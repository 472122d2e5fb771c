"""The city's emblem for the kop of every letter: uploaded by the admin, checked by its content
(never by its name or the type the browser claims), stored in the database so every server
process prints the same one. PNG is opened with Pillow; SVG is parsed with defusedxml (no DTD,
no entities, no external references, no script) and then drawn once by fpdf2, so an emblem that
saves is an emblem that prints."""

from __future__ import annotations

import datetime as dt
import io
import re

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from sodamolek.documents.layout import EMBLEM_SIZE, Emblem
from sodamolek.letters.tables import CityEmblem

MAX_BYTES = 512 * 1024
MAX_PIXELS = 2000  # a side; a kop emblem prints about 2.4 cm wide
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
# Anything that reaches outside the file or runs: refused in an emblem.
_FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "embed", "object", "image", "use"}
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)


class EmblemRefused(ValueError):
    """Why an upload is not an emblem, in Indonesian."""


def check_emblem(data: bytes) -> Emblem:
    """The upload as an Emblem, or EmblemRefused saying why."""
    if not data:
        raise EmblemRefused("Berkas kosong. Pilih gambar PNG atau SVG.")
    if len(data) > MAX_BYTES:
        raise EmblemRefused(f"Berkas terlalu besar: paling besar {MAX_BYTES // 1024} KB.")
    if data.startswith(PNG_MAGIC):
        return _png(data)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        return _svg(data)
    raise EmblemRefused("Berkas bukan gambar PNG atau SVG (dilihat dari isinya).")


def _png(data: bytes) -> Emblem:
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            if max(width, height) > MAX_PIXELS:
                raise EmblemRefused(f"Gambar terlalu besar: paling besar {MAX_PIXELS} piksel.")
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, EmblemRefused):
            raise
        raise EmblemRefused("Berkas PNG rusak atau tidak dapat dibaca.") from None
    return Emblem(data, "image/png")


def _svg(data: bytes) -> Emblem:
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException:
        raise EmblemRefused(
            "SVG memuat DTD atau entitas; simpan ulang sebagai SVG biasa."
        ) from None
    except SafeET.ParseError:
        raise EmblemRefused("Berkas SVG rusak atau tidak dapat dibaca.") from None
    if root.tag not in ("svg", SVG_NS + "svg"):
        raise EmblemRefused("Berkas bukan gambar SVG.")
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag in _FORBIDDEN_TAGS:
            raise EmblemRefused(f"SVG memuat <{tag}>: lambang harus gambar vektor saja.")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on") or (local == "href" and _EXTERNAL.match(value)):
                raise EmblemRefused("SVG memuat skrip atau tautan ke luar berkas.")
    emblem = Emblem(data, "image/svg+xml")
    _draws(emblem)
    return emblem


def _draws(emblem: Emblem) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    try:
        pdf.image(
            io.BytesIO(emblem.data),
            x=10,
            y=10,
            w=EMBLEM_SIZE,
            h=EMBLEM_SIZE,
            keep_aspect_ratio=True,
        )
        pdf.output()
    except Exception:  # noqa: BLE001 - whatever fpdf2 cannot draw is refused in words
        raise EmblemRefused("SVG ini tidak dapat digambar di surat; coba simpan ulang.") from None


async def store_emblem(emblem: Emblem, uploaded_by: str) -> None:
    await CityEmblem.insert(
        CityEmblem(
            data=emblem.data,
            media_type=emblem.media_type,
            uploaded_at=dt.datetime.now(dt.UTC),
            uploaded_by=uploaded_by[:150],
        )
    )


async def emblem_info() -> dict | None:
    """When and by whom the emblem in use was uploaded (None: the neutral default)."""
    return await (
        CityEmblem.select(CityEmblem.media_type, CityEmblem.uploaded_at, CityEmblem.uploaded_by)
        .order_by(CityEmblem.id, ascending=False)
        .first()
    )
