"""Push worker throughput: 10,000 notifications through the outbox to a loopback fake push
service over HTTPS, against the bare encryption rate (pywebpush encrypt only) in the same run.

The fake service runs in its own process (it only counts and answers 201; decryption is checked
by the tests) so that it does not share the worker's event loop. The database is SQLite in a
temporary folder, or PostgreSQL if SODAMOLEK_BENCH_DATABASE_URL names one (migrated; the push
tables are emptied).

Usage: uv run --frozen python bench/push_throughput.py [messages] [batch sizes…]
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.fakepush

import aiohttp  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from pywebpush import WebPusher  # noqa: E402
from tests.fakepush import TestCertificate  # noqa: E402

from sodamolek import db  # noqa: E402
from sodamolek.push import service  # noqa: E402
from sodamolek.push.tables import PushMessage, PushSubscription  # noqa: E402
from sodamolek.push.vapid import b64url  # noqa: E402
from sodamolek.push.worker import deliver_due, open_sender  # noqa: E402
from sodamolek.settings import Settings  # noqa: E402
from sodamolek.startup import ProcessRole, prepare  # noqa: E402

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
BATCH_SIZES = [int(a) for a in sys.argv[2:]] or [50, 200]
ENCRYPTIONS = 1_000
SUBSCRIBERS = 500  # phones; each gets MESSAGES / SUBSCRIBERS notifications
PAYLOAD = json.dumps(service.notification_payload(123456, "KPG-7F3K-9QX2", "ready"))


def fake_service(folder: str, ports: multiprocessing.Queue, done: multiprocessing.Event) -> None:
    """A push service that counts POSTs per endpoint and answers 201, on 127.0.0.1 over TLS."""
    from aiohttp import web

    counts: Counter = Counter()

    async def push(request: web.Request) -> web.Response:
        await request.read()
        counts[request.match_info["token"]] += 1
        return web.Response(status=201)

    async def stats(_: web.Request) -> web.Response:
        return web.json_response(dict(counts))

    async def reset(_: web.Request) -> web.Response:
        counts.clear()
        return web.Response(status=204)

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/push/{token}", push)
        app.router.add_get("/stats", stats)
        app.router.add_post("/reset", reset)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        certificate = TestCertificate(
            Path(folder) / "fakepush-cert.pem", Path(folder) / "fakepush-key.pem"
        )
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=certificate.server_context())
        await site.start()
        ports.put(site._server.sockets[0].getsockname()[1])
        await asyncio.to_thread(done.wait)
        await runner.cleanup()

    asyncio.run(serve())


def receiver_keys() -> dict[str, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}


def encryption_rate(keys: dict[str, str]) -> float:
    """What pywebpush costs per message with no network and no database: the ceiling. Best of
    three runs, as the machine may be shared."""
    info = {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": keys}
    payload = PAYLOAD.encode()
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(ENCRYPTIONS):
            WebPusher(info).encode(payload)
        rates.append(ENCRYPTIONS / (time.perf_counter() - start))
    return max(rates)


async def fill_outbox(base_url: str, phones: list[dict[str, str]]) -> None:
    await PushMessage.delete(force=True)
    await PushSubscription.delete(force=True)
    for number, keys in enumerate(phones):
        clean = service.CleanSubscription(
            f"{base_url}/push/p{number}", keys["p256dh"], keys["auth"]
        )
        await service.subscribe(number, clean)
    per_phone = MESSAGES // len(phones)
    async with db.write_transaction(PushMessage._meta.db):
        for _ in range(per_phone):
            for number in range(len(phones)):
                await service.enqueue_status_notification(number, "KPG-7F3K-9QX2", "ready")


async def service_stats(base_url: str, certificate: TestCertificate) -> dict[str, int]:
    """POSTs per phone as the fake service counted them; then its counters start again."""
    connector = aiohttp.TCPConnector(ssl=certificate.client_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(f"{base_url}/stats") as response:
            stats = await response.json()
        async with session.post(f"{base_url}/reset"):
            pass
    return stats


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("SODAMOLEK_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        settings = prepare(Settings(database_url=url, data_dir=Path(tmp)), ProcessRole.WORKER)
        settings = replace(settings, push_allowed_hosts=("127.0.0.1",))
        certificate = TestCertificate.create(Path(tmp))

        context = multiprocessing.get_context("spawn")
        ports, done = context.Queue(), context.Event()
        server = context.Process(target=fake_service, args=(tmp, ports, done), daemon=True)
        server.start()
        base_url = f"https://127.0.0.1:{ports.get(timeout=30)}"

        engine = db.use_engine(db.build_engine(settings))
        await db.start_engine(engine, 5)
        await db.migrate()
        phones = [receiver_keys() for _ in range(SUBSCRIBERS)]

        print(
            f"engine: {db.engine_name(engine)}, {MESSAGES} messages to {SUBSCRIBERS} phones, "
            f"HTTPS to a loopback fake push service in another process, {os.cpu_count()} CPUs"
        )
        bare = encryption_rate(phones[0])
        print(f"pywebpush encryption alone:     {bare:8.0f} messages/s")
        try:
            for batch_size in BATCH_SIZES:
                await fill_outbox(base_url, phones)
                async with open_sender(
                    settings, ssl_context=certificate.client_context()
                ) as sender:
                    start = time.perf_counter()
                    sent = 0
                    while handled := await deliver_due(sender, batch_size=batch_size):
                        sent += handled
                    elapsed = time.perf_counter() - start
                stats = await service_stats(base_url, certificate)
                delivered = await PushMessage.count().where(PushMessage.state == "delivered")
                assert sent == delivered == MESSAGES, (sent, delivered)
                assert (
                    sum(stats.values()) == MESSAGES
                    and max(stats.values()) == MESSAGES // SUBSCRIBERS
                )
                rate = sent / elapsed
                print(
                    f"worker, batch {batch_size:>4}:             {rate:8.0f} messages/s "
                    f"({elapsed:.1f} s; {rate / bare:.0%} of the encryption rate)"
                )
        finally:
            done.set()
            server.join(timeout=10)
            await db.stop_engine(engine)


if __name__ == "__main__":
    asyncio.run(main())
