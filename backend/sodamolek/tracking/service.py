"""What a resident sees of a request, by its tracking code: no NIK, the name masked."""

from __future__ import annotations

from dataclasses import dataclass

from sodamolek.core.masking import mask_name
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions
from sodamolek.survey import service as survey

NEXT_STEP = {
    Status.IN_REVIEW: "Petugas kelurahan sedang memeriksa berkas Anda. Anda akan diberi kabar "
    "bila ada yang perlu dilengkapi.",
    Status.INCOMPLETE: "Berkas Anda belum lengkap. Lengkapi kekurangannya lalu bawa ke kantor "
    "kelurahan; permohonan akan diperiksa lagi.",
    Status.AWAITING_SIGNATURE: "Berkas sudah lengkap dan menunggu tanda tangan lurah.",
    Status.READY: "Surat Anda sudah ditandatangani dan siap diambil di kantor kelurahan.",
    Status.COLLECTED: "Surat sudah diambil. Terima kasih.",
    Status.REJECTED: "Permohonan tidak dapat diproses. Alasannya tertulis di bawah; tanyakan ke "
    "kantor kelurahan bila ada yang belum jelas.",
    Status.CANCELLED: "Permohonan dibatalkan.",
}
# The reasons a resident needs to act on; other reasons are the office's internal notes.
PUBLIC_REASONS = frozenset({Status.INCOMPLETE, Status.REJECTED})


@dataclass(frozen=True)
class TrackingView:
    code: str
    status: Status
    next_step: str
    masked_name: str
    letter_type_name: str
    created_at: object
    due_at: object
    ready_at: object
    timeline: list[dict]
    bring: list[str]
    office: dict
    request_id: int
    survey: str  # 'open' after pickup, 'done' once answered, else 'closed'


async def track(code: str) -> TrackingView | None:
    request = await requests.find_by_tracking_code(code)
    if request is None:
        return None
    status = Status(request["status"])
    timeline = [
        {
            "label": Status(e["to_status"]).label,
            "status": e["to_status"],
            "at": e["at"],
            "reason": e["reason"] if Status(e["to_status"]) in PUBLIC_REASONS else "",
        }
        for e in await requests.events_of(request["id"])
    ]
    letter_type = await letters.get_letter_type(request["letter_type_code"])
    office = await regions.get_kelurahan(request["kelurahan"])
    bring = ["Tanda terima permohonan (kode lacak ini)", "KTP-el asli pemohon"]
    if status is Status.INCOMPLETE:
        bring += [
            r for r in letter_type["requirements"] if r not in request["requirements_checked"]
        ]
    return TrackingView(
        code=request["tracking_code"],
        status=status,
        next_step=NEXT_STEP[status],
        masked_name=mask_name(request["applicant_name"]),
        letter_type_name=request["letter_type_name"],
        created_at=request["created_at"],
        due_at=request["due_at"],
        ready_at=request["ready_at"],
        timeline=timeline,
        bring=bring,
        office={
            "name": office["name"],
            "address": office["address"],
            "hours": office["hours"],
            "phone": office["phone"],
            "kecamatan": office["kecamatan_name"],
        },
        request_id=request["id"],
        survey=survey.state(request, await survey.is_answered(request["id"])),
    )  # fmt: skip
