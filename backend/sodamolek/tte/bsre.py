"""A client for BSrE's esign service (API v2), as Indonesian local governments use it.

- POST /api/v2/sign/pdf: nik, passphrase (or totp), signatureProperties (one per file), file (a
  list of base64 PDFs): one passphrase signs a whole batch; the answer's `file` is the list of
  signed PDFs in the same order.
- POST /api/v2/user/check/status: nik -> status ("ISSUE" when the certificate can sign).
- POST /api/v2/verify/pdf: file (base64) -> the service's own conclusion.

Basic auth for the client application. Network errors (connect, read timeout) are retried a
bounded number of times; an answer of the service, even a 5xx, is not: a sign request that
reached it may have been carried out. Every failure becomes a BsreError whose message is what
the signer reads, in Indonesian, without the passphrase or the NIK.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass
from typing import Any

import httpx

# The service's error codes (status_code in the error body) that have a meaning for the signer.
# The service also words the error; both are looked at, the code first.
CODE_WRONG_PASSPHRASE = 2031
CODE_UNKNOWN_NIK = 1111
CODE_CERTIFICATE_EXPIRED = 2021
CODE_CERTIFICATE_REVOKED = 2022


class BsreError(Exception):
    """A failure the signer is told about; str() is the Indonesian message."""

    retryable = False


class WrongPassphrase(BsreError):
    def __init__(self) -> None:
        super().__init__("Passphrase TTE salah. Tidak ada surat yang ditandatangani.")


class UnknownNik(BsreError):
    def __init__(self) -> None:
        super().__init__(
            "NIK penandatangan belum terdaftar di layanan TTE BSrE. Hubungi admin kota untuk "
            "pendaftaran sertifikat elektronik."
        )


class CertificateExpired(BsreError):
    def __init__(self) -> None:
        super().__init__(
            "Sertifikat elektronik penandatangan sudah kedaluwarsa atau dicabut. Perpanjang "
            "sertifikat melalui admin kota sebelum menandatangani."
        )


class ServiceUnavailable(BsreError):
    retryable = True

    def __init__(self, detail: str = "") -> None:
        text = "Layanan TTE BSrE tidak dapat dihubungi saat ini. Coba lagi beberapa saat lagi."
        super().__init__(f"{text} ({detail})" if detail else text)


class ServiceRefused(BsreError):
    """Any other refusal: the service's own words, trimmed."""


@dataclass(frozen=True)
class SignatureProperties:
    """One file's signatureProperties entry."""

    tampilan: str = "INVISIBLE"  # or "VISIBLE"
    image_base64: str | None = None
    page: int = 1
    origin_x: float = 0.0
    origin_y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    location: str = ""
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"tampilan": self.tampilan}
        if self.tampilan == "VISIBLE":
            body.update(
                page=self.page,
                originX=self.origin_x,
                originY=self.origin_y,
                width=self.width,
                height=self.height,
            )
            if self.image_base64:
                body["imageBase64"] = self.image_base64
        if self.location:
            body["location"] = self.location
        if self.reason:
            body["reason"] = self.reason
        return body


@dataclass(frozen=True)
class BsreConfig:
    base_url: str
    user: str
    password: str
    timeout_seconds: float = 30.0
    retries: int = 2  # extra attempts after a network error
    retry_pause_seconds: float = 0.5


class BsreClient:
    def __init__(self, config: BsreConfig, transport: httpx.AsyncBaseTransport | None = None):
        self.config = config
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.config.base_url,
            auth=(self.config.user, self.config.password),
            timeout=httpx.Timeout(self.config.timeout_seconds, connect=5.0),
            transport=self._transport,
        )

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        attempts = 1 + max(0, self.config.retries)
        async with self._client() as client:
            for attempt in range(attempts):
                try:
                    response = await client.post(path, json=body)
                except (httpx.TransportError, httpx.TimeoutException) as exc:
                    if attempt + 1 < attempts:
                        await asyncio.sleep(self.config.retry_pause_seconds * (attempt + 1))
                        continue
                    kind = "batas waktu habis" if isinstance(exc, httpx.TimeoutException) else ""
                    raise ServiceUnavailable(kind) from None
                return _answer(response)
        raise ServiceUnavailable()  # pragma: no cover - the loop always returns or raises

    async def sign_pdfs(
        self,
        nik: str,
        files: list[bytes],
        properties: SignatureProperties,
        *,
        passphrase: str | None = None,
        totp: str | None = None,
    ) -> list[bytes]:
        """Sign every file with one passphrase (or TOTP): the signed PDFs, in order."""
        body: dict[str, Any] = {
            "nik": nik,
            "signatureProperties": [properties.as_json() for _ in files],
            "file": [base64.b64encode(f).decode("ascii") for f in files],
        }
        if totp:
            body["totp"] = totp
        else:
            body["passphrase"] = passphrase or ""
        answer = await self._post("/api/v2/sign/pdf", body)
        signed = answer.get("file")
        if not isinstance(signed, list) or len(signed) != len(files):
            raise ServiceRefused("Jawaban layanan TTE BSrE tidak lengkap: jumlah berkas berbeda.")
        try:
            return [base64.b64decode(item, validate=True) for item in signed]
        except (binascii.Error, TypeError, ValueError):
            raise ServiceRefused("Jawaban layanan TTE BSrE bukan berkas PDF yang sah.") from None

    async def check_status(self, nik: str) -> str:
        """The certificate's status; raises UnknownNik / CertificateExpired when it cannot
        sign."""
        answer = await self._post("/api/v2/user/check/status", {"nik": nik})
        status = str(answer.get("status", "")).upper()
        if status in {"EXPIRED", "REVOKE", "REVOKED", "SUSPEND"}:
            raise CertificateExpired()
        if status in {"NOT_REGISTERED", "NOT_FOUND", ""}:
            raise UnknownNik()
        return status

    async def verify_pdf(self, pdf: bytes) -> dict[str, Any]:
        return await self._post(
            "/api/v2/verify/pdf", {"file": base64.b64encode(pdf).decode("ascii")}
        )


def _answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a 2xx; the matching BsreError otherwise."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.is_success and "error" not in body:
        return body
    if response.status_code >= 500:
        raise ServiceUnavailable(f"HTTP {response.status_code}")
    if response.status_code in (401, 403) and "status_code" not in body:
        raise ServiceRefused(
            "Aplikasi ditolak oleh layanan TTE BSrE: periksa SODAMOLEK_BSRE_USER dan "
            "SODAMOLEK_BSRE_PASSWORD."
        )
    code = body.get("status_code")
    words = str(body.get("error", "")).lower()
    if code == CODE_WRONG_PASSPHRASE or "passphrase" in words:
        raise WrongPassphrase()
    if code == CODE_UNKNOWN_NIK or "tidak terdaftar" in words or "not registered" in words:
        raise UnknownNik()
    if code in (CODE_CERTIFICATE_EXPIRED, CODE_CERTIFICATE_REVOKED) or any(
        w in words for w in ("expired", "kadaluarsa", "kedaluwarsa", "revoke", "dicabut")
    ):
        raise CertificateExpired()
    detail = " ".join(str(body.get("error", "")).split())[:200]
    raise ServiceRefused(
        f"Layanan TTE BSrE menolak permintaan (HTTP {response.status_code})"
        + (f": {detail}" if detail else ".")
    )
