"""The published service standard (standar pelayanan) of a letter type: the six parts
PermenPANRB 15/2014 requires to be published — requirements; system, mechanism and procedure;
time; cost; product; complaints, suggestions and feedback. Built from the letter type's own
data and the request lifecycle each time it is shown, so it cannot disagree with what the
counter applies (the counter reads the same row and the same lifecycle)."""

from __future__ import annotations

from dataclasses import dataclass

from sodamolek.core.formatting import format_cost
from sodamolek.core.roles import Role
from sodamolek.letter_requests.lifecycle import MOVES, NOTIFY, Status

# What happens on each forward move of the lifecycle, in the resident's words. A move missing
# here still gets a generic sentence, so a changed lifecycle shows up on the page.
FORWARD_TEXT = {
    (Status.IN_REVIEW, Status.AWAITING_SIGNATURE): (
        "Petugas memeriksa kelengkapan dan kebenaran berkas, lalu meneruskannya untuk "
        "ditandatangani"
    ),
    (Status.AWAITING_SIGNATURE, Status.READY): (
        "{signers} menandatangani surat; surat mendapat nomor resmi dan kode QR untuk "
        "memeriksa keasliannya"
    ),
    (Status.AWAITING_SIGNATURE, Status.AWAITING_COUNTERSIGN): (
        "Lurah menandatangani surat; surat mendapat nomor resmi dan menunggu tanda tangan camat"
    ),
    (Status.AWAITING_COUNTERSIGN, Status.READY): (
        "Camat menandatangani (mengetahui); surat menjadi sah dan mendapat kode QR untuk "
        "memeriksa keasliannya"
    ),
    (Status.READY, Status.COLLECTED): (
        "Pemohon mengambil surat di kantor kelurahan dengan menunjukkan tanda terima dan KTP-el"
    ),
}
ROLE_WORDS = {Role.OPERATOR: "petugas", Role.LURAH: "lurah", Role.CAMAT: "camat"}


@dataclass(frozen=True)
class ServiceStandard:
    code: str
    name: str
    description: str
    requirements: list[str]
    procedure: list[Step]
    service_days: int
    time: str
    cost: int
    cost_text: str
    product: str
    validity: str
    complaints: list[str]


def _who(roles) -> str:
    names = [ROLE_WORDS[r] for r in (Role.OPERATOR, Role.LURAH, Role.CAMAT) if r in roles]
    return " atau ".join(names) or "petugas"


def _forward(status: Status, needs_camat: bool = False):
    """The move that takes a request onward (no reason needed, not a cancellation): after the
    lurah's signature, to the camat for the types that need one."""
    skip = Status.READY if needs_camat else Status.AWAITING_COUNTERSIGN
    return next(
        (
            m
            for m in MOVES.get(status, ())
            if not m.needs_reason
            and m.to is not Status.CANCELLED
            and not (status is Status.AWAITING_SIGNATURE and m.to is skip)
        ),
        None,
    )


@dataclass(frozen=True)
class Step:
    text: str
    alternatives: list[str]  # the moves that need a reason, possible at this step


def procedure(letter_type: dict) -> list[Step]:
    """The steps from the counter to pickup, walked along the lifecycle: each forward move is a
    step, with the moves that need a reason (returned, rejected) as its alternatives."""
    signers = "Lurah dan camat" if letter_type.get("needs_camat") else "Lurah"
    steps = [
        Step(
            "Pemohon datang ke kantor kelurahan membawa persyaratan. Petugas mencatat "
            f"permohonan dan memberi tanda terima berisi kode lacak. Status: "
            f"{Status.IN_REVIEW.label}.",
            [],
        )
    ]
    status, seen = Status.IN_REVIEW, {Status.IN_REVIEW}
    needs_camat = bool(letter_type.get("needs_camat"))
    while (move := _forward(status, needs_camat)) is not None and move.to not in seen:
        text = FORWARD_TEXT.get((status, move.to), "Permohonan diproses lebih lanjut")
        text = f"{text.format(signers=signers)}. Status: {move.to.label}."
        if move.to in NOTIFY:
            text += " Pemohon diberi tahu."
        alternatives = []
        for branch in (m for m in MOVES.get(status, ()) if m.needs_reason):
            alternative = (
                f"Sebaliknya, {_who(branch.roles)} dapat mengubah status menjadi "
                f"{branch.to.label} dengan alasan tertulis"
                + (" yang diberitahukan kepada pemohon" if branch.to in NOTIFY else "")
                + "."
            )
            if _returns_to(branch.to, status):
                alternative += f" Setelah diperbaiki, permohonan kembali berstatus {status.label}."
            alternatives.append(alternative)
        steps.append(Step(text, alternatives))
        seen.add(move.to)
        status = move.to
    steps.append(
        Step(
            "Selama proses, pemohon dapat melihat status permohonan kapan saja di halaman Lacak "
            "(/lacak) dengan kode lacak pada tanda terima.",
            [],
        )
    )
    return steps


def _returns_to(status: Status, back: Status) -> bool:
    return any(m.to is back for m in MOVES.get(status, ()))


def build_standard(letter_type: dict, complaints_channel: str) -> ServiceStandard:
    days = letter_type["service_days"]
    validity = letter_type.get("validity_days")
    return ServiceStandard(
        code=letter_type["code"],
        name=letter_type["name"],
        description=letter_type.get("description", ""),
        requirements=list(letter_type["requirements"]),
        procedure=procedure(letter_type),
        service_days=days,
        time=(
            f"Paling lama {days} hari kerja sejak permohonan diterima di loket (hari kerja: "
            "Senin–Jumat). Tanggal perkiraan selesai tertulis di tanda terima."
        ),
        cost=letter_type["cost"],
        cost_text=(
            "Gratis. Tidak ada pungutan apa pun untuk surat ini."
            if not letter_type["cost"]
            else f"{format_cost(letter_type['cost'])}, dibayar di loket dengan tanda bukti."
        ),
        product=(
            f"{letter_type['name']} bernomor resmi, ditandatangani "
            + ("lurah dan camat" if letter_type.get("needs_camat") else "lurah")
            + ", dengan kode QR untuk memeriksa keasliannya di /verifikasi."
        ),
        validity=(
            f"Berlaku {validity} hari sejak tanggal surat."
            if validity
            else "Tidak dibatasi masa berlakunya."
        ),
        complaints=[
            "Kantor kelurahan tempat permohonan diajukan: alamat, jam layanan dan nomor "
            "telepon tercantum pada tanda terima dan di halaman Lacak.",
            complaints_channel,
            "Setelah surat diambil, isi Survei Kepuasan Masyarakat di halaman Lacak.",
        ],
    )
