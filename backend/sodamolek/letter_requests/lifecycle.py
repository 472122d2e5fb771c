"""The request (permohonan) lifecycle: statuses, labels, allowed moves. Pure: no database."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sodamolek.core.roles import Role


class Status(StrEnum):
    IN_REVIEW = "in_review"
    INCOMPLETE = "incomplete"
    AWAITING_SIGNATURE = "awaiting_signature"
    READY = "ready"
    COLLECTED = "collected"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL


LABELS = {
    Status.IN_REVIEW: "Sedang Diperiksa",
    Status.INCOMPLETE: "Belum Lengkap",
    Status.AWAITING_SIGNATURE: "Menunggu Tanda Tangan",
    Status.READY: "Siap Diambil",
    Status.COLLECTED: "Sudah Diambil",
    Status.REJECTED: "Ditolak",
    Status.CANCELLED: "Dibatalkan",
}
FINAL = frozenset({Status.COLLECTED, Status.REJECTED, Status.CANCELLED})
ACTIVE = tuple(s for s in Status if s not in FINAL)
# The resident is told about these (Web Push).
NOTIFY = frozenset({Status.INCOMPLETE, Status.REJECTED, Status.READY})


@dataclass(frozen=True)
class Move:
    to: Status
    action: str  # the button's words
    needs_reason: bool = False
    roles: frozenset[Role] = frozenset({Role.OPERATOR, Role.LURAH})
    by_signing_only: bool = False  # `ready` comes from the lurah's signature, not a button


MOVES: dict[Status, tuple[Move, ...]] = {
    Status.IN_REVIEW: (
        Move(Status.AWAITING_SIGNATURE, "Teruskan ke lurah"),
        Move(Status.INCOMPLETE, "Kembalikan: belum lengkap", needs_reason=True),
        Move(Status.REJECTED, "Tolak", needs_reason=True),
        Move(Status.CANCELLED, "Batalkan"),
    ),
    Status.INCOMPLETE: (
        Move(Status.IN_REVIEW, "Sudah dilengkapi, periksa lagi"),
        Move(Status.CANCELLED, "Batalkan"),
    ),
    Status.AWAITING_SIGNATURE: (
        Move(Status.READY, "Tanda tangani", roles=frozenset({Role.LURAH}), by_signing_only=True),
        Move(
            Status.IN_REVIEW,
            "Kembalikan ke pemeriksaan",
            needs_reason=True,
            roles=frozenset({Role.LURAH}),
        ),
    ),
    Status.READY: (Move(Status.COLLECTED, "Sudah diambil pemohon"),),
}


class TransitionRefused(Exception):
    """A move the lifecycle does not allow; the message says why, in words (HTTP 409)."""


class ReasonRequired(ValueError):
    """The move needs a reason and none was given (HTTP 422)."""


def find_move(current: Status, target: Status) -> Move | None:
    return next((m for m in MOVES.get(current, ()) if m.to == target), None)


def check_move(current: Status, target: Status, role: Role, reason: str, *, signing=False) -> Move:
    """The move from `current` to `target` by someone with `role`, or why not."""
    move = find_move(current, target)
    if move is None:
        if current.is_final:
            raise TransitionRefused(
                f"Permohonan sudah berstatus {current.label}; statusnya tidak dapat diubah lagi."
            )
        raise TransitionRefused(
            f"Permohonan berstatus {current.label} tidak dapat diubah menjadi {target.label}."
        )
    if role not in move.roles:
        raise TransitionRefused(
            f"Peran {role.label} tidak dapat mengubah status menjadi {target.label}."
        )
    if move.by_signing_only and not signing:
        raise TransitionRefused(f"Status {target.label} hanya diberikan lewat tanda tangan lurah.")
    if move.needs_reason and not reason.strip():
        raise ReasonRequired(f"Alasan wajib diisi untuk mengubah status menjadi {target.label}.")
    return move


def moves_for(current: Status, role: Role) -> list[Move]:
    """The buttons a person with `role` sees on a request in `current`."""
    return [m for m in MOVES.get(current, ()) if role in m.roles and not m.by_signing_only]
