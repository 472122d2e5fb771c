"""The request (permohonan) lifecycle and the letter's own states, written once: statuses,
labels, the allowed moves (who, whether a reason and a confirmation are needed), which statuses
tell the resident, and where the service-time clock runs. Pure: no database.

Every path obeys this table: the counter's buttons, the API, the lurah's signature, the
camat's countersign, revocation, the CLI and scripts (they all call
letter_requests.service.change_status). docs/lifecycle.md is rendered from it
(`render_markdown`), and a test keeps the two equal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sodamolek.core.roles import Role


class Status(StrEnum):
    IN_REVIEW = "in_review"
    INCOMPLETE = "incomplete"
    AWAITING_SIGNATURE = "awaiting_signature"
    AWAITING_COUNTERSIGN = "awaiting_countersign"
    READY = "ready"
    COLLECTED = "collected"
    REVOKED = "revoked"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def is_final(self) -> bool:
        """No move leads out of it."""
        return not MOVES.get(self)

    @property
    def is_closed(self) -> bool:
        """Out of the office's hands: the request has its end time (finished_at)."""
        return self in CLOSED


LABELS = {
    Status.IN_REVIEW: "Sedang Diperiksa",
    Status.INCOMPLETE: "Belum Lengkap",
    Status.AWAITING_SIGNATURE: "Menunggu Tanda Tangan",
    Status.AWAITING_COUNTERSIGN: "Menunggu Tanda Tangan Camat",
    Status.READY: "Siap Diambil",
    Status.COLLECTED: "Sudah Diambil",
    Status.REVOKED: "Dicabut",
    Status.REJECTED: "Ditolak",
    Status.CANCELLED: "Dibatalkan",
}
# What the resident reads on the tracking page for each status.
RESIDENT_TEXT = {
    Status.IN_REVIEW: "Petugas kelurahan sedang memeriksa berkas Anda. Anda akan diberi kabar "
    "bila ada yang perlu dilengkapi.",
    Status.INCOMPLETE: "Berkas Anda belum lengkap. Lengkapi kekurangannya lalu bawa ke kantor "
    "kelurahan; permohonan akan diperiksa lagi.",
    Status.AWAITING_SIGNATURE: "Berkas sudah lengkap dan menunggu tanda tangan lurah.",
    Status.AWAITING_COUNTERSIGN: "Lurah sudah menandatangani; surat menunggu tanda tangan camat.",
    Status.READY: "Surat Anda sudah ditandatangani dan siap diambil di kantor kelurahan.",
    Status.COLLECTED: "Surat sudah diambil. Terima kasih.",
    Status.REVOKED: "Surat Anda dicabut dan tidak berlaku lagi. Alasannya tertulis di bawah; "
    "kantor kelurahan dapat menerbitkan surat pengganti.",
    Status.REJECTED: "Permohonan tidak dapat diproses. Alasannya tertulis di bawah; tanyakan ke "
    "kantor kelurahan bila ada yang belum jelas.",
    Status.CANCELLED: "Permohonan dibatalkan.",
}
# Out of the office's hands: finished_at is set, the service-time clock has stopped.
CLOSED = frozenset({Status.COLLECTED, Status.REVOKED, Status.REJECTED, Status.CANCELLED})
# In the office's queue (ready letters wait there for pickup).
ACTIVE = tuple(s for s in Status if s not in CLOSED)
# Still being worked on: these count towards the service time and can be overdue.
IN_PROGRESS = (
    Status.IN_REVIEW,
    Status.INCOMPLETE,
    Status.AWAITING_SIGNATURE,
    Status.AWAITING_COUNTERSIGN,
)
# The service-time clock is paused here: the request waits for the resident, not the office.
CLOCK_PAUSED = frozenset({Status.INCOMPLETE})
# The resident is told about these (Web Push).
NOTIFY = frozenset({Status.INCOMPLETE, Status.REJECTED, Status.READY, Status.REVOKED})
# The reason of a move into these concerns the resident and is shown on the tracking page;
# other reasons (a send-back) are the office's own notes.
PUBLIC_REASON = frozenset({Status.INCOMPLETE, Status.REJECTED, Status.CANCELLED, Status.REVOKED})

COUNTER_STAFF = frozenset({Role.OPERATOR, Role.LURAH})


class By(StrEnum):
    """How a move happens: a button on the request page, or only as part of signing."""

    BUTTON = "button"
    SIGNATURE = "signature"  # the lurah's signature (issuing.service.sign_request)
    COUNTERSIGN = "countersign"  # the camat's countersign (issuing.service.countersign)


@dataclass(frozen=True)
class Move:
    to: Status
    action: str  # the button's words
    roles: frozenset[Role] = COUNTER_STAFF
    needs_reason: bool = False
    confirm: bool = False  # destructive: asks "are you sure" (a page, or the htmx dialog)
    by: By = By.BUTTON
    note: str = ""  # what else happens, for the docs and the confirmation page

    @property
    def notifies(self) -> bool:
        return self.to in NOTIFY


LURAH = frozenset({Role.LURAH})
SEND_BACK_NOTE = "surat yang menunggu tanda tangan dibatalkan (nomornya tetap tercatat)"

MOVES: dict[Status, tuple[Move, ...]] = {
    Status.IN_REVIEW: (
        Move(Status.AWAITING_SIGNATURE, "Teruskan ke lurah"),
        Move(Status.INCOMPLETE, "Kembalikan: belum lengkap", needs_reason=True),
        Move(Status.REJECTED, "Tolak", needs_reason=True, confirm=True),
        Move(Status.CANCELLED, "Batalkan", needs_reason=True, confirm=True),
    ),
    Status.INCOMPLETE: (
        Move(Status.IN_REVIEW, "Sudah dilengkapi, periksa lagi"),
        Move(Status.CANCELLED, "Batalkan", needs_reason=True, confirm=True),
    ),
    Status.AWAITING_SIGNATURE: (
        Move(
            Status.READY,
            "Tanda tangani",
            roles=LURAH,
            by=By.SIGNATURE,
            note="surat tanpa tanda tangan camat: bernomor dan sah",
        ),
        Move(
            Status.AWAITING_COUNTERSIGN,
            "Tanda tangani",
            roles=LURAH,
            by=By.SIGNATURE,
            note="surat yang perlu camat: bernomor, menunggu camat",
        ),
        Move(
            Status.IN_REVIEW,
            "Kembalikan ke pemeriksaan",
            roles=LURAH,
            needs_reason=True,
            confirm=True,
        ),
    ),
    Status.AWAITING_COUNTERSIGN: (
        Move(
            Status.READY,
            "Tanda tangani (camat)",
            roles=frozenset({Role.CAMAT}),
            by=By.COUNTERSIGN,
            note="surat menjadi sah",
        ),
        Move(
            Status.IN_REVIEW,
            "Kembalikan ke pemeriksaan",
            roles=frozenset({Role.LURAH, Role.CAMAT}),
            needs_reason=True,
            confirm=True,
            note=SEND_BACK_NOTE,
        ),
    ),
    Status.READY: (
        Move(Status.COLLECTED, "Sudah diambil pemohon"),
        Move(
            Status.REVOKED,
            "Cabut surat",
            roles=frozenset({Role.LURAH, Role.ADMIN}),
            needs_reason=True,
            confirm=True,
            note="surat tidak berlaku lagi",
        ),
    ),
    Status.COLLECTED: (
        Move(
            Status.REVOKED,
            "Cabut surat",
            roles=frozenset({Role.LURAH, Role.ADMIN}),
            needs_reason=True,
            confirm=True,
            note="surat tidak berlaku lagi",
        ),
    ),
    Status.REVOKED: (
        Move(
            Status.AWAITING_SIGNATURE,
            "Siapkan surat pengganti",
            roles=LURAH,
            note="surat baru menyebut nomor surat yang diganti",
        ),
    ),
}


class LetterState(StrEnum):
    """A letter's own state, beside its request's status."""

    PENDING = "pending"  # signed by the lurah, waits for the camat: never SAH
    VALID = "valid"  # every signature it needs
    VOIDED = "voided"  # sent back before it was issued; its number stays accounted for
    REVOKED = "revoked"  # withdrawn after issue
    REPLACED = "replaced"  # revoked, and a replacement letter names it

    @property
    def label(self) -> str:
        return LETTER_LABELS[self]

    @property
    def is_live(self) -> bool:
        """At most one live letter per request (a partial unique index says so too)."""
        return self in LIVE_LETTER_STATES


LETTER_LABELS = {
    LetterState.PENDING: "Menunggu tanda tangan camat",
    LetterState.VALID: "Sah",
    LetterState.VOIDED: "Batal sebelum terbit",
    LetterState.REVOKED: "Dicabut",
    LetterState.REPLACED: "Dicabut dan diganti",
}
LIVE_LETTER_STATES = frozenset({LetterState.PENDING, LetterState.VALID})
# What happens to the request's live letter on a move (the service applies it).
LETTER_ON_MOVE = {
    (Status.AWAITING_COUNTERSIGN, Status.READY): (LetterState.PENDING, LetterState.VALID),
    (Status.AWAITING_COUNTERSIGN, Status.IN_REVIEW): (LetterState.PENDING, LetterState.VOIDED),
    (Status.READY, Status.REVOKED): (LetterState.VALID, LetterState.REVOKED),
    (Status.COLLECTED, Status.REVOKED): (LetterState.VALID, LetterState.REVOKED),
}


class TransitionRefused(Exception):
    """A move the lifecycle does not allow; the message says why, in words (HTTP 409)."""


class ReasonRequired(ValueError):
    """The move needs a reason and none was given (HTTP 422)."""


def find_move(current: Status, target: Status) -> Move | None:
    return next((m for m in MOVES.get(current, ()) if m.to == target), None)


def check_move(
    current: Status, target: Status, role: Role, reason: str, *, by: By = By.BUTTON
) -> Move:
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
    if move.by is not by:
        who = "tanda tangan camat" if move.by is By.COUNTERSIGN else "tanda tangan lurah"
        raise TransitionRefused(f"Status {target.label} hanya diberikan lewat {who}.")
    if move.needs_reason and not reason.strip():
        raise ReasonRequired(f"Alasan wajib diisi untuk mengubah status menjadi {target.label}.")
    return move


def moves_for(current: Status, role: Role) -> list[Move]:
    """The buttons a person with `role` sees on a request in `current`."""
    return [m for m in MOVES.get(current, ()) if role in m.roles and m.by is By.BUTTON]


# ---------------------------------------------------------------------------------------------
# The table as documentation

ROLE_NAMES = {
    Role.OPERATOR: "operator",
    Role.LURAH: "lurah",
    Role.CAMAT: "camat",
    Role.ADMIN: "admin",
}


def _who(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_NAMES[r] for r in ROLE_NAMES if r in roles)


def markdown_tables() -> str:
    """The status table and the letter-state table as Markdown, for docs/lifecycle.md."""
    lines = [
        "| status | label | next (who; how) |",
        "|---|---|---|",
    ]
    for status in Status:
        nexts = []
        for m in MOVES.get(status, ()):
            how = [m.by.value] if m.by is not By.BUTTON else []
            how += ["reason"] if m.needs_reason else []
            how += ["confirm"] if m.confirm else []
            how += ["notifies"] if m.notifies else []
            extra = f"; {', '.join(how)}" if how else ""
            note = f" — {m.note}" if m.note else ""
            nexts.append(f"`{m.to.value}` ({_who(m.roles)}{extra}){note}")
        flags = []
        if status in CLOCK_PAUSED:
            flags.append("service-time clock paused")
        if status in CLOSED:
            flags.append("closed")
        label = status.label + (f" ({', '.join(flags)})" if flags else "")
        lines.append(f"| `{status.value}` | {label} | {'<br>'.join(nexts) or '—'} |")
    lines += [
        "",
        "| letter state | label | live |",
        "|---|---|---|",
    ]
    for state in LetterState:
        lines.append(f"| `{state.value}` | {state.label} | {'yes' if state.is_live else 'no'} |")
    lines += [
        "",
        "Statuses that notify the resident: "
        + ", ".join(f"`{s.value}`" for s in Status if s in NOTIFY)
        + ". Reasons shown to the resident: "
        + ", ".join(f"`{s.value}`" for s in Status if s in PUBLIC_REASON)
        + ".",
    ]
    return "\n".join(lines) + "\n"


# How a step reads in a request's history (the person who made it is shown beside it).
EVENT_TITLES = {
    (None, Status.IN_REVIEW): "Permohonan diterima",
    (Status.AWAITING_SIGNATURE, Status.READY): "Ditandatangani lurah",
    (Status.AWAITING_SIGNATURE, Status.AWAITING_COUNTERSIGN): "Ditandatangani lurah",
    (Status.AWAITING_COUNTERSIGN, Status.READY): "Ditandatangani camat (mengetahui)",
    (Status.AWAITING_SIGNATURE, Status.IN_REVIEW): "Dikembalikan ke pemeriksaan",
    (Status.AWAITING_COUNTERSIGN, Status.IN_REVIEW): "Dikembalikan ke pemeriksaan",
    (Status.READY, Status.REVOKED): "Surat dicabut",
    (Status.COLLECTED, Status.REVOKED): "Surat dicabut",
    (Status.REVOKED, Status.AWAITING_SIGNATURE): "Surat pengganti disiapkan",
}


def event_title(from_status: str | None, to_status: str) -> str:
    before = Status(from_status) if from_status else None
    after = Status(to_status)
    return EVENT_TITLES.get((before, after), after.label)
