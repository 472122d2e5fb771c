"""`sodamolek worker` as real processes: two of them share the outbox (row locks with SKIP
LOCKED on PostgreSQL, IMMEDIATE transactions on SQLite) and no message is sent twice; SIGTERM
stops them cleanly. And the embedded worker runs inside the app's lifespan."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from dataclasses import replace

import pytest

from sodamolek import db
from sodamolek.app import create_app
from sodamolek.push import service
from sodamolek.push.tables import PushMessage
from tests.fakepush import FakePushService

LOCAL = ("127.0.0.1",)


@pytest.fixture
def settings(settings):
    return replace(settings, push_allowed_hosts=LOCAL)


async def _collect(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while line := await stream.readline():
        lines.append(line.decode(errors="replace"))


async def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_two_worker_processes_share_200_messages_and_never_send_one_twice(
    app, settings, database_url
):
    fake = FakePushService(vapid_public_key=app.state.settings.vapid_public_key, delay=0.005)
    await fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_ENV": "test",
        "SODAMOLEK_DATA_DIR": str(settings.data_dir),  # the same VAPID pair as the app's
        "SODAMOLEK_DATABASE_URL": database_url,
        "SSL_CERT_FILE": str(fake.certificate.cert_file),  # trust the fake service's TLS
    }
    workers, logs, readers = [], [], []
    try:
        for _ in range(2):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "sodamolek.cli",
                "worker",
                "--batch-size",
                "5",
                "--poll-interval",
                "0.05",
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            lines: list[str] = []
            workers.append(process)
            logs.append(lines)
            readers.append(asyncio.create_task(_collect(process.stderr, lines)))
        await _wait_for(
            lambda: all(any("push worker started" in line for line in log) for log in logs),
            60,
            "both workers to start",
        )

        request_ids = range(5000, 5200)
        for request_id in request_ids:
            clean = service.validate_subscription(fake.new_subscription(), LOCAL)
            await service.subscribe(request_id, clean)
        async with db.write_transaction(PushMessage._meta.db):  # all due at the same moment
            for request_id in request_ids:
                await service.enqueue_status_notification(request_id, "KPG-7F3K-9QX2", "ready")

        await _wait_for(lambda: len(fake.deliveries) >= 200, 90, "200 deliveries")
        await asyncio.sleep(0.5)  # room for a double send to show up
    finally:
        for process in workers:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 30) for p in workers]
        await asyncio.gather(*readers)
        await fake.stop()

    assert codes == [0, 0], "".join(sum(logs, []))
    per_request = Counter(d.payload["request_id"] for d in fake.deliveries)
    assert per_request == Counter(dict.fromkeys(request_ids, 1))
    assert fake.errors == []
    sent = [
        int(m.group(1))
        for log in logs
        for m in [re.search(r"stopped after (\d+) sends", "".join(log))]
        if m
    ]
    assert len(sent) == 2 and sum(sent) == 200
    assert min(sent) > 0, f"one worker did all the work: {sent}"
    states = Counter(r["state"] for r in await PushMessage.select(PushMessage.state))
    assert states == {"delivered": 200}


async def test_serve_runs_the_embedded_worker_and_stops_it(settings, database_template):
    """Inside the app's lifespan (as `serve` runs it) the worker picks up the outbox. The
    message goes to a closed port: a network error proves the worker tried, no TLS needed."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Migrated before the app starts, as `sodamolek migrate` runs before `serve`: migrating
    # inside the lifespan raced the running worker's claims for SQLite's write lock.
    database_template.restore(settings.database_url)
    application = create_app(replace(settings, embedded_worker=True))
    async with application.lifespan():
        fake = FakePushService(vapid_public_key=application.state.settings.vapid_public_key)
        phone = fake.new_subscription()
        phone["endpoint"] = f"https://127.0.0.1:{port}/push/x"
        await service.subscribe(1, service.validate_subscription(phone, LOCAL))
        await service.enqueue_status_notification(1, "KPG-7F3K-9QX2", "ready")

        async def state() -> str:
            return (await service.messages_for_request(1))[0]["state"]

        for _ in range(200):
            if await state() == "temporary-failure":
                break
            await asyncio.sleep(0.05)
        assert await state() == "temporary-failure"
        tasks = [t for t in asyncio.all_tasks() if t.get_name() == "push-worker"]
        assert len(tasks) == 1
    assert tasks[0].done() and not tasks[0].cancelled()
