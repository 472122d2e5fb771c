"""Requests (permohonan): creating them at the counter, moving them through their lifecycle,
the operator's queue. Every status change, its audit row and its counters commit together."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sodamolek import db
from sodamolek.accounts.service import CurrentUser
from sodamolek.core.nik import InvalidNik, parse_nik
from sodamolek.core.roles import Role
from sodamolek.db import as_utc, current_engine, read_transaction, stamps, write_transaction
from sodamolek.letter_requests import effects
from sodamolek.letter_requests.channels import Channel
from sodamolek.letter_requests.codes import new_tracking_code, normalise_tracking_code
from sodamolek.letter_requests.lifecycle import (
    ACTIVE,
    CLOCK_PAUSED,
    IN_PROGRESS,
    LETTER_ON_MOVE,
    By,
    Status,
    TransitionRefused,
    check_move,
)
from sodamolek.letter_requests.tables import LetterRequest, RequestCounter, RequestEvent
from sodamolek.letter_requests.workdays import (
    add_working_days,
    shift_working_days,
    working_days_between,
)
from sodamolek.letters import service as letters
from sodamolek.regions.service import cached_kelurahan

PAGE_SIZE = 25
COUNTER_ROLES = (Role.OPERATOR, Role.LURAH)
MAX_TEXT = {
    "applicant_name": 150,
    "applicant_birth_place": 100,
    "applicant_address": 500,
    "applicant_religion": 32,
    "applicant_occupation": 100,
    "applicant_marital_status": 32,
    "notes": 2000,
}
_PHONE = re.compile(r"(?:\+62|62|0)8\d{7,12}")
_RT_RW = re.compile(r"\d{1,3}")


class RequestInvalid(ValueError):
    """Input that cannot become a request; `errors` maps each field to its Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class IdempotencyConflict(Exception):
    """The same client_request_id was already used for different content."""


class RequestNotFound(LookupError):
    """No such request in the actor's offices (the same answer for 'exists elsewhere')."""


class VersionConflict(Exception):
    """The request changed since the page was loaded."""


class Registry(Protocol):
    async def lookup(self, nik: str) -> Any: ...


@dataclass
class Submission:
    """What the counter form or the API sends, as typed."""

    client_request_id: str
    letter_type: str
    applicant: Mapping[str, str]
    data: Mapping[str, str] = field(default_factory=dict)
    requirements_checked: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass(frozen=True)
class Created:
    request: dict
    created: bool  # False: the same request came back (idempotent replay)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------------------------
# Validation


def clean_applicant(raw: Mapping[str, str], today: dt.date) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    text = {k: " ".join(str(raw.get(k, "") or "").split()) for k in MAX_TEXT if k != "notes"}
    for key, limit in MAX_TEXT.items():
        if key in text and len(text[key]) > limit:
            errors[key] = f"Paling banyak {limit} karakter."
    if not text["applicant_name"]:
        errors["applicant_name"] = "Nama pemohon wajib diisi."
    nik_text = str(raw.get("applicant_nik", "") or "").strip()
    nik = None
    if nik_text:
        try:
            nik = parse_nik(nik_text, today=today)
        except InvalidNik as error:
            errors["applicant_nik"] = str(error)
    kk = re.sub(r"\s", "", str(raw.get("applicant_kk", "") or ""))
    if kk and not (kk.isdigit() and len(kk) == 16):
        errors["applicant_kk"] = "Nomor KK harus 16 angka."
    birth_date = None
    if birth_text := str(raw.get("applicant_birth_date", "") or "").strip():
        try:
            birth_date = dt.date.fromisoformat(birth_text)
            if birth_date > today:
                errors["applicant_birth_date"] = "Tanggal lahir tidak boleh di masa depan."
        except ValueError:
            errors["applicant_birth_date"] = "Tanggal lahir tidak sah (format TTTT-BB-HH)."
    sex = str(raw.get("applicant_sex", "") or "").strip().upper()
    if sex not in ("", "L", "P"):
        errors["applicant_sex"] = "Jenis kelamin L atau P."
    if nik and not errors.get("applicant_sex") and sex and sex != nik.sex:
        errors["applicant_sex"] = "Jenis kelamin tidak sesuai dengan NIK."
    rt_rw = {}
    for key in ("applicant_rt", "applicant_rw"):
        value = str(raw.get(key, "") or "").strip()
        if value and not _RT_RW.fullmatch(value):
            errors[key] = "RT/RW berupa angka, paling banyak 3 digit."
        rt_rw[key] = value.zfill(3) if value and key not in errors else value
    citizenship = str(raw.get("applicant_citizenship", "") or "").strip().upper()
    if citizenship not in ("", "WNI", "WNA"):
        errors["applicant_citizenship"] = "Kewarganegaraan WNI atau WNA."
    phone = re.sub(r"[\s\-()]", "", str(raw.get("applicant_phone", "") or ""))
    if phone and not _PHONE.fullmatch(phone):
        errors["applicant_phone"] = "Nomor HP tidak sah (contoh: 081234567890)."
    applicant = {
        "applicant_nik": nik.value if nik else None,
        "applicant_kk": kk,
        "applicant_name": text["applicant_name"],
        "applicant_birth_place": text["applicant_birth_place"],
        "applicant_birth_date": birth_date or (nik.birth_date if nik else None),
        "applicant_sex": sex or (nik.sex if nik else ""),
        "applicant_address": text["applicant_address"],
        "applicant_phone": phone,
        "applicant_religion": text["applicant_religion"],
        "applicant_occupation": text["applicant_occupation"],
        "applicant_marital_status": text["applicant_marital_status"],
        "applicant_citizenship": citizenship,
        **rt_rw,
    }
    return applicant, errors


def content_hash(letter_type: str, applicant: dict, data: dict, requirements: list, notes: str):
    canonical = json.dumps(
        {
            "type": letter_type,
            "applicant": applicant,
            "data": data,
            "requirements": sorted(requirements),
            "notes": notes,
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def validate_submission(submission: Submission, today: dt.date):
    """Everything checked before anything is written; all problems at once."""
    errors: dict[str, str] = {}
    try:
        client_id = uuid.UUID(str(submission.client_request_id))
    except ValueError:
        client_id = None
        errors["client_request_id"] = "client_request_id harus berupa UUID."
    letter_type = await letters.cached_letter_type(submission.letter_type)
    if letter_type is None or not letter_type["is_active"]:
        errors["letter_type"] = "Jenis surat tidak dikenal atau tidak aktif."
    applicant, applicant_errors = clean_applicant(submission.applicant, today)
    errors |= applicant_errors
    data: dict = {}
    requirements: list[str] = []
    if letter_type is not None:
        data, data_errors = letters.validate_request_data(letter_type, submission.data)
        errors |= {f"data.{k}": v for k, v in data_errors.items()}
        known = set(letter_type["requirements"])
        requirements = [r for r in dict.fromkeys(submission.requirements_checked) if r]
        if unknown := [r for r in requirements if r not in known]:
            errors["requirements_checked"] = f"Persyaratan tidak dikenal: {', '.join(unknown)}."
    notes = (submission.notes or "").strip()
    if len(notes) > MAX_TEXT["notes"]:
        errors["notes"] = f"Paling banyak {MAX_TEXT['notes']} karakter."
    if errors:
        raise RequestInvalid(errors)
    return client_id, letter_type, applicant, data, requirements, notes


# ---------------------------------------------------------------------------------------------
# Creating


async def create_request(
    actor: CurrentUser | None,
    submission: Submission,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
    *,
    channel: Channel = Channel.COUNTER,
    resident_kelurahan: int | None = None,
) -> Created:
    """A new request at the actor's kelurahan, or the existing one for a replayed
    client_request_id with the same content (IdempotencyConflict for other content).

    A resident applying from home has no account (actor None, channel RESIDENT): the request
    goes to `resident_kelurahan`, the office the registry says they live in."""
    if channel is Channel.RESIDENT:
        if actor is not None or resident_kelurahan is None:
            raise ValueError("a resident's request has no actor and names the office")
        kelurahan_id = resident_kelurahan
    elif actor is None or actor.kelurahan_id is None or actor.role not in COUNTER_ROLES:
        raise RequestInvalid(
            {"kelurahan": "Hanya petugas kelurahan yang dapat menerima permohonan."}
        )
    else:
        kelurahan_id = actor.kelurahan_id
    now = now or _now()
    if not stamps.refreshed():
        await stamps.refresh()
    for _ in range(3):
        try:
            return await _create(actor, submission, registry, now, channel, kelurahan_id)
        except _CachesStale:
            # An edit of a letter type or an office (in any worker) since they were read into
            # memory: the insert was rolled back, and the submission is checked again.
            continue
        except RequestInvalid:
            # Refused before any insert read the stamps: refused for good only if what was
            # read from memory is still current.
            if await stamps.refresh():
                continue
            raise
    raise RuntimeError("letter types or offices changed during three tries of one create")


class _CachesStale(Exception):
    pass


async def _create(actor, submission, registry, now, channel, kelurahan_id) -> Created:
    client_id, letter_type, applicant, data, requirements, notes = await validate_submission(
        submission, now.date()
    )
    digest = content_hash(letter_type["code"], applicant, data, requirements, notes)
    scope_key = idempotency_key(actor, client_id, kelurahan_id)
    office = await cached_kelurahan(kelurahan_id)
    if office is None:
        raise RequestInvalid({"kelurahan": "Kelurahan tidak dikenal."})

    # The registry is asked before the transaction: a slow network must not hold the write lock.
    # A replay asks it too: the insert below is what finds out that it is one.
    verified, note = await verify_applicant(registry, applicant)
    values = {
        "client_request_id": client_id,
        "idempotency_key": scope_key,
        "content_hash": digest,
        "tracking_code": new_tracking_code(),
        "kelurahan": kelurahan_id,
        "kecamatan": office["kecamatan"],
        "letter_type": letter_type["id"],
        "status": Status.IN_REVIEW.value,
        **applicant,
        "applicant_name_key": applicant["applicant_name"].casefold(),
        "applicant_verified": verified,
        "verification_note": note,
        "data": json.dumps(data),
        "requirements_checked": json.dumps(requirements),
        "notes": notes,
        "status_reason": "",
        "created_by": actor.id if actor else None,
        "created_at": now,
        "updated_at": now,
        "due_at": add_working_days(now, letter_type["service_days"]),
        "ready_at": None,
        "finished_at": None,
        "paused_at": None,
        "version": 1,
        "channel": channel.value,
    }
    inserted = None
    try:
        async with write_transaction(current_engine()):
            # One statement decides: a new row, or none when the client_request_id is taken (on
            # PostgreSQL after waiting for a racing twin's transaction to end).
            inserted = await db.fetch_one(_INSERT_REQUEST, *[values[c] for c in _REQUEST_COLUMNS])
            if inserted is not None and not stamps.current(inserted):
                raise _CachesStale()
            if inserted is not None:
                created = values | {
                    "id": inserted["id"],
                    "data": data,
                    "requirements_checked": requirements,
                    "letter_type_code": letter_type["code"],
                    "letter_type_name": letter_type["name"],
                    "kelurahan_name": office["name"],
                }
                await effects.run(
                    effects.StatusChange(
                        created,
                        None,
                        Status.IN_REVIEW,
                        actor,
                        "",
                        now,
                        actor_label=RESIDENT_ACTOR if actor is None else "",
                    )
                )
    except _CachesStale:
        raise
    except Exception as error:
        # Two replays of one submission racing where the insert could not wait for the other
        # (SQLite's busy lock, a unique index besides client_request_id): the loser answers with
        # the winner's request.
        if existing := await _existing(scope_key, client_id, digest):
            return Created(existing, created=False)
        raise error
    if inserted is None:
        # A replay (same office, caller kind and content), or a key used elsewhere (409).
        if existing := await _existing(scope_key, client_id, digest):
            return Created(existing, created=False)
        raise IdempotencyConflict(ELSEWHERE)
    return Created(created, created=True)


# Every column but id, in the table's order: the insert names them all, so nothing is left to
# a default the returned request would not show.
_REQUEST_COLUMNS = tuple(c._meta.db_column_name for c in LetterRequest._meta.non_default_columns)
_INSERT_REQUEST = db.Sql(
    f"INSERT INTO letter_request ({', '.join(_REQUEST_COLUMNS)}) "  # noqa: S608 - the table's columns
    f"VALUES ({', '.join('?' for _ in _REQUEST_COLUMNS)}) "
    # The caches' stamps read in the same statement: an edit made before it, in any worker,
    # is seen (the create is then checked again), for no statement of its own.
    f"ON CONFLICT (client_request_id) DO NOTHING RETURNING id, {stamps.returning()}"
)
_HOLDER_OF_KEY = db.Sql(
    "SELECT id, content_hash, idempotency_key FROM letter_request WHERE client_request_id = ?"
)
ELSEWHERE = "Kunci idempotensi ini sudah dipakai di tempat lain. Buat permohonan dengan kunci baru."


def idempotency_key(
    actor: CurrentUser | None, client_id: uuid.UUID, kelurahan_id: int | None = None
) -> str:
    """Replays match within one office and one kind of caller: the counter's staff (forms and
    the outbox's session API share it), the office's API tokens, or residents from home."""
    if actor is None:
        return f"{kelurahan_id}:resident:{client_id}"
    kind = "token" if actor.api_token_id else "staff"
    return f"{actor.kelurahan_id}:{kind}:{client_id}"


async def _existing(scope_key: str, client_id: uuid.UUID, digest: str) -> dict | None:
    # One read of the one row that can hold this client_request_id (unique everywhere): two
    # reads could see a racing replay's row appear between them and take it for another office's.
    row = await db.fetch_one(_HOLDER_OF_KEY, client_id)
    if row is None:
        return None
    if row["idempotency_key"] != scope_key:
        # Known elsewhere (another office or caller kind): refused, never that request.
        raise IdempotencyConflict(ELSEWHERE)
    if row["content_hash"] != digest:
        raise IdempotencyConflict(
            "Kunci idempotensi ini sudah dipakai untuk permohonan dengan isi berbeda."
        )
    return await _load(row["id"])


UNREACHABLE_NOTE = "Data kependudukan tidak dapat dihubungi; akan dicek ulang."


async def verify_applicant(registry: Registry | None, applicant: dict) -> tuple[bool, str]:
    """Verified when the registry knows the NIK under the same name."""
    nik = applicant["applicant_nik"]
    if not nik:
        return False, "Tanpa NIK: belum terverifikasi."
    if registry is None:
        return False, "Data kependudukan belum diperiksa."
    try:
        record = await registry.lookup(nik)
    except Exception:  # RegistryUnavailable or a network fault: the counter keeps working
        return False, UNREACHABLE_NOTE
    if record is None:
        return False, "NIK tidak ditemukan di data kependudukan."
    if _name_key(record.name) != _name_key(applicant["applicant_name"]):
        return False, "Nama berbeda dengan data kependudukan."
    return True, "Terverifikasi dari data kependudukan."


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", name).split()).casefold()


RESIDENT_ACTOR = "Pemohon (diajukan warga)"


# ---------------------------------------------------------------------------------------------
# Moving through the lifecycle


# What the issuing domain does to the request's letter on a move that concerns it (void the
# pending letter on a send-back, mark it valid on the countersign, revoke it): called inside the
# status change's transaction with the request's row, the move and its reason.
LetterStep = Callable[[dict, Status, Status, str, dt.datetime], Awaitable[None]]

CHANGED_MEANWHILE = (
    "Permohonan ini baru saja diubah oleh petugas lain. Muat ulang untuk melihat keadaan terbaru."
)


async def change_status(
    actor: CurrentUser,
    request_id: int,
    target: str,
    reason: str = "",
    expected_version: int | None = None,
    *,
    by: By = By.BUTTON,
    letter_step: LetterStep | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Apply one move of the lifecycle with its effects (letter_requests.effects) in one
    transaction. Raises RequestNotFound (outside the actor's offices), TransitionRefused (409:
    not allowed, or someone else moved it first), ReasonRequired (422) or VersionConflict (409).

    Inside a transaction of the caller's (signing) it joins that one."""
    now = now or _now()
    try:
        target_status = Status(target)
    except ValueError:
        raise TransitionRefused(f"Status {target!r} tidak dikenal.") from None
    reason = " ".join((reason or "").split())[:2000]
    async with write_transaction(current_engine()):
        row = await _scoped(actor).where(LetterRequest.id == request_id).first()
        if row is None:
            raise RequestNotFound()
        if expected_version is not None and row["version"] != expected_version:
            raise VersionConflict(CHANGED_MEANWHILE)
        current = Status(row["status"])
        check_move(current, target_status, actor.role, reason, by=by)
        if (current, target_status) in LETTER_ON_MOVE and letter_step is None:
            # A guard for scripts: this move changes a letter, which only issuing can do.
            raise TransitionRefused(
                f"Perubahan menjadi {target_status.label} dilakukan lewat halaman surat."
            )
        changes: dict = {
            LetterRequest.status: target_status.value,
            LetterRequest.status_reason: reason,
            LetterRequest.updated_at: now,
            LetterRequest.version: row["version"] + 1,
        }
        first_ready = target_status is Status.READY and row["ready_at"] is None
        if first_ready:
            changes[LetterRequest.ready_at] = now
        if target_status.is_closed:
            changes[LetterRequest.finished_at] = now
        elif current.is_closed:
            changes[LetterRequest.finished_at] = None  # a replacement letter is being prepared
        if target_status in CLOCK_PAUSED and current not in CLOCK_PAUSED:
            changes[LetterRequest.paused_at] = now
        elif current in CLOCK_PAUSED and target_status not in CLOCK_PAUSED:
            # The wait for the resident does not count: the due time moves on by its length.
            paused_at = as_utc(row["paused_at"]) or now
            waited = working_days_between(paused_at, now)
            changes[LetterRequest.due_at] = shift_working_days(as_utc(row["due_at"]), waited)
            changes[LetterRequest.paused_at] = None
        # Compare-and-set: of two moves at once, the second finds another status and stops.
        moved = (
            await LetterRequest.update(changes)
            .where(
                (LetterRequest.id == request_id)
                & (LetterRequest.status == current.value)
                & (LetterRequest.version == row["version"])
            )
            .returning(LetterRequest.id)
        )
        if not moved:
            raise TransitionRefused(CHANGED_MEANWHILE)
        changed = row | {column._meta.name: value for column, value in changes.items()}
        if letter_step is not None:
            await letter_step(changed, current, target_status, reason, now)
        await effects.run(
            effects.StatusChange(
                changed, current, target_status, actor, reason, now, first_ready=first_ready
            )
        )
    return await _load(request_id)


# ---------------------------------------------------------------------------------------------
# Reading


# The active statuses written into the SQL as constants, the same as in the partial indexes
# letter_request_active_kelurahan/_kecamatan (migration 2026-12-01T14:30:00): with them the
# queue's default page reads 25 index entries in order at any office size instead of sorting
# every active request. The values come from the lifecycle, never from input.
ACTIVE_CONDITION = "letter_request.status IN (" + ", ".join(f"'{s.value}'" for s in ACTIVE) + ")"


def _scoped(actor: CurrentUser, *columns):
    query = LetterRequest.select(*columns) if columns else LetterRequest.select()
    if actor.role in (Role.OPERATOR, Role.LURAH):
        return query.where(LetterRequest.kelurahan == actor.kelurahan_id)
    if actor.role is Role.CAMAT:
        return query.where(LetterRequest.kecamatan == actor.kecamatan_id)
    return query  # the city admin sees every office


def _decode(row: dict) -> dict:
    for key, default in (("data", {}), ("requirements_checked", [])):
        value = row.get(key)
        row[key] = json.loads(value) if isinstance(value, str) else (value or default)
    for key in ("created_at", "updated_at", "due_at", "ready_at", "finished_at", "paused_at"):
        if key in row:
            row[key] = as_utc(row[key])
    return row


async def _load(request_id: int) -> dict:
    row = (
        await LetterRequest.select(
            *LetterRequest.all_columns(),
            LetterRequest.letter_type.code.as_alias("letter_type_code"),
            LetterRequest.letter_type.name.as_alias("letter_type_name"),
            LetterRequest.kelurahan.name.as_alias("kelurahan_name"),
        )
        .where(LetterRequest.id == request_id)
        .first()
    )
    if row is None:
        raise RequestNotFound()
    return _decode(row)


async def get_request(actor: CurrentUser, request_id: int) -> dict:
    """The request with its audit trail, if it is in the actor's offices."""
    async with read_transaction(current_engine()):
        found = await _scoped(actor, LetterRequest.id).where(LetterRequest.id == request_id).first()
        if found is None:
            raise RequestNotFound()
        request = await _load(request_id)
        request["events"] = [
            e | {"at": as_utc(e["at"])}
            for e in await RequestEvent.select()
            .where(RequestEvent.request == request_id)
            .order_by(RequestEvent.id)
        ]
    return request


# Statuses whose requests are late once past their due time: in the office's hands (not while
# they wait for the resident). Members compare and hash as their values, so a row's status
# string is looked up as it is.
CAN_BE_OVERDUE = frozenset(s for s in IN_PROGRESS if s not in CLOCK_PAUSED)
STATUS_VALUES = frozenset(s.value for s in Status)


def is_overdue(request: dict, now: dt.datetime) -> bool:
    """Past its due time while in the office's hands (not while it waits for the resident)."""
    return request["status"] in CAN_BE_OVERDUE and request["due_at"] < now


@dataclass(frozen=True)
class QueuePage:
    items: list[dict]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    status: str | None  # the chosen tab (None: "Semua yang berjalan")
    query: str
    every_status: bool = False  # the search looked beyond the tab, into every status
    stamp: tuple[str | None, ...] = ()  # queue_stamp(actor), read before the rows
    # When the first of its rows that can be late will be (None: none can): the page as read is
    # the page until then, unless the stamp changes.
    fresh_until: dt.datetime | None = None


# The queue's statements (db.reads), one per shape, built on first use: the actor's offices,
# which statuses, which search. Values are always parameters; only these fixed fragments are
# joined into the SQL.
SCOPE_CONDITION = {
    "kelurahan": "letter_request.kelurahan = ?",
    "kecamatan": "letter_request.kecamatan = ?",
    "kota": "",  # the city admin sees every office
}
STATUS_CONDITION = {"active": ACTIVE_CONDITION, "one": "letter_request.status = ?", "every": ""}
SEARCH_CONDITION = {
    "": "",
    "code": "letter_request.tracking_code = ?",
    "nik": "letter_request.applicant_nik = ?",
    # A casefolded substring; LIKE's wildcards were dropped from what was typed.
    "name": "letter_request.applicant_name_key LIKE ?",
    "nothing": "letter_request.id < 0",
}
QUEUE_COLUMNS = (
    "letter_request.id, letter_request.tracking_code, letter_request.status, "
    "letter_request.applicant_name, letter_request.applicant_verified, letter_request.channel, "
    "letter_request.verification_note, letter_request.due_at, "
    "letter_type.name AS letter_type_name, kelurahan.name AS kelurahan_name"
)
COUNTS = {
    "kelurahan": db.Sql("SELECT status, count FROM request_counter WHERE kelurahan = ?"),
    "kecamatan": db.Sql(
        "SELECT request_counter.status, request_counter.count FROM request_counter "
        "JOIN kelurahan ON kelurahan.id = request_counter.kelurahan WHERE kelurahan.kecamatan = ?"
    ),
    "kota": db.Sql("SELECT status, count FROM request_counter"),
}


@dataclass(frozen=True)
class QueueShape:
    scope: str  # a key of SCOPE_CONDITION
    statuses: str  # of STATUS_CONDITION
    search: str  # of SEARCH_CONDITION


def _where(shape: QueueShape) -> str:
    conditions = [
        SCOPE_CONDITION[shape.scope],
        STATUS_CONDITION[shape.statuses],
        SEARCH_CONDITION[shape.search],
    ]
    return "WHERE " + (" AND ".join(c for c in conditions if c) or "1 = 1")


@functools.cache
def queue_page_sql(shape: QueueShape) -> db.Sql:
    """One page of the queue, soonest due first (the active requests' page is read in that
    order from their partial index)."""
    joins = (
        "JOIN letter_type ON letter_type.id = letter_request.letter_type "
        "JOIN kelurahan ON kelurahan.id = letter_request.kelurahan"
    )
    order = "ORDER BY letter_request.due_at, letter_request.id LIMIT ? OFFSET ?"
    return db.Sql(
        " ".join(("SELECT", QUEUE_COLUMNS, "FROM letter_request", joins, _where(shape), order))
    )


@functools.cache
def _count_sql(shape: QueueShape) -> db.Sql:
    return db.Sql(" ".join(("SELECT COUNT(*) AS matching FROM letter_request", _where(shape))))


def queue_statement(
    actor: CurrentUser, statuses: list[Status], search: tuple[str, str | None]
) -> tuple[QueueShape, list[object]]:
    """The shape of the actor's queue read and its values (without LIMIT and OFFSET)."""
    scope = actor.role.scope
    values: list[object] = []
    if scope == "kelurahan":
        values.append(actor.kelurahan_id)
    elif scope == "kecamatan":
        values.append(actor.kecamatan_id)
    if statuses == list(ACTIVE):
        kind = "active"
    elif len(statuses) == 1:
        kind = "one"
        values.append(statuses[0].value)
    else:  # every status (a search that looks beyond the tab)
        kind = "every"
    search_kind, search_value = search
    if search_value is not None:
        values.append(search_value)
    return QueueShape(scope, kind, search_kind), values


async def queue(
    actor: CurrentUser,
    *,
    status: str | None = None,
    query: str = "",
    page: int = 1,
    now: dt.datetime | None = None,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """The office's requests, soonest due first. Without a status: the active ones.

    A search looks further than the tab: an exact tracking code or NIK names one person's
    requests, so it finds them in every status (finished ones too); a name typed with no tab
    chosen also searches every status, and within the chosen tab otherwise."""
    now = now or _now()
    query = " ".join((query or "").split())[:100]
    tab = Status(status) if status in STATUS_VALUES else None
    search = _search_condition(query)
    if search[0] and (tab is None or _is_exact_search(query)):
        statuses = list(Status)
    else:
        statuses = [tab] if tab else list(ACTIVE)
    shape, values = queue_statement(actor, statuses, search)
    # A name is searched as a substring, over the office's whole history: in a thread.
    long = shape.search == "name"
    # Raw: the page's rows are decoded below (its due time and verified flag), not by a
    # converter call per column of every row.
    async with db.reading(long=long, raw=True):
        # First: rows read after it are at least as new as the stamp (PostgreSQL reads each
        # statement at its own moment), so a list kept under it is never older than it says.
        stamp = await queue_stamp(actor)
        counts = await status_counts(actor)
        if shape.search:
            found = await db.fetch_one(_count_sql(shape), *values, long=long)
            total = found["matching"] if found else 0
        else:
            total = sum(counts.get(s.value, 0) for s in statuses)
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        rows = await db.fetch(
            queue_page_sql(shape), *values, page_size, (page - 1) * page_size, long=long
        )
    # Each row is a dict of its own (the engines make a new one per row).
    fresh_until = None
    for item in rows:
        item["due_at"] = db.stored_time(item["due_at"])
        item["applicant_verified"] = bool(item["applicant_verified"])
        item["overdue"] = is_overdue(item, now)
        if item["status"] in CAN_BE_OVERDUE and not item["overdue"]:
            fresh_until = min(fresh_until or item["due_at"], item["due_at"])
    return QueuePage(
        rows,
        counts,
        total,
        page,
        pages,
        tab.value if tab else None,
        query,
        every_status=len(statuses) == len(Status),
        stamp=stamp,
        fresh_until=fresh_until,
    )


# What an actor's queue list is made of, as stamps: each of its offices' queue_stamp (new with
# every change to one of their requests or counters, by the database's triggers) and the
# stamps of the letter types' and offices' names its rows show (db.stamps). The same stamps,
# the same list, but for the clock (QueuePage.fresh_until). An operator's (every counter's
# refresh) is one row of three lookups: a union sorted for its order took SQLite a temporary
# B-tree, 2.5 times the cost; a camat's and the city's are sorted here.
_NAME_STAMPS = (
    "SELECT 1 AS part, id AS n, stamp FROM cache_stamp WHERE name IN ('letter_types', 'offices')"
)
QUEUE_STAMPS = {
    "kelurahan": db.Sql(
        "SELECT (SELECT stamp FROM queue_stamp WHERE kelurahan = ?) AS office, "
        "(SELECT stamp FROM cache_stamp WHERE name = 'letter_types') AS letter_types, "
        "(SELECT stamp FROM cache_stamp WHERE name = 'offices') AS offices"
    ),
    "kecamatan": db.Sql(
        "SELECT 0 AS part, queue_stamp.kelurahan AS n, queue_stamp.stamp FROM queue_stamp "  # noqa: S608
        "JOIN kelurahan ON kelurahan.id = queue_stamp.kelurahan WHERE kelurahan.kecamatan = ? "
        f"UNION ALL {_NAME_STAMPS}"
    ),
    "kota": db.Sql(
        "SELECT 0 AS part, kelurahan AS n, stamp FROM queue_stamp "  # noqa: S608
        f"UNION ALL {_NAME_STAMPS}"
    ),
}


async def queue_stamp(actor: CurrentUser) -> tuple[str | None, ...]:
    """The stamps of what the actor's queue list shows (QUEUE_STAMPS)."""
    scope = actor.role.scope
    if scope == "kelurahan":
        (row,) = await db.fetch(QUEUE_STAMPS[scope], actor.kelurahan_id, raw=True)
        return (row["office"], row["letter_types"], row["offices"])
    office = [actor.kecamatan_id] if scope == "kecamatan" else []
    rows = await db.fetch(QUEUE_STAMPS[scope], *office, raw=True)
    return tuple(sorted(f"{row['part']}.{row['n']}:{row['stamp']}" for row in rows))


async def status_counts(actor: CurrentUser) -> dict[str, int]:
    """Counts by status over the actor's offices, from the counters (constant time)."""
    scope = actor.role.scope
    office = {"kelurahan": [actor.kelurahan_id], "kecamatan": [actor.kecamatan_id]}
    counts = {s.value: 0 for s in Status}
    for row in await db.fetch(COUNTS[scope], *office.get(scope, [])):
        counts[row["status"]] += row["count"]
    return counts


def _exact_nik(query: str) -> str | None:
    digits = re.sub(r"\D", "", query)
    if len(digits) == 16 and len(digits) >= len(query.replace(" ", "")) - 2:
        return digits
    return None


def _is_exact_search(query: str) -> bool:
    return bool(normalise_tracking_code(query) or _exact_nik(query))


def _search_condition(query: str) -> tuple[str, str | None]:
    """The search's kind (a key of SEARCH_CONDITION) and its value."""
    if not query:
        return "", None
    if code := normalise_tracking_code(query):
        return "code", code
    if nik := _exact_nik(query):
        return "nik", nik
    # LIKE's wildcards are dropped from what was typed (names do not contain them).
    words = query.casefold().replace("%", "").replace("_", "").strip()
    if not words:
        return "nothing", None
    return "name", f"%{words}%"


async def find_by_tracking_code(code: str) -> dict | None:
    """For the public tracking page: no actor, the code is the key."""
    request_id = await request_id_for_code(code)
    return await _load(request_id) if request_id else None


# The tracking page's request in one statement: what the resident may see of it, its type and
# its office (db.reads: SQL written once, read in the event loop on SQLite).
TRACKED = db.Sql(
    "SELECT r.id, r.tracking_code, r.status, r.status_reason, r.applicant_name, "
    "r.requirements_checked, r.created_at, r.due_at, r.ready_at, "
    "t.code AS letter_type_code, t.name AS letter_type_name, "
    "t.requirements AS letter_type_requirements, "
    "o.name AS office_name, o.address AS office_address, o.hours AS office_hours, "
    "o.phone AS office_phone, k.name AS office_kecamatan "
    "FROM letter_request r JOIN letter_type t ON t.id = r.letter_type "
    "JOIN kelurahan o ON o.id = r.kelurahan JOIN kecamatan k ON k.id = o.kecamatan "
    "WHERE r.tracking_code = ?"
)


async def tracked_request(code: str) -> dict | None:
    """The request a tracking code names, for its public page (the caller masks the name and
    shows no NIK: none is read here)."""
    normalised = normalise_tracking_code(code)
    row = await db.fetch_one(TRACKED, normalised) if normalised else None
    return None if row is None else decode_tracked(row)


def decode_tracked(row: dict) -> dict:
    """A row of TRACKED (or of a statement built on it) with its JSON and dates read."""
    row = _decode(row)
    requirements = row["letter_type_requirements"]
    row["letter_type_requirements"] = (
        json.loads(requirements) if isinstance(requirements, str) else requirements
    )
    return row


async def rebuild_counters() -> None:
    """Recount every office's statuses from the requests themselves (after a bulk import or a
    restore); normal operation keeps the counters in step transactionally."""
    async with write_transaction(current_engine()):
        await RequestCounter.delete(force=True)
        await RequestCounter.raw(
            "INSERT INTO request_counter (kelurahan, status, count) "
            "SELECT kelurahan, status, COUNT(*) FROM letter_request GROUP BY kelurahan, status"
        )


EVENTS = db.Sql(
    "SELECT from_status, to_status, reason, at FROM request_event WHERE request = ? ORDER BY id"
)


async def events_of(request_id: int) -> list[dict]:
    return [r | {"at": as_utc(r["at"])} for r in await db.fetch(EVENTS, request_id)]


async def recheck_unverified(registry: Registry, limit: int = 50) -> int:
    """Ask the registry again about active requests taken while it was unreachable; returns
    how many got an answer. Run by the worker; a still-unreachable registry changes nothing."""
    rows = (
        await LetterRequest.select(
            LetterRequest.id, LetterRequest.applicant_nik, LetterRequest.applicant_name
        )
        .where(
            (LetterRequest.verification_note == UNREACHABLE_NOTE)
            & LetterRequest.status.is_in([s.value for s in ACTIVE])
        )
        .order_by(LetterRequest.id)
        .limit(limit)
    )
    answered = 0
    for row in rows:
        applicant = {"applicant_nik": row["applicant_nik"], "applicant_name": row["applicant_name"]}
        verified, note = await verify_applicant(registry, applicant)
        if note == UNREACHABLE_NOTE:
            break  # still down: try the rest next time
        await LetterRequest.update(
            {LetterRequest.applicant_verified: verified, LetterRequest.verification_note: note}
        ).where(LetterRequest.id == row["id"])
        answered += 1
    return answered


ID_FOR_CODE = db.Sql("SELECT id FROM letter_request WHERE tracking_code = ?")


async def request_id_for_code(code: str) -> int | None:
    """The request a tracking code names (for the resident's push subscription)."""
    normalised = normalise_tracking_code(code)
    if normalised is None:
        return None
    row = await db.fetch_one(ID_FOR_CODE, normalised)
    return row["id"] if row else None
