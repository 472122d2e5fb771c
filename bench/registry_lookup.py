"""How long the counter waits for a NIK lookup: the local table, the HTTP client against the fake
Dukcapil service (a real process over HTTP), and how fast it falls back when the service is
refused, slow, or behind an open circuit.

Usage: uv run python bench/registry_lookup.py
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from sodamolek import db
from sodamolek.people.fake_registry import demo_people
from sodamolek.people.registry import (
    CircuitBreaker,
    HttpRegistry,
    LocalRegistry,
    RegistryUnavailable,
)
from sodamolek.settings import Settings

LOOKUPS = 300
USER, PASSWORD = "bench", "bench-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake(port: int, latency_ms: int = 0) -> subprocess.Popen:
    env = {**os.environ, "SODAMOLEK_REGISTRY_USER": USER, "SODAMOLEK_REGISTRY_PASSWORD": PASSWORD}
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [
            sys.executable,
            "-m",
            "sodamolek.cli",
            "fake-registry",
            "--port",
            str(port),
            "--latency-ms",
            str(latency_ms),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("fake registry did not start")


async def timed(registry, niks: list[str]) -> list[float]:
    samples = []
    for nik in niks:
        start = time.perf_counter()
        try:
            await registry.lookup(nik)
        except RegistryUnavailable:
            pass
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    cut = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    print(f"{label:<48} median {statistics.median(samples):8.2f} ms   p95 {cut:8.2f} ms")


async def main() -> None:
    niks = [p["nik"] for p in demo_people()][:LOOKUPS]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'b.sqlite3'}", data_dir=Path(tmp))
        engine = db.use_engine(db.build_engine(settings))
        await db.start_engine(engine)
        await db.migrate()
        from sodamolek.seed import seed

        await seed(demo=True)
        report("local table (SQLite, pooled)", await timed(LocalRegistry(), niks))
        await db.stop_engine(engine)

    port = free_port()
    fake = start_fake(port)
    try:
        remote = HttpRegistry(f"http://127.0.0.1:{port}", USER, PASSWORD)
        await remote.lookup(niks[0])  # connection opened once, then kept
        report("HTTP client → fake registry process", await timed(remote, niks))
        await remote.aclose()
    finally:
        fake.terminate()
        fake.wait()

    refused = HttpRegistry(f"http://127.0.0.1:{free_port()}", USER, PASSWORD)
    report("refused (2 retries, backoff 0.2 s) → fallback", await timed(refused, niks[:5]))
    await refused.aclose()

    port = free_port()
    slow = start_fake(port, latency_ms=10_000)
    try:
        registry = HttpRegistry(f"http://127.0.0.1:{port}", USER, PASSWORD, timeout=3.0)
        report(
            "slow service (3 s timeout, 6 s deadline) → fallback", await timed(registry, niks[:2])
        )
        await registry.aclose()
    finally:
        slow.terminate()
        slow.wait()

    dead = HttpRegistry(
        f"http://127.0.0.1:{free_port()}", USER, PASSWORD, breaker=CircuitBreaker(threshold=1)
    )
    await timed(dead, niks[:1])  # opens the circuit
    report("open circuit → fallback", await timed(dead, niks))
    await dead.aclose()


if __name__ == "__main__":
    asyncio.run(main())
