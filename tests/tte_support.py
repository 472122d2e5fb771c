"""Test helpers for electronic signatures: a local RFC 3161 timestamp service (pyHanko's
DummyTimeStamper behind HTTP) and a server thread for the fake BSrE, so timeouts are real."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Iterator

import uvicorn
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from litestar import Litestar, Request, Response, post
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from sodamolek.tte import ca, pades
from tests.processes import free_port


def make_tsa(authority: ca.CityCA, passphrase: str) -> DummyTimeStamper:
    """A TSA certificate (RSA: pyHanko's dummy stamper signs with RSA) from the given CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer = authority.current
    ca_key = authority.private_key(passphrase, issuer)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA uji")]))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return DummyTimeStamper(
        tsa_cert=pades.asn1_certificate(certificate),
        tsa_key=key_info,
        certs_to_embed=[pades.asn1_certificate(issuer.certificate)],
    )


def tsa_app(stamper: DummyTimeStamper, counter: list[int] | None = None) -> Litestar:
    """RFC 3161 over HTTP: a DER TimeStampReq in, a DER TimeStampResp out."""

    @post("/tsa", status_code=200)
    async def stamp(request: Request) -> Response:
        if counter is not None:
            counter.append(1)
        req = tsp.TimeStampReq.load(await request.body())
        answer = stamper.request_tsa_response(req)
        return Response(answer.dump(), media_type="application/timestamp-reply")

    return Litestar([stamp])


@contextlib.contextmanager
def serve_in_thread(app, port: int | None = None) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a loopback port in a thread; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


TEST_PASSPHRASE = "passphrase-uji-tte-01"  # noqa: S105 - the tests' signers' passphrase


async def session_for(app, user, passphrase: str = TEST_PASSPHRASE):
    """An opened signing session for a lurah or camat of the tests: a certificate under the
    test passphrase is issued the first time. One session per user and app, as a signer opens
    one per batch."""
    from sodamolek.tte import service

    cache = app.state.get("test_signing_sessions")
    if cache is None:
        cache = app.state.test_signing_sessions = {}
    if user.id not in cache:
        if await service.current_certificate(user.id) is None:
            identity = await service.signer_identity(user)
            await service.set_passphrase(app.state.settings, user.id, identity, passphrase)
        cache[user.id] = await service.open_session(app.state.settings, user.id, passphrase)
    return cache[user.id]


async def sign_as(app, user, request_id: int, base_url: str = "https://x", **options):
    """The user's signature on one request as the signing desk gives it: the app's letter key
    and the user's signing session (session_for)."""
    from sodamolek.issuing import service as issuing

    return await issuing.sign_request(
        user,
        request_id,
        app.state.signing_key,
        base_url,
        session=await session_for(app, user),
        **options,
    )
