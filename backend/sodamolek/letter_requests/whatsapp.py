"""'Kabari lewat WhatsApp': a wa.me link from the request page to the applicant's own number,
with a prefilled Indonesian message. Residents without push still hear about their request, and
the message is typed (and sent) by the operator's own WhatsApp: nothing leaves the server.

Only the first name goes into the message (and so into the link the operator opens): the rest of
the name, the NIK and the address stay on the request page."""

from __future__ import annotations

import re
from urllib.parse import quote

from sodamolek.letter_requests.lifecycle import Status

# What an Indonesian mobile number looks like once spacing is gone: 08…, 628… or +628….
_MOBILE = re.compile(r"(?:\+?62|0)(8\d{7,12})")

NEXT_STEP = {
    Status.IN_REVIEW: "sedang diperiksa petugas kelurahan",
    Status.INCOMPLETE: "belum lengkap; mohon lengkapi kekurangannya (rinciannya di tautan)",
    Status.AWAITING_SIGNATURE: "sudah lengkap dan menunggu tanda tangan lurah",
    Status.AWAITING_COUNTERSIGN: "sudah ditandatangani lurah dan menunggu tanda tangan camat",
    Status.READY: "sudah selesai dan siap diambil di kantor kelurahan",
    Status.COLLECTED: "sudah diambil",
    Status.REJECTED: "tidak dapat diproses (alasannya di tautan)",
    Status.CANCELLED: "dibatalkan",
    Status.REVOKED: "dicabut dan tidak berlaku lagi (alasannya di tautan)",
}


def international_number(phone: str) -> str | None:
    """08123… / +62 812-3… / 628123… -> 628123… (wa.me wants digits with the country code);
    None for anything that is not an Indonesian mobile number."""
    digits = re.sub(r"[\s\-().]", "", phone or "")
    match = _MOBILE.fullmatch(digits)
    return f"62{match.group(1)}" if match else None


def first_name(full_name: str) -> str:
    words = (full_name or "").split()
    return words[0].capitalize() if words else ""


def message(request: dict, base_url: str) -> str:
    status = Status(request["status"])
    greeting = f"Halo {name}," if (name := first_name(request["applicant_name"])) else "Halo,"
    step = NEXT_STEP.get(status, status.label.lower())
    return (
        f"{greeting} permohonan {request['letter_type_name']} Anda di Kelurahan "
        f"{request['kelurahan_name']} (kode lacak {request['tracking_code']}) berstatus "
        f"{status.label}: {step}.\n"
        f"Lacak permohonan: {base_url.rstrip('/')}/lacak/{request['tracking_code']}"
    )


def link(request: dict, base_url: str) -> str | None:
    """The wa.me link for the request page's button, or None when the applicant left no usable
    number (the button is then not shown)."""
    number = international_number(request.get("applicant_phone", ""))
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(message(request, base_url), safe='')}"
