"""Issuing letters: the lurah's signature, the camat's countersign, sending back, revocation and
replacement, and the public verification.

Every one of them is a move of the request's lifecycle (letter_requests.lifecycle) made through
letter_requests.service.change_status, with what it does to the letter as its `letter_step`:
the status, the letter, the audit row, the counters and the push message commit together. The
PDF is rendered after that short transaction and stored in another: rendering inside the write
transaction held SQLite's write lock for the whole rendering, and signings from several
processes failed with "database is locked"."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sodamolek.accounts.service import CurrentUser, account_nip
from sodamolek.core.formatting import WITA, format_date
from sodamolek.core.masking import mask_name
from sodamolek.core.nip import clean_nip
from sodamolek.core.roles import Role
from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.db.errors import is_busy, is_unique_violation
from sodamolek.documents import drawing, numbering, signing, tokens
from sodamolek.documents.layout import Block, LetterDocument, Signer, place_date_line
from sodamolek.issuing.tables import Letter, LetterNumberCounter
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import (
    LETTER_ON_MOVE,
    By,
    LetterState,
    ReasonRequired,
    Status,
    TransitionRefused,
)
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions
from sodamolek.tte import service as tte
from sodamolek.tte.signature_values import Appearance

SEX = {"L": "Laki-laki", "P": "Perempuan"}


class SigningRefused(Exception):
    """Why one request cannot be signed now, in words (409, or the lurah is told in a batch)."""


class LetterNotFound(LookupError):
    pass


@dataclass
class BatchResult:
    signed: list[dict] = field(default_factory=list)  # letters
    refused: dict[int, str] = field(default_factory=dict)  # request id -> reason
    codes: dict[int, str] = field(default_factory=dict)  # request id -> tracking code
    pdf_problem: str = ""  # numbers given, but the PAdES signing failed (BSrE down): in words


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------------------------
# What the letter says


def template_context(
    request: dict,
    office: dict,
    signer: dict,
    number: str,
    when: dt.datetime,
    validity_days: int | None,
) -> dict:
    local = when.astimezone(WITA)
    until = local.date() + dt.timedelta(days=validity_days) if validity_days else None
    return {
        "pemohon": {
            "nama": request["applicant_name"],
            "nik": request["applicant_nik"] or None,
            "tempat_lahir": request["applicant_birth_place"] or None,
            "tanggal_lahir": format_date(request["applicant_birth_date"])
            if request["applicant_birth_date"]
            else None,
            "jenis_kelamin": SEX.get(request["applicant_sex"]),
            "alamat": _address(request) or None,
            # As the registry writes them (often upper case), None when not recorded.
            "agama": request.get("applicant_religion") or None,
            "pekerjaan": request.get("applicant_occupation") or None,
            "status_perkawinan": request.get("applicant_marital_status") or None,
            "kewarganegaraan": request.get("applicant_citizenship") or None,
        },
        "data": {k: _value(v) for k, v in request["data"].items()},
        "kelurahan": {"nama": office["name"], "kode": office["code"], "alamat": office["address"]},
        "kecamatan": {"nama": office["kecamatan_name"], "kode": office["kecamatan_code"]},
        "penandatangan": signer,
        "surat": {
            "nomor": number,
            "tanggal": format_date(local.date()),
            "berlaku_sampai": format_date(until) if until else None,
        },
    }


def _value(value: Any) -> Any:
    """A date answer (stored as ISO text) becomes a date that prints "29 November 2026"."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return letters.letter_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _address(request: dict) -> str:
    address = request["applicant_address"]
    if request["applicant_rt"]:
        address += f" RT {request['applicant_rt']}/RW {request['applicant_rw']}"
    return address


def body_blocks(content_body: Any) -> tuple[Block, ...]:
    """The body stored in a signed letter's content: blocks, or the text of a letter signed
    before letters had blocks (its paragraphs)."""
    if isinstance(content_body, str):
        return tuple(Block("paragraph", text=p) for p in content_body.split("\n\n") if p.strip())
    return tuple(Block.from_dict(b) for b in content_body)


def letter_document(
    letter: dict,
    request: dict,
    office: dict,
    body: tuple[Block, ...],
    base_url: str,
    countersigner: Signer | None = None,
) -> LetterDocument:
    signed_at = letter["signed_at"]
    return LetterDocument(
        kecamatan=office["kecamatan_name"],
        kelurahan=office["name"],
        office_address=office["address"],
        office_phone=office["phone"],
        title=request["letter_type_name"].upper(),
        number=letter["number"],
        blocks=body,
        place_date=place_date_line(signed_at.astimezone(WITA).date()),
        signer=Signer(
            title=letter["signer_title"], name=letter["signer_name"], nip=letter["signer_nip"]
        ),
        countersigner=countersigner,
        paper_size=letter["paper_size"],
        verification_url=f"{base_url}/verifikasi/{letter['verification_token']}",
        issued_at=signed_at,
    )


def signed_fields(letter: dict, request: dict, office: dict, body: tuple[Block, ...]) -> dict:
    """What the signature covers: enough to prove the letter's essentials were not changed."""
    return {
        "nomor": letter["number"],
        "jenis": request["letter_type_code"],
        "kelurahan": office["code"],
        "pemohon": request["applicant_name"],
        "nik": request["applicant_nik"] or "",
        "isi": [block.as_dict() for block in body],
        "ditandatangani": letter["signed_at"],
        "penandatangan": letter["signer_name"],
        "nip": letter["signer_nip"],
        "token": letter["verification_token"],
    }


# ---------------------------------------------------------------------------------------------
# Who signs

SIGNER_INCOMPLETE = (
    "Akun {username} belum dapat menandatangani: {missing} wajib diisi di data akun (halaman "
    "Pengguna admin kota), karena surat mencetak nama dan NIP penanda tangan."
)


async def signer_nip(actor: CurrentUser) -> str:
    """The signing account's NIP; SigningRefused when its full name or a valid NIP is missing:
    a letter prints both under the signature."""
    missing = []
    name = (actor.full_name or "").strip()
    if not name or name.casefold() == actor.username.casefold():
        missing.append("nama lengkap")
    nip, problem = clean_nip(await account_nip(actor.id))
    if problem:
        missing.append("NIP yang sah (18 angka)")
    if missing:
        raise SigningRefused(
            SIGNER_INCOMPLETE.format(username=actor.username, missing=" dan ".join(missing))
        )
    return nip


def signature_title(office: dict, signer_nip: str) -> str:
    """ "Lurah Oebobo" when the signer is the lurah set on the office page, "a.n. Lurah
    Oebobo" (atas nama, Permendagri 1/2023) when another official of the office signs for
    them. An office page without a valid NIP of its lurah cannot tell: the signer is taken as
    the lurah."""
    title = f"{office['lurah_title']} {office['name']}"
    lurah_nip, problem = clean_nip(office.get("lurah_nip") or "")
    if problem is None and lurah_nip != signer_nip:
        return f"a.n. {title}"
    return title


# ---------------------------------------------------------------------------------------------
# Signing


UNVERIFIED_HINT = (
    "Pemohon belum terverifikasi ({note}). Periksa KTP-el dan KK aslinya, lalu centang "
    "konfirmasi untuk tetap menandatangani."
)


async def _allocate_number(kelurahan_id: int, year: int, code: str) -> int:
    rows = await LetterNumberCounter.raw(
        "INSERT INTO letter_number_counter (kelurahan, year, classification_code, last_number) "
        "VALUES ({}, {}, {}, 1) ON CONFLICT (kelurahan, year, classification_code) "
        "DO UPDATE SET last_number = letter_number_counter.last_number + 1 "
        "RETURNING last_number",
        kelurahan_id,
        year,
        code,
    )
    return rows[0]["last_number"]


async def _letter_being_replaced(request_id: int) -> int | None:
    """The request's revoked letter that no later letter names yet."""
    row = (
        await Letter.select(Letter.id)
        .where((Letter.request == request_id) & (Letter.state == LetterState.REVOKED.value))
        .order_by(Letter.id, ascending=False)
        .first()
    )
    return row["id"] if row else None


def _in_words(error: BaseException, code: str) -> str | None:
    """The reason of a refused signature, or None for an error that is not a refusal."""
    if isinstance(error, SigningRefused):
        return str(error)
    if isinstance(error, requests.RequestNotFound):
        return "Permohonan tidak ditemukan."
    if isinstance(error, TransitionRefused | requests.VersionConflict | ReasonRequired):
        return f"Permohonan {code}: {error}"
    if is_unique_violation(error):
        return f"Permohonan {code} baru saja ditandatangani dari layar lain."
    if is_busy(error):
        return f"Permohonan {code}: basis data sedang sibuk; coba tandatangani lagi."
    return None


async def sign_request(
    actor: CurrentUser,
    request_id: int,
    key: Ed25519PrivateKey,
    base_url: str,
    *,
    session: tte.SigningSession,
    unverified_confirmed: bool = False,
    now: dt.datetime | None = None,
) -> dict:
    """One request: its number and state (_issue), then its PDF with the lurah's PAdES
    signature. The session is opened first (tte.open_session), so a wrong passphrase never
    reaches here and takes no number."""
    letter = await _issue(
        actor, request_id, key, now=now, unverified_confirmed=unverified_confirmed
    )
    await sign_pdfs([letter["id"]], base_url, session)
    return await _letter(letter["id"])


async def _issue(
    actor: CurrentUser,
    request_id: int,
    key: Ed25519PrivateKey,
    *,
    unverified_confirmed: bool = False,
    now: dt.datetime | None = None,
) -> dict:
    """The lurah's signature on one request: its number, its signed content, the move to
    Siap Diambil (or to Menunggu Tanda Tangan Camat), then its PDF. Raises RequestNotFound or
    SigningRefused (in words); nothing is written then."""
    if actor.role is not Role.LURAH:
        raise SigningRefused("Hanya lurah yang dapat menandatangani surat.")
    now = now or _now()
    request = await requests.get_request(actor, request_id)
    code = request["tracking_code"]
    if request["status"] != Status.AWAITING_SIGNATURE:
        raise SigningRefused(
            f"Permohonan {code} berstatus {Status(request['status']).label}, "
            "tidak menunggu tanda tangan."
        )
    if not request["applicant_verified"] and not unverified_confirmed:
        raise SigningRefused(
            f"{code}: " + UNVERIFIED_HINT.format(note=request["verification_note"].rstrip("."))
        )
    letter_type = await _letter_type(request["letter_type_code"])
    office = await _office(request["kelurahan"])
    needs_camat = bool(letter_type["needs_camat"])
    nip = await signer_nip(actor)
    # The templates write "{{ penandatangan.jabatan }} {{ kelurahan.nama }}": the title alone
    # there; the signature block carries the full "Lurah Oebobo", or "a.n. Lurah Oebobo".
    signer = {"nama": actor.full_name.strip(), "jabatan": office["lurah_title"], "nip": nip}
    issued: dict = {}

    async def issue(row: dict, before: Status, after: Status, reason: str, at: dt.datetime):
        # Inside the status change's transaction, after its compare-and-set: a second
        # signature of the same request never gets this far, so never takes a number.
        replaces = await _letter_being_replaced(request_id)
        year = at.astimezone(WITA).year
        code_ = letter_type["classification_code"]
        sequence = await _allocate_number(office["id"], year, code_)
        number = numbering.format_letter_number(
            office["letter_number_format"],
            kode=code_,
            nomor=sequence,
            kode_kelurahan=office["code"],
            when=at.astimezone(WITA).date(),
        )
        context = template_context(
            request, office, signer, number, at, letter_type["validity_days"]
        )
        try:
            body = letters.render_letter_body(letter_type, context)
        except letters.MissingTemplateValue as missing:
            raise SigningRefused(
                f"Surat {code} belum dapat ditandatangani: isian "
                f"{', '.join(missing.missing)} kosong. Kembalikan ke pemeriksaan untuk dilengkapi."
            ) from None
        except letters.LetterTemplateError as problem:
            raise SigningRefused(
                f"Surat {code} belum dapat ditandatangani: templat jenis surat ini tidak dapat "
                f"dipakai ({problem}). Minta admin kota memperbaikinya."
            ) from None
        letter = {
            "request": request_id,
            "kelurahan": office["id"],
            "state": (LetterState.PENDING if needs_camat else LetterState.VALID).value,
            "number": number,
            "sequence": sequence,
            "year": year,
            "classification_code": code_,
            "signed_at": at,
            "signer": actor.id,
            "signer_name": signer["nama"],
            "signer_title": signature_title(office, nip),
            "signer_nip": signer["nip"],
            "countersign_needed": "camat" if needs_camat else "",
            "verification_token": tokens.new_verification_token(),
            "paper_size": office["paper_size"],
            "key_id": signing.key_id(key),
            "replaces": replaces,
        }
        content = signed_fields(letter, request, office, body)
        letter["content"] = json.dumps(json.loads(signing.canonical_content(content)))
        letter["signature"] = signing.sign(key, signing.canonical_content(content))
        if replaces is not None:
            await Letter.update({Letter.state: LetterState.REPLACED.value}).where(
                Letter.id == replaces
            )
        inserted = await Letter.insert(Letter(**letter))
        issued.update(letter, id=inserted[0]["id"])

    target = Status.AWAITING_COUNTERSIGN if needs_camat else Status.READY
    try:
        await requests.change_status(
            actor,
            request_id,
            target.value,
            expected_version=request["version"],
            by=By.SIGNATURE,
            letter_step=issue,
            now=now,
        )
    except Exception as error:
        if (words := _in_words(error, code)) is None:
            raise
        raise SigningRefused(words) from None
    return await _letter(issued["id"])


async def sign_batch(
    actor: CurrentUser,
    request_ids: list[int],
    key: Ed25519PrivateKey,
    base_url: str,
    session: tte.SigningSession,
    unverified_confirmed: set[int] | frozenset[int] = frozenset(),
) -> BatchResult:
    """Each letter numbered in its own transaction (one that cannot be signed does not hold up
    the rest), then every PDF signed with the one opened session: the embedded key opened once,
    or one BSrE call for the whole batch. Letters of this signer left without a signed PDF by
    an earlier failure are signed with them."""
    result = BatchResult()
    issued: list[dict] = []
    for request_id in dict.fromkeys(request_ids):
        try:
            issued.append(
                await _issue(
                    actor,
                    request_id,
                    key,
                    unverified_confirmed=request_id in unverified_confirmed,
                )
            )
        except SigningRefused as refused:
            result.refused[request_id] = str(refused)
        except requests.RequestNotFound:
            result.refused[request_id] = "Permohonan tidak ditemukan."
    left_over = [i for i in await unsigned_letters(actor) if i not in {x["id"] for x in issued}]
    ids = [x["id"] for x in issued] + left_over
    try:
        await sign_pdfs(ids, base_url, session)
    except tte.SigningUnavailable as failed:
        result.pdf_problem = (
            f"{failed} Surat yang sudah bernomor tetap tercatat; PDF-nya ditandatangani saat "
            "Anda menandatangani lagi."
        )
    for letter_id in ids:
        letter = await _letter(letter_id)
        if letter is not None:
            result.signed.append(letter)
    return result


async def countersign(
    actor: CurrentUser,
    letter_id: int,
    base_url: str,
    *,
    session: tte.SigningSession,
    now: dt.datetime | None = None,
) -> dict:
    """The camat's countersign on a letter of his kecamatan: the letter becomes valid and its
    request Siap Diambil (under the camat's own name in its history); then its PDF with both
    signatures."""
    if actor.role is not Role.CAMAT:
        raise SigningRefused("Hanya camat yang dapat memberi tanda tangan mengetahui.")
    now = now or _now()
    letter = await scoped_letter(actor, letter_id)
    if letter["state"] != LetterState.PENDING:
        raise SigningRefused(f"Surat {letter['number']} tidak menunggu tanda tangan camat.")
    kecamatan = await regions.get_kecamatan(actor.kecamatan_id or 0)
    if kecamatan is None:
        raise SigningRefused("Akun camat ini tidak terhubung ke kecamatan.")
    nip = await signer_nip(actor)

    async def mark_valid(row: dict, before: Status, after: Status, reason: str, at):
        updated = (
            await Letter.update(
                {
                    Letter.state: LetterState.VALID.value,
                    Letter.countersign_needed: "",
                    Letter.countersigner_name: actor.full_name,
                    Letter.countersigner_title: f"Camat {kecamatan['name']}",
                    Letter.countersigner_nip: nip,
                    Letter.countersigned_at: at,
                }
            )
            .where((Letter.id == letter_id) & (Letter.state == LetterState.PENDING.value))
            .returning(Letter.id)
        )
        if not updated:
            raise SigningRefused(f"Surat {letter['number']} tidak menunggu tanda tangan camat.")

    try:
        await requests.change_status(
            actor,
            letter["request"],
            Status.READY.value,
            by=By.COUNTERSIGN,
            letter_step=mark_valid,
            now=now,
        )
    except Exception as error:
        if (words := _in_words(error, letter["number"])) is None:
            raise
        raise SigningRefused(words) from None
    await sign_pdfs([letter_id], base_url, session, role="camat")
    return await _letter(letter_id)


async def _change_letter_on_move(
    row: dict, before: Status, after: Status, reason: str, at: dt.datetime, by_name: str
) -> None:
    """The request's live letter follows a send-back (voided) or a revocation (revoked)."""
    change = LETTER_ON_MOVE.get((before, after))
    if change is None:
        return
    was, becomes = change
    fields: dict = {Letter.state: becomes.value}
    if becomes is LetterState.VOIDED:
        fields |= {Letter.voided_at: at, Letter.voided_reason: reason[:1000]}
    elif becomes is LetterState.REVOKED:
        fields |= {
            Letter.revoked_at: at,
            Letter.revoked_reason: reason[:1000],
            Letter.revoked_by_name: by_name,
        }
    updated = (
        await Letter.update(fields)
        .where((Letter.request == row["id"]) & (Letter.state == was.value))
        .returning(Letter.id)
    )
    if not updated:
        raise TransitionRefused(
            f"Surat permohonan ini tidak dalam keadaan {was.label}; muat ulang halaman."
        )


async def move(
    actor: CurrentUser,
    request_id: int,
    target: str,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """A move chosen on the request page or through the API, with what it does to the letter
    (a send-back voids the pending letter; a revocation revokes the letter)."""
    by_name = f"{actor.full_name} ({actor.role_label})"

    async def letter_step(row, before, after, reason_, at):
        await _change_letter_on_move(row, before, after, reason_, at, by_name)

    return await requests.change_status(
        actor, request_id, target, reason, expected_version, letter_step=letter_step, now=now
    )


async def revoke(actor: CurrentUser, letter_id: int, reason: str) -> dict:
    """Revoke a letter: its request moves to Dicabut with the reason (the same move as on the
    request page)."""
    letter = await scoped_letter(actor, letter_id)
    if letter["state"] not in (LetterState.VALID, LetterState.PENDING):
        raise SigningRefused(
            f"Surat {letter['number']} berstatus {LetterState(letter['state']).label}; "
            "tidak dapat dicabut."
        )
    await move(actor, letter["request"], Status.REVOKED.value, reason)
    return await _letter(letter_id)


# ---------------------------------------------------------------------------------------------
# The PDF


async def _render_pdf(letter: dict, base_url: str) -> bytes:
    office = await _office(letter["kelurahan"])
    request = await requests.get_request(_office_reader(letter["kelurahan"]), letter["request"])
    countersigner = None
    if letter["countersigner_name"] or letter["countersign_needed"]:
        # A letter that waits for the camat is signed by the lurah with the camat's block
        # already printed: the camat's signature is added later, in an incremental update
        # that must leave the lurah's signed bytes as they are.
        countersigner = Signer(
            title=letter["countersigner_title"] or f"Camat {office['kecamatan_name']}",
            name=letter["countersigner_name"] or CAMAT_SIGNS_ELECTRONICALLY,
            nip=letter["countersigner_nip"],
        )
    document = letter_document(
        letter, request, office, body_blocks(letter["content"]["isi"]), base_url, countersigner
    )
    document = replace(document, emblem=await letters.current_emblem())
    return await drawing.letter_pdf(document)


CAMAT_SIGNS_ELECTRONICALLY = "(tanda tangan elektronik)"
UNSIGNED_AFTER = dt.timedelta(minutes=10)  # a numbered letter without its PDF this long: failed
SIGNATURE_FIELDS = {"lurah": "TTE-Lurah", "camat": "TTE-Camat"}
SIGNATURE_REASONS = {"lurah": "Penerbitan surat", "camat": "Mengetahui"}


async def sign_pdfs(
    letter_ids: list[int], base_url: str, session: tte.SigningSession, role: str = "lurah"
) -> None:
    """The letters' PDFs with one more PAdES signature each, rendered and signed outside any
    transaction, then stored in short ones. The lurah's signature goes on the freshly rendered
    PDF; the camat's is appended to the lurah's signed PDF. Raises tte.SigningUnavailable."""
    if not letter_ids:
        return
    letters_ = [letter for i in letter_ids if (letter := await _letter(i)) is not None]
    if role == "lurah":
        originals = [await _render_pdf(letter, base_url) for letter in letters_]
    else:
        originals = [await _stored_pdf(letter["id"]) for letter in letters_]
    signed = await session.sign_pdfs(
        originals,
        Appearance(field_name=SIGNATURE_FIELDS[role]),
        SIGNATURE_REASONS[role],
        "Kota Kupang",
        [f"{base_url}/verifikasi/{letter['verification_token']}" for letter in letters_],
    )
    now = _now()
    for letter, pdf in zip(letters_, signed, strict=True):
        async with write_transaction(current_engine()):
            still_missing = Letter.pdf.is_null() if role == "lurah" else Letter.pdf.is_not_null()
            updated = (
                await Letter.update({Letter.pdf: pdf})
                .where((Letter.id == letter["id"]) & still_missing)
                .returning(Letter.id)
            )
            if updated:
                await tte.record_signature(
                    session, letter_id=letter["id"], role=role, signed_pdf=pdf, signed_at=now,
                    verification_token=letter["verification_token"],
                )  # fmt: skip


async def _stored_pdf(letter_id: int) -> bytes:
    row = await Letter.select(Letter.pdf).where(Letter.id == letter_id).first()
    if row is None or row["pdf"] is None:
        raise tte.SigningUnavailable(
            "PDF surat ini belum ditandatangani lurah; tanda tangan camat ditambahkan sesudahnya."
        )
    return bytes(row["pdf"])


async def unsigned_letters(actor: CurrentUser) -> list[int]:
    """The signer's issued letters whose PDF is not signed yet because an earlier signing failed
    after the numbers were given (older than a batch takes, so never one being signed now)."""
    rows = await Letter.select(Letter.id).where(
        (Letter.signer == actor.id)
        & Letter.pdf.is_null()
        & Letter.state.is_in([LetterState.VALID.value, LetterState.PENDING.value])
        & (Letter.signed_at < _now() - UNSIGNED_AFTER)
    )
    return [r["id"] for r in rows]


def _office_reader(kelurahan_id: int) -> CurrentUser:
    """Reading a request of one kelurahan for its letter's PDF (the camat's countersign crosses
    the lurah's office boundary on purpose)."""
    return CurrentUser(
        id=None,
        username="sistem",
        full_name="Sistem",
        role=Role.OPERATOR,
        kelurahan_id=kelurahan_id,
        kecamatan_id=None,
        office_name="",
    )


async def letter_pdf(actor: CurrentUser, letter_id: int, base_url: str) -> tuple[dict, bytes]:
    """The letter's PDF; a revoked one carries a visible DICABUT mark."""
    letter = await scoped_letter(actor, letter_id)
    state = LetterState(letter["state"])
    if state is LetterState.PENDING:
        raise SigningRefused("PDF surat ini dibuat setelah camat menandatangani.")
    if state is LetterState.VOIDED:
        raise SigningRefused(
            f"Surat {letter['number']} dibatalkan sebelum terbit ({letter['voided_reason']}); "
            "tidak ada PDF-nya."
        )
    row = await Letter.select(Letter.pdf).where(Letter.id == letter_id).first()
    if row is None or row["pdf"] is None:
        raise SigningRefused(
            f"PDF surat {letter['number']} belum ditandatangani secara elektronik: lurah "
            "menandatanganinya dari meja tanda tangan."
        )
    pdf = bytes(row["pdf"])
    if state in (LetterState.REVOKED, LetterState.REPLACED):
        when = format_date(letter["revoked_at"].astimezone(WITA).date())
        line = f"DICABUT {when}: {letter['revoked_reason']}"[:140]
        pdf = await drawing.stamped_pdf(pdf, "DICABUT", line)
    return letter, pdf


# ---------------------------------------------------------------------------------------------
# Reading, verifying


def _decode(row: dict) -> dict:
    if isinstance(row.get("content"), str):
        row["content"] = json.loads(row["content"])
    for key in ("signed_at", "countersigned_at", "revoked_at", "voided_at"):
        row[key] = as_utc(row.get(key))
    return row


async def _letter(letter_id: int) -> dict:
    row = (
        await Letter.select(*Letter.all_columns(exclude=[Letter.pdf]))
        .where(Letter.id == letter_id)
        .first()
    )
    if row is None:
        raise LetterNotFound()
    return _decode(row)


async def office_of(item: dict) -> dict:
    """The office of a request or a letter."""
    return await _office(item["kelurahan"])


async def letter_type_of(request: dict) -> dict:
    return await _letter_type(request["letter_type_code"])


async def _office(kelurahan_id: int) -> dict:
    office = await regions.get_kelurahan(kelurahan_id)
    if office is None:  # a letter's or a request's office: the foreign key says it exists
        raise LookupError(f"kelurahan {kelurahan_id}")
    return office


async def _letter_type(code: str) -> dict:
    letter_type = await letters.get_letter_type(code)
    if letter_type is None:
        raise LookupError(f"letter type {code}")
    return letter_type


async def letters_of_request(request_id: int) -> list[dict]:
    """Every letter of the request, oldest first (voided, revoked, replaced, the live one)."""
    rows = (
        await Letter.select(*Letter.all_columns(exclude=[Letter.pdf, Letter.content]))
        .where(Letter.request == request_id)
        .order_by(Letter.id)
    )
    return [_decode(r) for r in rows]


async def letter_for_request(request_id: int) -> dict | None:
    """The request's latest letter (the live one if there is one)."""
    row = (
        await Letter.select(*Letter.all_columns(exclude=[Letter.pdf]))
        .where(Letter.request == request_id)
        .order_by(Letter.id, ascending=False)
        .first()
    )
    return _decode(row) if row is not None else None


def _scope(actor: CurrentUser, letter: dict, office: dict) -> bool:
    if actor.role in (Role.OPERATOR, Role.LURAH):
        return letter["kelurahan"] == actor.kelurahan_id
    if actor.role is Role.CAMAT:
        return office["kecamatan"] == actor.kecamatan_id
    return True


async def scoped_letter(actor: CurrentUser, letter_id: int) -> dict:
    letter = await _letter(letter_id)
    office = await _office(letter["kelurahan"])
    if not _scope(actor, letter, office):
        raise LetterNotFound()
    return letter


@dataclass(frozen=True)
class Verification:
    number: str
    letter_type: str
    masked_name: str
    signed_at: dt.datetime
    office: str
    signer: str
    countersigner: str
    signature_ok: bool
    state: LetterState
    revoked_at: dt.datetime | None
    revoked_reason: str
    voided_at: dt.datetime | None = None
    replaced_by: str = ""  # the number of the letter that replaces this one
    replaces: str = ""  # the number of the letter this one replaces

    @property
    def valid(self) -> bool:
        """SAH: the signature matches and the letter has every signature it needs."""
        return self.signature_ok and self.state is LetterState.VALID

    @property
    def waiting_for(self) -> str:
        return "tanda tangan camat" if self.state is LetterState.PENDING else ""


async def _number_of(condition) -> str:
    row = await Letter.select(Letter.number).where(condition).first()
    return row["number"] if row else ""


async def verify_token(token: str, public_key) -> Verification | None:
    """What the public verification page shows; None for an unknown or malformed token."""
    if not tokens.is_well_formed_token(token):
        return None
    row = (
        await Letter.select(
            *Letter.all_columns(exclude=[Letter.pdf]),
            Letter.request._.letter_type._.name.as_alias("letter_type_name"),
            Letter.kelurahan.name.as_alias("kelurahan_name"),
        )
        .where(Letter.verification_token == token)
        .first()
    )
    if row is None:
        return None
    letter = _decode(row)
    content = letter["content"]
    ok = (
        signing.verify(public_key, signing.canonical_content(content), letter["signature"])
        and content.get("nomor") == letter["number"]
        and content.get("token") == token
    )
    countersigner = (
        f"{letter['countersigner_name']}, {letter['countersigner_title']}"
        if letter["countersigner_name"]
        else ""
    )
    state = LetterState(letter["state"])
    return Verification(
        number=letter["number"],
        letter_type=letter["letter_type_name"],
        masked_name=mask_name(content.get("pemohon", "")),
        signed_at=letter["signed_at"],
        office=f"Kelurahan {letter['kelurahan_name']}",
        signer=f"{letter['signer_name']}, {letter['signer_title']}",
        countersigner=countersigner,
        signature_ok=ok,
        state=state,
        revoked_at=letter["revoked_at"],
        revoked_reason=letter["revoked_reason"],
        voided_at=letter["voided_at"],
        replaced_by=await _number_of(Letter.replaces == letter["id"])
        if state is LetterState.REPLACED
        else "",
        replaces=await _number_of(Letter.id == letter["replaces"]) if letter["replaces"] else "",
    )


async def awaiting_countersign(actor: CurrentUser) -> list[dict]:
    rows = (
        await Letter.select(
            Letter.id,
            Letter.request,
            Letter.number,
            Letter.signed_at,
            Letter.signer_name,
            Letter.kelurahan.name.as_alias("kelurahan_name"),
            Letter.request._.letter_type._.name.as_alias("letter_type_name"),
            Letter.request.applicant_name.as_alias("applicant_name"),
            Letter.request.tracking_code.as_alias("tracking_code"),
        )
        .where(
            (Letter.state == LetterState.PENDING.value)
            & (Letter.kelurahan.kecamatan == actor.kecamatan_id)
        )
        .order_by(Letter.signed_at)
    )
    return [_decode(r) for r in rows]
