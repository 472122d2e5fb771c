"""PAdES signatures inside a PDF with pyHanko: signing (B-B, or B-T with an RFC 3161 timestamp)
and validation of every signature a PDF carries. No tables, no settings: the back-ends and the
verification service call these with keys, trust roots and revocation lists in hand.

Every signature is an approval signature added as an incremental update, so the camat's
countersign appends a revision and leaves the lurah's signature (and the bytes it covers) as
they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import httpx
from asn1crypto import parser as asn1_parser
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from sodamolek.tte.signature_values import (
    Appearance,
    BrokenPdf,
    SignatureFailed,
    SignatureReport,
)

__all__ = [  # what tte.service reaches through its lazy import, the values included
    "Appearance",
    "BrokenPdf",
    "HttpxTimeStamper",
    "SignatureFailed",
    "SignatureReport",
    "TimestampRequestError",
    "asn1_certificate",
    "load_signer",
    "reserve_for",
    "sign_pdf",
    "validate_pdf",
]


class HttpxTimeStamper(TimeStamper):
    """An RFC 3161 client over httpx (pyHanko ships clients for requests and aiohttp, neither of
    which this project uses)."""

    def __init__(self, url: str, timeout: float = 10.0, auth: tuple[str, str] | None = None):
        super().__init__()
        self.url = url
        self.timeout = timeout
        self.auth = auth

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, auth=self.auth) as client:
                response = await client.post(
                    self.url, content=req.dump(), headers=set_tsp_headers({})
                )
        except httpx.HTTPError as exc:
            raise TimestampRequestError("Layanan cap waktu (TSA) tidak dapat dihubungi.") from exc
        if response.headers.get("content-type") != "application/timestamp-reply":
            raise TimestampRequestError("Jawaban layanan cap waktu (TSA) tidak sah.")
        return tsp.TimeStampResp.load(response.content)


def load_signer(archive: bytes, passphrase: str) -> signers.SimpleSigner | None:
    """The signer in a PKCS#12 archive, or None when the passphrase does not open it."""
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            archive, other_certs=[], passphrase=passphrase.encode()
        )
    except ValueError:
        return None


def asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


async def sign_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    appearance: Appearance,
    reason: str,
    location: str,
    timestamper: TimeStamper | None = None,
    contact_info: str = "",
    bytes_reserved: int | None = None,
) -> bytes:
    """The PDF with one more PAdES signature appended as an incremental update. B-T when a
    timestamper is given, else B-B. contact_info (the letter's verification URL) lets a copy
    name its letter. bytes_reserved: room for the CMS; without it pyHanko signs once more, dry,
    to measure (a third of the cost; see reserve_for). Raises SignatureFailed."""
    meta = signers.PdfSignatureMetadata(
        field_name=appearance.field_name,
        reason=reason,
        location=location,
        contact_info=contact_info or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        use_pades_lta=False,
    )
    spec = fields.SigFieldSpec(
        sig_field_name=appearance.field_name, on_page=appearance.page, box=appearance.box
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        output = await signers.async_sign_pdf(
            writer,
            meta,
            signer=signer,
            timestamper=timestamper,
            new_field_spec=spec,
            bytes_reserved=bytes_reserved,
        )
    except TimestampRequestError as exc:
        raise SignatureFailed(str(exc)) from exc
    except (PdfError, SigningError, ValueError) as exc:
        raise SignatureFailed(f"PDF tidak dapat ditandatangani: {exc}") from exc
    return output.getvalue()


def reserve_for(signed_pdf: bytes, timestamped: bool) -> int:
    """Room for the next signatures of the same signer, from the one just made: its CMS plus a
    margin (a timestamp token's size varies a little)."""
    last = read_signatures(signed_pdf)[-1]
    # pyHanko counts the reserved room in hex digits, two per byte of CMS.
    return 2 * (len(last.pkcs7_content) + (2048 if timestamped else 512))


# ---------------------------------------------------------------------------------------------
# Validation


def _name_attr(name: asn1_x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    return value if isinstance(value, str) else ", ".join(value)


def read_signatures(pdf: bytes) -> list:
    """pyHanko's embedded signatures, oldest first. BrokenPdf for anything it cannot read."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return list(reader.embedded_regular_signatures)
    except Exception as exc:  # noqa: BLE001 - a hostile upload can fail anywhere in the parser
        raise BrokenPdf(str(exc)[:200]) from None


def _padding_clean(pdf: bytes, byte_range) -> bool:
    """The signature's hole holds <hex of the CMS, then zeros>. The zeros are covered by no
    hash, so pyHanko ignores them; a changed byte there is still a changed file."""
    hole = pdf[byte_range[1] : byte_range[2]].strip()
    if not (hole.startswith(b"<") and hole.endswith(b">")):
        return False
    try:
        raw = bytes.fromhex(hole[1:-1].decode("ascii"))
        _, _, _, header, content, trailer = asn1_parser.parse(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    used = len(header) + len(content) + len(trailer)
    return not raw[used:].strip(b"\x00")


def _certificates_clean(embedded, roots: list[x509.Certificate]) -> bool:
    """The signature carries copies of its chain that pyHanko need not use (it trusts the
    roots it is given): a byte changed in one of them must still count as a changed file. Each
    copy whose issuer is known must carry that issuer's valid signature."""
    try:
        carried = [
            x509.load_der_x509_certificate(c.chosen.dump())
            for c in embedded.signed_data["certificates"]
        ]
    except (ValueError, TypeError, KeyError):
        return False
    pool = carried + list(roots)
    for certificate in carried:
        issuers = [i for i in pool if i.subject == certificate.issuer]
        if issuers and not any(_issued_by(certificate, i) for i in issuers):
            return False
    return True


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _timestamp_time(embedded) -> dt.datetime | None:
    try:
        for token in extract_tst_data_iter(embedded.signer_info, signed=False):
            return token["encap_content_info"]["content"].parsed["gen_time"].native
    except (KeyError, ValueError, AttributeError):
        pass
    return None


async def validate_pdf(
    pdf: bytes,
    trust_roots: list[x509.Certificate],
    crls: list[bytes] = (),  # type: ignore[assignment]
    other_certs: list[x509.Certificate] = (),  # type: ignore[assignment]
) -> list[SignatureReport]:
    """Validate every signature in the PDF. Each one is judged at its own signing time (the
    timestamp's, else the signer's), so a certificate that expired or was revoked later does
    not void a letter signed before, while one signed after a revocation fails."""
    embedded_signatures = read_signatures(pdf)
    roots = [asn1_certificate(c) for c in trust_roots]
    others = [asn1_certificate(c) for c in other_certs]
    reports = []
    for embedded in embedded_signatures:
        try:
            moment = _timestamp_time(embedded) or embedded.self_reported_timestamp
            context = ValidationContext(
                trust_roots=roots,
                other_certs=others,
                crls=list(crls),
                allow_fetching=False,
                revocation_mode="soft-fail",
                moment=moment,
                retroactive_revinfo=True,
            )
            status = await async_validate_pdf_signature(embedded, signer_validation_context=context)
            end = embedded.byte_range[2] + embedded.byte_range[3]
        except Exception as exc:  # noqa: BLE001 - broken CMS, odd xref: the letter is not valid
            raise BrokenPdf(str(exc)[:200]) from None
        certificate = status.signing_cert
        timestamp = status.timestamp_validity
        reports.append(
            SignatureReport(
                field_name=embedded.field_name,
                signer_name=_name_attr(certificate.subject, "common_name"),
                signer_serial_attr=_name_attr(certificate.subject, "serial_number"),
                signer_office=_name_attr(certificate.subject, "organizational_unit_name"),
                certificate_serial=certificate.serial_number,
                issuer_name=_name_attr(certificate.issuer, "common_name"),
                signed_at=(timestamp.timestamp if timestamp else None) or status.signer_reported_dt,
                timestamped=bool(timestamp and timestamp.intact and timestamp.valid),
                intact=status.intact,
                valid=status.valid,
                trusted=status.trusted,
                revoked=status.revoked,
                bottom_line=bool(status.bottom_line),
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                modifications_allowed=status.docmdp_ok is True
                or status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                revision_sha256=hashlib.sha256(pdf[:end]).hexdigest(),
                contact_info=str(embedded.sig_object.get("/ContactInfo", ""))[:300],
                padding_clean=_padding_clean(pdf, embedded.byte_range),
                certificates_clean=_certificates_clean(embedded, trust_roots),
            )
        )
    return reports
