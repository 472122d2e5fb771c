"""Issuing letters: the lurah's signature (number, signed content, PDF) in one transaction,
the camat's countersign, revocation, and the public verification."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sodamolek.accounts.service import CurrentUser, account_nip
from sodamolek.core.formatting import WITA, format_date
from sodamolek.core.masking import mask_name
from sodamolek.core.roles import Role
from sodamolek.db import as_utc, current_engine, write_transaction
from sodamolek.documents import numbering, signing, tokens
from sodamolek.documents.pdf import (
    Block,
    LetterDocument,
    Signer,
    place_date_line,
    render_letter_pdf,
)
from sodamolek.issuing.tables import Letter, LetterNumberCounter
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letters import service as letters
from sodamolek.regions import service as regions

SEX = {"L": "Laki-laki", "P": "Perempuan"}


class SigningRefused(Exception):
    """Why one request cannot be signed now, in words (409, or the lurah is told in a batch)."""


class LetterNotFound(LookupError):
    pass


@dataclass
class BatchResult:
    signed: list[dict] = field(default_factory=list)  # letters
    refused: dict[int, str] = field(default_factory=dict)  # request id -> reason


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
            "nik": request["applicant_nik"],
            "tempat_lahir": request["applicant_birth_place"] or None,
            "tanggal_lahir": format_date(request["applicant_birth_date"])
            if request["applicant_birth_date"]
            else None,
            "jenis_kelamin": SEX.get(request["applicant_sex"]),
            "alamat": _address(request) or None,
        },
        "data": {k: _text(v) for k, v in request["data"].items()},
        "kelurahan": {"nama": office["name"], "kode": office["code"], "alamat": office["address"]},
        "kecamatan": {"nama": office["kecamatan_name"], "kode": office["kecamatan_code"]},
        "penandatangan": signer,
        "surat": {
            "nomor": number,
            "tanggal": format_date(local.date()),
            "berlaku_sampai": format_date(until) if until else None,
        },
    }


def _text(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _address(request: dict) -> str:
    address = request["applicant_address"]
    if request["applicant_rt"]:
        address += f" RT {request['applicant_rt']}/RW {request['applicant_rw']}"
    return address


def identity_rows(request: dict) -> tuple[tuple[str, str], ...]:
    rows = [("Nama", request["applicant_name"])]
    if request["applicant_nik"]:
        rows.append(("NIK", request["applicant_nik"]))
    if request["applicant_birth_date"]:
        place = request["applicant_birth_place"] or "-"
        rows.append(
            ("Tempat/Tgl. Lahir", f"{place}, {format_date(request['applicant_birth_date'])}")
        )
    if request["applicant_sex"]:
        rows.append(("Jenis Kelamin", SEX[request["applicant_sex"]]))
    if address := _address(request):
        rows.append(("Alamat", address))
    return tuple(rows)


def body_blocks(body: str, identity: tuple[tuple[str, str], ...]) -> tuple[Block, ...]:
    """The body text as blocks: its first paragraph, the applicant's identity, the rest."""
    paragraphs = [Block("paragraph", text=p) for p in body.split("\n\n") if p.strip()]
    table = [Block("table", rows=identity)] if identity else []
    return (*paragraphs[:1], *table, *paragraphs[1:])


def letter_document(
    letter: dict,
    request: dict,
    office: dict,
    body: str,
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
        blocks=body_blocks(body, identity_rows(request)),
        place_date=place_date_line(signed_at.astimezone(WITA).date()),
        signer=Signer(
            title=letter["signer_title"], name=letter["signer_name"], nip=letter["signer_nip"]
        ),
        countersigner=countersigner,
        paper_size=letter["paper_size"],
        verification_url=f"{base_url}/verifikasi/{letter['verification_token']}",
        issued_at=signed_at,
    )


def signed_fields(letter: dict, request: dict, office: dict, body: str) -> dict:
    """What the signature covers: enough to prove the letter's essentials were not changed."""
    return {
        "nomor": letter["number"],
        "jenis": request["letter_type_code"],
        "kelurahan": office["code"],
        "pemohon": request["applicant_name"],
        "nik": request["applicant_nik"] or "",
        "isi": body,
        "ditandatangani": letter["signed_at"],
        "penandatangan": letter["signer_name"],
        "nip": letter["signer_nip"],
        "token": letter["verification_token"],
    }


# ---------------------------------------------------------------------------------------------
# Signing


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


async def sign_request(
    actor: CurrentUser,
    request_id: int,
    key: Ed25519PrivateKey,
    base_url: str,
    now: dt.datetime | None = None,
) -> dict:
    """Sign one request. Raises RequestNotFound (other kelurahan), SigningRefused (not awaiting a
    signature; a template value missing) — nothing is written then."""
    if actor.role is not Role.LURAH:
        raise SigningRefused("Hanya lurah yang dapat menandatangani surat.")
    now = now or _now()
    async with write_transaction(current_engine()):
        request = await requests.get_request(actor, request_id)
        if request["status"] != Status.AWAITING_SIGNATURE:
            label = Status(request["status"]).label
            raise SigningRefused(
                f"Permohonan {request['tracking_code']} berstatus {label}, "
                "tidak menunggu tanda tangan."
            )
        letter_type = await letters.get_letter_type(request["letter_type_code"])
        office = await regions.get_kelurahan(request["kelurahan"])
        # The templates write "{{ penandatangan.jabatan }} {{ kelurahan.nama }}": the title alone
        # there; the signature block carries the full "Lurah Oebobo".
        signer = {
            "nama": actor.full_name,
            "jabatan": office["lurah_title"],
            "nip": await account_nip(actor.id),
        }
        signature_title = f"{office['lurah_title']} {office['name']}"
        year = now.astimezone(WITA).year
        sequence = await _allocate_number(office["id"], year, letter_type["classification_code"])
        number = numbering.format_letter_number(
            office["letter_number_format"],
            kode=letter_type["classification_code"],
            nomor=sequence,
            kode_kelurahan=office["code"],
            when=now.astimezone(WITA).date(),
        )
        context = template_context(
            request, office, signer, number, now, letter_type["validity_days"]
        )
        try:
            body = letters.render_letter_body(letter_type["template"], context)
        except letters.MissingTemplateValue as missing:
            raise SigningRefused(
                f"Surat {request['tracking_code']} belum dapat ditandatangani: isian "
                f"{', '.join(missing.missing)} kosong. Kembalikan ke pemeriksaan untuk dilengkapi."
            ) from None
        letter = {
            "request": request_id,
            "kelurahan": office["id"],
            "number": number,
            "sequence": sequence,
            "year": year,
            "classification_code": letter_type["classification_code"],
            "signed_at": now,
            "signer": actor.id,
            "signer_name": signer["nama"],
            "signer_title": signature_title,
            "signer_nip": signer["nip"],
            "countersign_needed": "camat" if letter_type["needs_camat"] else "",
            "verification_token": tokens.new_verification_token(),
            "paper_size": office["paper_size"],
            "key_id": signing.key_id(key),
        }
        content = signed_fields(letter, request, office, body)
        letter["content"] = json.dumps(json.loads(signing.canonical_content(content)))
        letter["signature"] = signing.sign(key, signing.canonical_content(content))
        if not letter_type["needs_camat"]:
            document = letter_document(letter, request, office, body, base_url)
            letter["pdf"] = await asyncio.to_thread(render_letter_pdf, document)
        inserted = await Letter.insert(Letter(**letter))
        if not letter_type["needs_camat"]:
            await requests.change_status(
                actor, request_id, Status.READY.value, signing=True, now=now
            )
    return await _letter(inserted[0]["id"])


async def sign_batch(
    actor: CurrentUser, request_ids: list[int], key: Ed25519PrivateKey, base_url: str
) -> BatchResult:
    """Each letter in its own transaction: one that cannot be signed does not hold up the rest."""
    result = BatchResult()
    for request_id in dict.fromkeys(request_ids):
        try:
            result.signed.append(await sign_request(actor, request_id, key, base_url))
        except requests.RequestNotFound:
            result.refused[request_id] = "Permohonan tidak ditemukan."
        except SigningRefused as refused:
            result.refused[request_id] = str(refused)
    return result


async def countersign(
    actor: CurrentUser, letter_id: int, base_url: str, now: dt.datetime | None = None
) -> dict:
    """The camat's countersign on a letter of his kecamatan: renders the PDF with both
    signatures and makes the request ready."""
    if actor.role is not Role.CAMAT:
        raise SigningRefused("Hanya camat yang dapat memberi tanda tangan mengetahui.")
    now = now or _now()
    async with write_transaction(current_engine()):
        letter = await _letter(letter_id)
        if letter is None:
            raise LetterNotFound()
        office = await regions.get_kelurahan(letter["kelurahan"])
        if office["kecamatan"] != actor.kecamatan_id:
            raise LetterNotFound()
        if letter["countersign_needed"] != "camat" or letter["revoked_at"]:
            raise SigningRefused(f"Surat {letter['number']} tidak menunggu tanda tangan camat.")
        kecamatan = await regions.get_kecamatan(actor.kecamatan_id)
        camat = Signer(
            title=f"Camat {kecamatan['name']}",
            name=actor.full_name,
            nip=await account_nip(actor.id),
        )
        request = await requests.get_request(_office_reader(letter["kelurahan"]), letter["request"])
        body = letter["content"]["isi"]
        document = letter_document(letter, request, office, body, base_url, camat)
        pdf = await asyncio.to_thread(render_letter_pdf, document)
        await Letter.update(
            {
                Letter.countersign_needed: "",
                Letter.countersigner_name: camat.name,
                Letter.countersigner_title: camat.title,
                Letter.countersigner_nip: camat.nip,
                Letter.countersigned_at: now,
                Letter.pdf: pdf,
            }
        ).where(Letter.id == letter_id)
        await requests.change_status(
            _office_reader(letter["kelurahan"], Role.LURAH),
            letter["request"],
            Status.READY.value,
            signing=True,
            now=now,
        )
    return await _letter(letter_id)


def _office_reader(kelurahan_id: int, role: Role = Role.OPERATOR) -> CurrentUser:
    """The system acting inside one kelurahan (for the camat's countersign, which crosses the
    lurah's office boundary on purpose)."""
    return CurrentUser(
        id=None,
        username="sistem",
        full_name="Sistem (tanda tangan camat)",
        role=role,
        kelurahan_id=kelurahan_id,
        kecamatan_id=None,
        office_name="",
    )


# ---------------------------------------------------------------------------------------------
# Reading, revoking, verifying


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    if isinstance(row.get("content"), str):
        row["content"] = json.loads(row["content"])
    for key in ("signed_at", "countersigned_at", "revoked_at"):
        row[key] = as_utc(row.get(key))
    return row


async def _letter(letter_id: int) -> dict | None:
    return _decode(
        await Letter.select(*Letter.all_columns(exclude=[Letter.pdf]))
        .where(Letter.id == letter_id)
        .first()
    )


async def letter_for_request(request_id: int) -> dict | None:
    return _decode(
        await Letter.select(*Letter.all_columns(exclude=[Letter.pdf]))
        .where(Letter.request == request_id)
        .first()
    )


def _scope(actor: CurrentUser, letter: dict, office: dict) -> bool:
    if actor.role in (Role.OPERATOR, Role.LURAH):
        return letter["kelurahan"] == actor.kelurahan_id
    if actor.role is Role.CAMAT:
        return office["kecamatan"] == actor.kecamatan_id
    return True


async def scoped_letter(actor: CurrentUser, letter_id: int) -> dict:
    letter = await _letter(letter_id)
    if letter is None:
        raise LetterNotFound()
    office = await regions.get_kelurahan(letter["kelurahan"])
    if not _scope(actor, letter, office):
        raise LetterNotFound()
    return letter


async def letter_pdf(actor: CurrentUser, letter_id: int) -> tuple[dict, bytes]:
    letter = await scoped_letter(actor, letter_id)
    row = await Letter.select(Letter.pdf).where(Letter.id == letter_id).first()
    if row["pdf"] is None:
        raise SigningRefused("PDF surat ini dibuat setelah camat menandatangani.")
    return letter, bytes(row["pdf"])


async def revoke(actor: CurrentUser, letter_id: int, reason: str) -> dict:
    if actor.role not in (Role.LURAH, Role.ADMIN):
        raise SigningRefused("Hanya lurah atau admin kota yang dapat mencabut surat.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValueError("Alasan pencabutan wajib diisi.")
    letter = await scoped_letter(actor, letter_id)
    if letter["revoked_at"]:
        raise SigningRefused(f"Surat {letter['number']} sudah dicabut.")
    await Letter.update(
        {
            Letter.revoked_at: _now(),
            Letter.revoked_reason: reason[:1000],
            Letter.revoked_by_name: f"{actor.full_name} ({actor.role_label})",
        }
    ).where(Letter.id == letter_id)
    return await _letter(letter_id)


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
    revoked_at: dt.datetime | None
    revoked_reason: str

    @property
    def valid(self) -> bool:
        return self.signature_ok and self.revoked_at is None


async def verify_token(token: str, public_key) -> Verification | None:
    """What the public verification page shows; None for an unknown or malformed token."""
    if not tokens.is_well_formed_token(token):
        return None
    letter = _decode(
        await Letter.select(
            *Letter.all_columns(exclude=[Letter.pdf]),
            Letter.request.letter_type.name.as_alias("letter_type_name"),
            Letter.kelurahan.name.as_alias("kelurahan_name"),
        )
        .where(Letter.verification_token == token)
        .first()
    )
    if letter is None:
        return None
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
    return Verification(
        number=letter["number"],
        letter_type=letter["letter_type_name"],
        masked_name=mask_name(content.get("pemohon", "")),
        signed_at=letter["signed_at"],
        office=f"Kelurahan {letter['kelurahan_name']}",
        signer=f"{letter['signer_name']}, {letter['signer_title']}",
        countersigner=countersigner,
        signature_ok=ok,
        revoked_at=letter["revoked_at"],
        revoked_reason=letter["revoked_reason"],
    )


async def awaiting_countersign(actor: CurrentUser) -> list[dict]:
    rows = (
        await Letter.select(
            Letter.id,
            Letter.number,
            Letter.signed_at,
            Letter.signer_name,
            Letter.kelurahan.name.as_alias("kelurahan_name"),
            Letter.request.letter_type.name.as_alias("letter_type_name"),
            Letter.request.applicant_name.as_alias("applicant_name"),
        )
        .where(
            (Letter.countersign_needed == "camat")
            & Letter.revoked_at.is_null()
            & (Letter.kelurahan.kecamatan == actor.kecamatan_id)
        )
        .order_by(Letter.signed_at)
    )
    return [_decode(r) for r in rows]
