"""Push worker throughput: 10,000 notifications through the outbox to a loopback fake push
service over HTTPS, against the no-database send limit in the same run: the worker's own sender
(pywebpush encryption, VAPID headers, HTTPS keep-alive POSTs) sending the same messages in
batches of the same size with no outbox to claim from or record into. That is what a worker
could reach if the database cost nothing; encryption alone (printed too) no sender can reach.
Each batch size runs its baseline and the worker one after the other, several rounds; printed:
worker/limit with min/median/max (goal ≥ 0.9, every message delivered).

The fake service runs in its own process (it only counts and answers 201; decryption is checked
by the tests) so that it does not share the worker's event loop. The database is SQLite in a
temporary folder, or PostgreSQL if SODAMOLEK_BENCH_DATABASE_URL names one (migrated; the push
tables are truncated before each fill and analysed after it).

Usage: uv run --frozen python bench/push_throughput.py [messages] [batch sizes…]
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
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
from sodamolek.push.worker import Claimed, deliver_due, open_sender  # noqa: E402
from sodamolek.settings import Settings  # noqa: E402
from sodamolek.startup import ProcessRole, prepare  # noqa: E402

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
BATCH_SIZES = [int(a) for a in sys.argv[2:]] or [50, 200]
ROUNDS = int(os.environ.get("SODAMOLEK_BENCH_ROUNDS", "3"))
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
    postgres = db.engine_name(db.current_engine()) == "postgresql"
    if postgres:
        # Not DELETE: every round would leave its 10,000 rows' dead versions for a vacuum, and
        # a CI server runs none (autovacuum off), so each round and each run of the bench
        # would measure the worker over a larger table of dead rows than the last.
        await PushMessage.raw("TRUNCATE push_message, push_subscription")
    else:
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
    if postgres:  # as autovacuum would, after as many new rows: the planner sees the table
        await PushMessage.raw("ANALYZE push_message, push_subscription")


async def send_limit(sender, base_url: str, phones: list[dict[str, str]], batch_size: int) -> float:
    """Messages per second the sender reaches with no database: the same messages, claimed
    from a list instead of the outbox, nothing recorded."""
    messages = [
        Claimed(
            id=n,
            attempts=1,
            subscription_id=n % len(phones),
            endpoint=f"{base_url}/push/p{n % len(phones)}",
            endpoint_hash="",
            p256dh=phones[n % len(phones)]["p256dh"],
            auth=phones[n % len(phones)]["auth"],
            payload=PAYLOAD,
            urgency="normal",
            topic="status",
        )
        for n in range(MESSAGES)
    ]
    start = time.perf_counter()
    for first in range(0, MESSAGES, batch_size):
        batch = messages[first : first + batch_size]
        results = await asyncio.gather(*(sender.send(m) for m in batch))
        assert all(r.delivered for r in results), results[0]
    return MESSAGES / (time.perf_counter() - start)


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
        ratios: dict[int, list[float]] = {b: [] for b in BATCH_SIZES}
        try:
            for round_number in range(1, ROUNDS + 1):
                for batch_size in BATCH_SIZES:
                    async with open_sender(
                        settings, ssl_context=certificate.client_context()
                    ) as sender:
                        limit = await send_limit(sender, base_url, phones, batch_size)
                    await service_stats(base_url, certificate)  # counters start again
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
                    ratios[batch_size].append(rate / limit)
                    print(
                        f"round {round_number}, batch {batch_size:>4}: worker {rate:6.0f}/s, "
                        f"no-database send limit {limit:6.0f}/s ({elapsed:.1f} s; "
                        f"{rate / bare:.0%} of encryption alone)",
                        flush=True,
                    )
            for batch_size, values in ratios.items():
                print(
                    f"worker vs no-database send limit, batch {batch_size}: ratio min "
                    f"{min(values):.3f} median {statistics.median(values):.3f} "
                    f"max {max(values):.3f} (goal ≥ 0.9, {MESSAGES} delivered each round)"
                )
        finally:
            done.set()
            server.join(timeout=10)
            await db.stop_engine(engine)


if __name__ == "__main__":
    asyncio.run(main())
