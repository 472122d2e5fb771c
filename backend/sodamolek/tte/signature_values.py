"""The values of a PDF signature that the rest of the app passes around (where it goes, what a
check found, why signing failed), without pyHanko: tte.pades, which does the signing and
checking with pyHanko, is imported only when a signature is made or checked (tte.service), so a
server or a command that never signs does not load it (~0.8 s of imports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class SignatureFailed(RuntimeError):
    """pyHanko could not sign (broken input PDF, timestamp service down); said in Indonesian."""


@dataclass(frozen=True)
class Appearance:
    """Where the signature goes. box=None: an invisible signature (the letter prints its own
    signature block and QR); a box (points, lower-left origin) makes a visible widget."""

    field_name: str = "TTE-Lurah"
    page: int = -1
    box: tuple[int, int, int, int] | None = None


class BrokenPdf(ValueError):
    """Not a PDF pyHanko can read, or a signature it cannot parse."""


@dataclass(frozen=True)
class SignatureReport:
    """One embedded signature as pyHanko judged it."""

    field_name: str
    signer_name: str
    signer_serial_attr: str  # e.g. "NIP:1978…" from the certificate's serialNumber attribute
    signer_office: str
    certificate_serial: int
    issuer_name: str
    signed_at: dt.datetime | None  # the timestamp when there is one, else the signer's clock
    timestamped: bool
    intact: bool  # the bytes it covers hash to what was signed
    valid: bool  # the signature over them checks
    trusted: bool  # the certificate chains to a trusted root (and was not revoked then)
    revoked: bool
    bottom_line: bool  # pyHanko's overall judgment (integrity, trust, modifications, timestamp)
    covers_whole_file: bool
    modifications_allowed: bool  # later revisions only add signatures or fill forms
    revision_sha256: str  # hash of the bytes up to the end of this signature's revision
    contact_info: str = ""

    padding_clean: bool = True  # the unused end of /Contents is all zeros, as it was written
    certificates_clean: bool = True  # every certificate carried in the signature is unaltered

    @property
    def ok(self) -> bool:
        return (
            self.bottom_line and not self.revoked and self.padding_clean and self.certificates_clean
        )
