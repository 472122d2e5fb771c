"""Requirement photos and scans: checked by their content, images re-encoded, stored by hash.

A file is what its first bytes say, never what its name or the browser's Content-Type claim:
JPEG, PNG and WebP are decoded with Pillow (bounded in pixels before anything is decoded) and
written again as a fresh JPEG, so no EXIF (GPS, camera, owner), no comment and nothing appended
to the original survives; a PDF is kept as sent only if it is a plain document (no scripts,
launch actions, embedded files or forms). Files go to `<data dir>/lampiran/ab/abcdef…` under the
hash of the stored bytes, never under a URL anyone can guess: staff of the request's office
read them through the request (attachments.views), with `Cache-Control: no-store`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from sodamolek.attachments.tables import Attachment

MAX_FILES = 8  # per request and per upload
MAX_FILE_BYTES = 5 * 1024 * 1024  # as sent: the phone shrinks photos to ≤ 400 KB first
# Pillow refuses (DecompressionBombError) at twice this and warns above it; the warning is an
# error here. 40 MP is well above any phone camera's photo (a 12 MP shot is 4032 × 3024).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
LONGEST_SIDE = 1600  # what the phone's script aims at; the server enforces it again
TARGET_BYTES = 400 * 1024
FOLDER = "lampiran"

JPEG, PDF = "image/jpeg", "application/pdf"
_IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# PDF names that make a document do something when opened; '#xx' escapes are decoded first.
_ACTIVE_PDF_NAMES = {
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"AcroForm",
    b"SubmitForm",
    b"ImportData",
    b"GoToR",
    b"GoToE",
}
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})+)")
_MARKUP = re.compile(rb"<\s*(?:script|html|body|iframe|svg|\?php)", re.IGNORECASE)

UNSUPPORTED = "bukan foto (JPEG, PNG, WebP) atau PDF. Kirim foto dari kamera atau berkas PDF."


class FileRefused(ValueError):
    """A file that is not stored; the message says why, in Indonesian."""


@dataclass(frozen=True)
class CleanFile:
    data: bytes  # what is stored: re-encoded for images, as sent for a PDF
    media_type: str
    width: int = 0
    height: int = 0
    requirement: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(raw: bytes) -> str | None:
    """jpeg, png, webp or pdf from the file's first bytes; None for anything else."""
    if raw.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(raw) >= 12 and raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "webp"
    if raw.startswith(b"%PDF-"):
        return "pdf"
    return None


def clean_file(raw: bytes, requirement: str = "") -> CleanFile:
    """The file as it will be stored, or FileRefused."""
    if not raw:
        raise FileRefused("berkasnya kosong.")
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(f"terlalu besar (paling besar {MAX_FILE_BYTES // (1024 * 1024)} MB).")
    kind = sniff(raw)
    if kind is None:
        raise FileRefused(UNSUPPORTED)
    if kind == "pdf":
        return CleanFile(_checked_pdf(raw), PDF, requirement=requirement)
    data, width, height = _reencoded(raw, _IMAGE_FORMATS[kind])
    return CleanFile(data, JPEG, width, height, requirement)


def _reencoded(raw: bytes, image_format: str) -> tuple[bytes, int, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the format the bytes claim: a JPEG header never lets another decoder in.
            with Image.open(io.BytesIO(raw), formats=[image_format]) as image:
                if image.width * image.height > MAX_PIXELS:  # read from the header alone
                    raise FileRefused(_too_many_pixels())
                image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # JPEG: decode smaller
                image.seek(0)  # an animated image: its first frame
                upright = ImageOps.exif_transpose(image)  # the photo as it was held
                picture = _flattened(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(_too_many_pixels()) from None
    except FileRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise FileRefused("tidak dapat dibaca sebagai foto (rusak atau bukan foto).") from None
    picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    picture.info.clear()  # nothing of the original's metadata goes into the new file
    for quality in (85, 75, 65, 55):
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= TARGET_BYTES:
            break
    return out.getvalue(), picture.width, picture.height


def _flattened(image: Image.Image) -> Image.Image:
    """RGB on white: transparency becomes paper, palettes and greyscale become colour."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


def _too_many_pixels() -> str:
    return f"ukuran gambarnya terlalu besar (lebih dari {MAX_PIXELS // 1_000_000} juta piksel)."


def _checked_pdf(raw: bytes) -> bytes:
    if not re.match(rb"%PDF-[12]\.\d", raw) or b"%%EOF" not in raw[-1024:]:
        raise FileRefused("bukan PDF yang utuh.")
    if _MARKUP.search(raw):
        raise FileRefused("berisi kode halaman web; kirim PDF hasil pindaian biasa.")
    names = {_decoded_name(m.group(1)) for m in _PDF_NAME.finditer(raw)}
    if names & _ACTIVE_PDF_NAMES:
        raise FileRefused(
            "berisi skrip, formulir atau berkas sisipan; kirim PDF hasil pindaian biasa."
        )
    return raw


def _decoded_name(name: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)


def clean_files(files: list[tuple[str, bytes]]) -> list[CleanFile]:
    """Every (requirement, bytes) checked; the first refusal names the file it is about."""
    if len(files) > MAX_FILES:
        raise FileRefused(f"Paling banyak {MAX_FILES} berkas sekali kirim.")
    cleaned = []
    for position, (requirement, raw) in enumerate(files, start=1):
        try:
            cleaned.append(clean_file(raw, requirement))
        except FileRefused as refused:
            label = f"“{requirement}”" if requirement else f"ke-{position}"
            raise FileRefused(f"Berkas {label} {refused}") from None
    return cleaned


async def clean_files_in_thread(files: list[tuple[str, bytes]]) -> list[CleanFile]:
    """Decoding a photo takes tens of milliseconds of CPU: not on the event loop."""
    return await asyncio.to_thread(clean_files, files)


# ---------------------------------------------------------------------------------------------
# Storing and reading


def path_for(data_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256")
    return data_dir / FOLDER / sha256[:2] / sha256


def _write(data_dir: Path, clean: CleanFile) -> None:
    target = path_for(data_dir, clean.sha256)
    if target.exists():  # same content, same name: already there
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(clean.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)  # readers never see half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def attach(
    request_id: int,
    files: list[CleanFile],
    data_dir: Path,
    channel: str,
    uploaded_by: int | None = None,
) -> int:
    """Store the files and tie them to the request; the same file again is the same row.
    Returns how many rows are new. Files are written (and synced) before their rows, so a row
    never names a missing file."""
    if not files:
        return 0
    total = await Attachment.count().where(Attachment.request == request_id)
    if total + len(files) > MAX_FILES * 2:
        raise FileRefused(f"Permohonan ini sudah punya {total} lampiran; tidak bisa ditambah.")
    for clean in files:
        await asyncio.to_thread(_write, data_dir, clean)
    now = dt.datetime.now(dt.UTC)
    rows = await Attachment.insert(
        *[
            Attachment(
                request=request_id,
                key=f"{request_id}:{clean.sha256}",
                sha256=clean.sha256,
                media_type=clean.media_type,
                size=len(clean.data),
                width=clean.width,
                height=clean.height,
                requirement=clean.requirement[:200],
                channel=channel,
                uploaded_by=uploaded_by,
                created_at=now,
            )
            for clean in files
        ]
    ).on_conflict(target=Attachment.key, action="DO NOTHING")
    return len(rows)


async def attachments_of(request_id: int) -> list[dict]:
    return await (
        Attachment.select(
            Attachment.id,
            Attachment.media_type,
            Attachment.size,
            Attachment.width,
            Attachment.height,
            Attachment.requirement,
            Attachment.channel,
            Attachment.created_at,
        )
        .where(Attachment.request == request_id)
        .order_by(Attachment.id)
    )


async def read(request_id: int, attachment_id: int, data_dir: Path) -> tuple[dict, bytes] | None:
    """The attachment's row and bytes, if it belongs to that request (the caller has checked
    that the request is in the reader's office)."""
    row = (
        await Attachment.select()
        .where((Attachment.id == attachment_id) & (Attachment.request == request_id))
        .first()
    )
    if row is None:
        return None
    data = await asyncio.to_thread(path_for(data_dir, row["sha256"]).read_bytes)
    return row, data
