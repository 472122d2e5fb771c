"""A fake BSrE esign service (API v2) for development, tests and benchmarks (`sodamolek
fake-bsre`). It signs with pyHanko and a test CA of its own, made when it starts (or kept in a
folder), so the whole path is exercised: our client, the service's answers, real PAdES
signatures, verification against its root.

Signers are NIKs with a passphrase and a certificate status. By default it knows the demo
signers (DEMO_SIGNERS, passphrase kupang-demo-2026). Error bodies are {"status_code", "error"}
as the client expects. It can answer slowly (--latency-ms) or fail (--fail-rate: 503).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from litestar import Litestar, Request, Response, get, post
from pyhanko.sign.signers.pdf_cms import SimpleSigner

from sodamolek.tte import bsre, ca, pades

DEMO_PASSPHRASE = "kupang-demo-2026"  # noqa: S105 - the documented demo passphrase
# NIKs the demo signers have at the fake service (valid-looking Kupang NIKs, not real people).
DEMO_SIGNERS = {
    "lurah.oebobo": ("5371041205780003", "Yohanes Ndun"),
    "lurah.namosain": ("5371010307800002", "Maria Lay"),
    "camat.oebobo": ("5371042009750001", "Daniel Fanggidae"),
}
EXPIRED_NIK = "5371040101700009"  # a signer whose certificate has expired


@dataclass
class FakeSigner:
    nik: str
    name: str
    passphrase: str
    status: str = "ISSUE"
    signer: SimpleSigner | None = None


@dataclass
class FakeBsre:
    """The service's state: its CA, its signers, and what it was asked (for tests)."""

    authority: ca.CityCA
    ca_passphrase: str
    signers: dict[str, FakeSigner] = field(default_factory=dict)
    latency_ms: int = 0
    fail_rate: float = 0.0
    sign_calls: int = 0
    files_signed: int = 0

    @property
    def root_pem(self) -> bytes:
        return self.authority.bundle_pem()

    def add_signer(self, nik: str, name: str, passphrase: str, status: str = "ISSUE") -> None:
        certificate, key = ca.issue_signer_certificate(
            self.authority,
            self.ca_passphrase,
            ca.SignerIdentity(name=name, nip="", title="Pejabat", office="BSrE uji"),
        )
        archive = ca.lock_key(key, certificate, self.authority.certificates, passphrase, 1000)
        signer = SimpleSigner.load_pkcs12_data(archive, [], passphrase.encode())
        for root in self.authority.certificates:
            signer.cert_registry.register(pades.asn1_certificate(root))
        self.signers[nik] = FakeSigner(nik, name, passphrase, status, signer)


def new_fake_state(folder: Path, latency_ms: int = 0, fail_rate: float = 0.0) -> FakeBsre:
    passphrase = "fake-bsre-ca-passphrase"  # noqa: S105 - a test CA in a scratch folder
    authority = ca.load_ca(folder) or ca.init_ca(folder, passphrase)
    state = FakeBsre(authority, passphrase, latency_ms=latency_ms, fail_rate=fail_rate)
    for nik, name in DEMO_SIGNERS.values():
        state.add_signer(nik, name, DEMO_PASSPHRASE)
    state.add_signer(EXPIRED_NIK, "Pejabat Kedaluwarsa", DEMO_PASSPHRASE, status="EXPIRED")
    return state


def _error(status: int, code: int, message: str) -> Response:
    return Response({"status_code": code, "error": message}, status_code=status)


def create_fake_bsre(state: FakeBsre, user: str, password: str) -> Litestar:
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    async def gate(request: Request) -> Response | None:
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        if state.fail_rate and random.random() < state.fail_rate:  # noqa: S311 - test noise
            return Response({"error": "Service Unavailable"}, status_code=503)
        if request.headers.get("authorization") != expected:
            return Response({"error": "Unauthorized"}, status_code=401)
        return None

    def known(nik: object) -> FakeSigner | Response:
        signer = state.signers.get(str(nik or ""))
        if signer is None:
            return _error(400, bsre.CODE_UNKNOWN_NIK, "Pengguna tidak terdaftar")
        if signer.status != "ISSUE":
            return _error(400, bsre.CODE_CERTIFICATE_EXPIRED, "Sertifikat sudah expired")
        return signer

    @post("/api/v2/sign/pdf", status_code=200)
    async def sign_pdf(request: Request) -> Response:
        if refused := await gate(request):
            return refused
        body = await request.json()
        signer = known(body.get("nik"))
        if isinstance(signer, Response):
            return signer
        if body.get("passphrase") != signer.passphrase:
            return _error(400, bsre.CODE_WRONG_PASSPHRASE, "Passphrase anda salah")
        files = body.get("file")
        properties = body.get("signatureProperties") or [{}]
        if not isinstance(files, list) or not files:
            return _error(400, 4000, "file wajib berupa daftar PDF base64")
        state.sign_calls += 1
        signed: list[str] = []
        reserve: int | None = None  # learnt from the batch's first signature
        for index, item in enumerate(files):
            try:
                pdf = base64.b64decode(item, validate=True)
            except (binascii.Error, TypeError, ValueError):
                return _error(400, 4001, f"file ke-{index + 1} bukan base64")
            props = properties[min(index, len(properties) - 1)]
            appearance = pades.Appearance(field_name=f"BSrE-{state.sign_calls}-{index}")
            try:
                out = await asyncio.to_thread(
                    _sign,
                    pdf,
                    signer,
                    appearance,
                    str(props.get("reason", "")),
                    str(props.get("location", "")),
                    reserve,
                )
                reserve = reserve or pades.reserve_for(out, timestamped=False)
            except pades.SignatureFailed:
                return _error(400, 4002, f"file ke-{index + 1} bukan PDF yang dapat ditandatangani")
            signed.append(base64.b64encode(out).decode())
        state.files_signed += len(signed)
        return Response({"file": signed, "time": dt.datetime.now(dt.UTC).isoformat()})

    @post("/api/v2/user/check/status", status_code=200)
    async def check_status(request: Request) -> Response:
        if refused := await gate(request):
            return refused
        body = await request.json()
        signer = state.signers.get(str(body.get("nik", "")))
        if signer is None:
            return _error(400, bsre.CODE_UNKNOWN_NIK, "Pengguna tidak terdaftar")
        return Response({"status": signer.status, "message": "OK"})

    @post("/api/v2/verify/pdf", status_code=200)
    async def verify_pdf(request: Request) -> Response:
        if refused := await gate(request):
            return refused
        body = await request.json()
        try:
            pdf = base64.b64decode(body.get("file", ""), validate=True)
            reports = await pades.validate_pdf(pdf, state.authority.certificates)
        except (binascii.Error, TypeError, ValueError):
            return Response({"conclusion": "INVALID", "description": "Berkas tidak terbaca"})
        ok = bool(reports) and all(r.ok for r in reports) and reports[-1].covers_whole_file
        return Response(
            {
                "conclusion": "VALID" if ok else "INVALID",
                "signatureCount": len(reports),
                "signatureInformations": [
                    {"signerName": r.signer_name, "signatureDate": str(r.signed_at)}
                    for r in reports
                ],
            }
        )

    @get("/ca.pem")
    async def root() -> Response:
        return Response(state.root_pem, media_type="application/x-pem-file")

    return Litestar([sign_pdf, check_status, verify_pdf, root], debug=False)


def _sign(
    pdf: bytes, signer: FakeSigner, appearance, reason: str, location: str, reserve: int | None
) -> bytes:
    assert signer.signer is not None
    return asyncio.run(
        pades.sign_pdf(
            pdf,
            signer.signer,
            appearance=appearance,
            reason=reason,
            location=location,
            bytes_reserved=reserve,
        )
    )


def write_roots(state: FakeBsre, path: Path) -> None:
    path.write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in state.authority.certificates)
    )
