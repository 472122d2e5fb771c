"""Correcting a request (koreksi): the operator fixes the applicant, the letter type's fields, the
requirements ticked and the notes of a request that is still being examined — in review,
returned as incomplete (Belum Lengkap), or sent back by the lurah (in review again, with the
send-back in its history). The tracking code stays; the version goes up by one; an append-only
row names every changed field by its label, with the value before and after.

Concurrency is optimistic: the caller says which version it edited (the page's hidden input,
the API's If-Match), and a request changed meanwhile is refused rather than overwritten."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sodamolek.accounts.service import CurrentUser
from sodamolek.core.roles import Role
from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.letter_requests import service
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letter_requests.tables import LetterRequest, RequestCorrection
from sodamolek.letters import service as letters

# Statuses whose content may still change: nothing has been signed for them. A request the
# lurah sent back is in review again.
CORRECTABLE = frozenset({Status.IN_REVIEW, Status.INCOMPLETE})

APPLICANT_LABELS = {
    "applicant_nik": "NIK",
    "applicant_kk": "Nomor KK",
    "applicant_name": "Nama lengkap",
    "applicant_birth_place": "Tempat lahir",
    "applicant_birth_date": "Tanggal lahir",
    "applicant_sex": "Jenis kelamin",
    "applicant_address": "Alamat",
    "applicant_rt": "RT",
    "applicant_rw": "RW",
    "applicant_phone": "Nomor HP",
    "applicant_religion": "Agama",
    "applicant_occupation": "Pekerjaan",
    "applicant_marital_status": "Status perkawinan",
    "applicant_citizenship": "Kewarganegaraan",
}
REQUIREMENTS_LABEL = "Persyaratan yang sudah diperiksa"
NOTES_LABEL = "Catatan petugas"
_SEX = {"L": "Laki-laki", "P": "Perempuan"}
STALE = (
    "Permohonan ini baru saja diubah oleh petugas lain. Muat ulang untuk melihat keadaan terbaru, "
    "lalu ulangi perubahan Anda."
)


class CorrectionRefused(Exception):
    """The request's status does not allow a correction (HTTP 409); the message says why."""


class CorrectionForbidden(PermissionError):
    """The actor's role may read the request but not correct it (HTTP 403)."""


@dataclass
class Correction:
    """What is to change. None leaves that part as it is (a PATCH may send only some of it);
    `applicant` and `data` are merged over the current values, key by key."""

    applicant: Mapping[str, str] | None = None  # keyed "applicant_<field>", as in the form
    data: Mapping[str, str] | None = None  # keyed by the letter type's field names
    requirements_checked: list[str] | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Corrected:
    request: dict
    changes: list[dict]  # [{"field", "label", "before", "after"}]; empty: nothing was written


def can_correct(status: str) -> bool:
    return status in {s.value for s in CORRECTABLE}


def refusal(status: str) -> str:
    label = Status(status).label
    return (
        f"Permohonan berstatus {label} tidak dapat diubah lagi. Perubahan data hanya untuk "
        "permohonan yang sedang diperiksa, belum lengkap, atau dikembalikan ke pemeriksaan."
    )


def current_values(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request's editable content as the form shows it (text, dates as yyyy-mm-dd)."""
    values: dict[str, Any] = {key: _text(request.get(key)) for key in APPLICANT_LABELS}
    values |= {f"data.{k}": _text(v) for k, v in (request.get("data") or {}).items()}
    values["requirements_checked"] = list(request.get("requirements_checked") or [])
    values["notes"] = request.get("notes") or ""
    return values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # a Date column read back by some drivers
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


async def correct_request(
    actor: CurrentUser,
    request_id: int,
    correction: Correction,
    expected_version: int,
    registry: service.Registry | None = None,
    now: dt.datetime | None = None,
) -> Corrected:
    """Apply a correction made on `expected_version` of the request.

    Raises service.RequestNotFound (not in the actor's office), CorrectionForbidden (a role that
    only reads), service.VersionConflict (changed since that version), CorrectionRefused (its
    status no longer allows it) or service.RequestInvalid (all input problems at once, keyed as
    the counter form's fields)."""
    now = now or dt.datetime.now(dt.UTC)
    request = await service.get_request(actor, request_id)  # scoped: 404 for other offices
    if actor.role not in (Role.OPERATOR, Role.LURAH):
        raise CorrectionForbidden("Hanya petugas kelurahan yang dapat mengubah data permohonan.")
    if request["version"] != expected_version:
        raise service.VersionConflict(STALE)
    if not can_correct(request["status"]):
        raise CorrectionRefused(refusal(request["status"]))

    letter_type = await letters.get_letter_type(request["letter_type_code"])
    if letter_type is None:  # letter types are deactivated, never deleted
        raise CorrectionRefused("Jenis surat permohonan ini tidak ditemukan.")
    applicant, data, requirements, notes = _validate(request, letter_type, correction, now.date())
    changes = _changes(request, letter_type, applicant, data, requirements, notes)
    if not changes:
        return Corrected(request, [])

    verified, note = request["applicant_verified"], request["verification_note"]
    who = ("applicant_nik", "applicant_name")
    if any(applicant[k] != request[k] for k in who):
        # Asked before the transaction, as at creation: a slow registry must not hold the lock.
        verified, note = await service.verify_applicant(registry, applicant)

    async with write_transaction(current_engine()):
        # Only the version we checked may be replaced: a concurrent correction or status change
        # since then bumped it, and this one is refused instead of overwriting it.
        updated = (
            await LetterRequest.update(
                {
                    **{getattr(LetterRequest, k): v for k, v in applicant.items()},
                    LetterRequest.applicant_name_key: applicant["applicant_name"].casefold(),
                    LetterRequest.applicant_verified: verified,
                    LetterRequest.verification_note: note,
                    LetterRequest.data: json.dumps(data),
                    LetterRequest.requirements_checked: json.dumps(requirements),
                    LetterRequest.notes: notes,
                    LetterRequest.updated_at: now,
                    LetterRequest.version: expected_version + 1,
                }
            )
            .where(
                (LetterRequest.id == request_id)
                & (LetterRequest.version == expected_version)
                & LetterRequest.status.is_in([s.value for s in CORRECTABLE])
            )
            .returning(LetterRequest.id)
        )
        if not updated:
            raise service.VersionConflict(STALE)
        await RequestCorrection.insert(
            RequestCorrection(
                request=request_id,
                actor=actor.id,
                actor_name=f"{actor.full_name} ({actor.role_label})",
                status=request["status"],
                version=expected_version + 1,
                changes=json.dumps(changes, ensure_ascii=False),
                at=now,
            )
        )
    return Corrected(await service.get_request(actor, request_id), changes)


def _validate(request: dict, letter_type: dict, correction: Correction, today: dt.date):
    """The corrected content through the same rules as a new request: the applicant's, and the
    letter type's own for its fields and requirements."""
    current = current_values(request)
    raw_applicant = {k: current[k] for k in APPLICANT_LABELS}
    for key, value in (correction.applicant or {}).items():
        if key in APPLICANT_LABELS:
            raw_applicant[key] = "" if value is None else str(value)
    applicant, errors = service.clean_applicant(raw_applicant, today)

    old_data = dict(request.get("data") or {})
    raw_data = {k: _text(v) for k, v in old_data.items()}
    for key, value in (correction.data or {}).items():
        raw_data[str(key)] = "" if value is None else str(value)
    clean, data_errors = letters.validate_request_data(letter_type, raw_data)
    errors |= {f"data.{k}": v for k, v in data_errors.items()}
    # Answers to fields the type no longer has stay as they were (the letter may name them).
    data = {k: v for k, v in old_data.items() if k not in clean} | clean

    requirements = list(request.get("requirements_checked") or [])
    if correction.requirements_checked is not None:
        requirements = [r for r in dict.fromkeys(correction.requirements_checked) if r]
        known = set(letter_type["requirements"])
        if unknown := [r for r in requirements if r not in known]:
            errors["requirements_checked"] = f"Persyaratan tidak dikenal: {', '.join(unknown)}."

    notes = request.get("notes") or ""
    if correction.notes is not None:
        notes = correction.notes.strip()
        if len(notes) > service.MAX_TEXT["notes"]:
            errors["notes"] = f"Paling banyak {service.MAX_TEXT['notes']} karakter."
    if errors:
        raise service.RequestInvalid(errors)
    return applicant, data, requirements, notes


def _changes(request, letter_type, applicant, data, requirements, notes) -> list[dict]:
    changes = []

    def note(field: str, label: str, before: str, after: str) -> None:
        if before != after:
            changes.append({"field": field, "label": label, "before": before, "after": after})

    for key, label in APPLICANT_LABELS.items():
        before, after = _text(request.get(key)), _text(applicant.get(key))
        if key == "applicant_sex":
            before, after = _SEX.get(before, before), _SEX.get(after, after)
        note(key, label, before, after)
    old_data = request.get("data") or {}
    for field in letter_type.get("fields") or []:
        name = field["name"]
        note(f"data.{name}", field["label"], _text(old_data.get(name)), _text(data.get(name)))
    old_requirements = list(request.get("requirements_checked") or [])
    if set(old_requirements) != set(requirements):
        note(
            "requirements_checked",
            REQUIREMENTS_LABEL,
            ", ".join(old_requirements) or "—",
            ", ".join(requirements) or "—",
        )
    note("notes", NOTES_LABEL, request.get("notes") or "", notes)
    return changes


async def corrections_of(request_id: int) -> list[dict]:
    """The request's corrections, oldest first (for its page and the API). The caller has
    already checked that the request is in the actor's office."""
    rows = (
        await RequestCorrection.select(
            RequestCorrection.actor_name,
            RequestCorrection.status,
            RequestCorrection.version,
            RequestCorrection.changes,
            RequestCorrection.at,
        )
        .where(RequestCorrection.request == request_id)
        .order_by(RequestCorrection.id)
    )
    for row in rows:
        row["at"] = as_utc(row["at"])
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"])
    return rows
