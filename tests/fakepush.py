"""A fake Web Push service over real HTTPS on 127.0.0.1, for tests and bench/push_throughput.py.

It plays both the push service and the phones: `new_subscription()` makes a receiver key pair
and auth secret like a browser does and returns PushSubscription.toJSON(); every POST is
checked (VAPID token signed by the expected key, TTL, Urgency, Topic, aes128gcm) and decrypted
with http_ece using the receiver's private key. Responses can be scripted per endpoint.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import json
import os
import secrets
import ssl
import tempfile
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import http_ece
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Receiver:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )


@dataclass
class Delivery:
    token: str
    payload: dict[str, Any]
    headers: dict[str, str]  # names in lower case
    status: int


@dataclass
class TestCertificate:
    """A self-signed certificate for 127.0.0.1: the worker really speaks TLS to the fake."""

    cert_file: Path
    key_file: Path

    @classmethod
    def create(cls, folder: Path) -> TestCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake push service")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        cert_file, key_file = folder / "fakepush-cert.pem", folder / "fakepush-key.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cls(cert_file, key_file)

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@dataclass
class FakePushService:
    vapid_public_key: str  # what the Authorization header's k= must be
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fakepush-")))
    receivers: dict[str, Receiver] = field(default_factory=dict)
    scripts: dict[str, deque[tuple[int, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    deliveries: list[Delivery] = field(default_factory=list)  # every decrypted POST
    attempts: Counter = field(default_factory=Counter)  # POSTs per token
    errors: list[str] = field(default_factory=list)  # anything a real service would refuse
    delay: float = 0.0  # seconds before answering, to make concurrent workers overlap
    base_url: str = ""

    async def start(self) -> FakePushService:
        self.certificate = TestCertificate.create(self.folder)
        app = web.Application()
        app.router.add_post("/push/{token}", self._handle)
        app.router.add_post("/elsewhere", self._elsewhere)
        self.redirect_target_hits = 0
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, "127.0.0.1", 0, ssl_context=self.certificate.server_context()
        )
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"https://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    def new_subscription(self) -> dict[str, Any]:
        token = secrets.token_urlsafe(16)
        receiver = Receiver(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.receivers[token] = receiver
        return {
            "endpoint": f"{self.base_url}/push/{token}",
            "expirationTime": None,
            "keys": {"p256dh": receiver.p256dh, "auth": b64url(receiver.auth)},
        }

    @staticmethod
    def token_of(subscription: dict[str, Any]) -> str:
        return subscription["endpoint"].rsplit("/", 1)[1]

    def script(self, subscription: dict[str, Any], *answers: int | tuple[int, dict]) -> None:
        """The next answers for this endpoint, in order; after them, 201."""
        for answer in answers:
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self.scripts[self.token_of(subscription)].append((status, headers))

    def deliveries_to(self, subscription: dict[str, Any]) -> list[Delivery]:
        token = self.token_of(subscription)
        return [d for d in self.deliveries if d.token == token]

    def _check_headers(self, request: web.Request) -> None:
        headers = request.headers
        if headers.get("Content-Encoding") != "aes128gcm":
            self.errors.append(f"content-encoding {headers.get('Content-Encoding')!r}")
        if int(headers.get("TTL", "0")) < 3 * 24 * 3600:
            self.errors.append(f"TTL {headers.get('TTL')!r} shorter than 3 days")
        if headers.get("Urgency") not in ("very-low", "low", "normal", "high"):
            self.errors.append(f"urgency {headers.get('Urgency')!r}")
        topic = headers.get("Topic", "")
        alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        if not topic or len(topic) > 32 or not set(topic) <= alphabet:
            self.errors.append(f"topic {topic!r}")
        authorization = headers.get("Authorization", "")
        try:
            valid = Vapid02.verify(authorization)
        except Exception as error:  # malformed header
            valid = False
            self.errors.append(f"authorization unreadable: {error!r}")
        if not valid or f"k={self.vapid_public_key}" not in authorization:
            self.errors.append("VAPID token not signed by the configured key")
        else:
            token = authorization.split("t=", 1)[1].split(",", 1)[0]
            claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
            if claims.get("aud") != self.base_url:
                self.errors.append(f"VAPID aud {claims.get('aud')!r}")
            if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
                self.errors.append(f"VAPID sub {claims.get('sub')!r}")

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        self.attempts[token] += 1
        body = await request.read()
        receiver = self.receivers.get(token)
        if receiver is None:
            return web.Response(status=404)
        self._check_headers(request)
        try:
            plain = http_ece.decrypt(
                body,
                private_key=receiver.private_key,
                auth_secret=receiver.auth,
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except Exception as error:
            self.errors.append(f"cannot decrypt: {error!r}")
            return web.Response(status=400)
        if self.delay:
            await asyncio.sleep(self.delay)
        status, extra = 201, {}
        if self.scripts[token]:
            status, extra = self.scripts[token].popleft()
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.deliveries.append(Delivery(token, payload, headers, status))
        if status == 410:
            self.receivers.pop(token, None)  # gone for good, like a real service
        return web.Response(status=status, headers=extra)

    async def _elsewhere(self, request: web.Request) -> web.Response:
        self.redirect_target_hits += 1
        return web.Response(status=201)
