"""What a test needs to start the app's own processes (servers, CLI commands, scripts) on its
database and data folder: their environment, and a free port."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sys
import time
from pathlib import Path

import httpx

from sodamolek.settings import Settings
from tests.databases import SECRET


def process_env(settings: Settings, database_url: str, **extra: str) -> dict[str, str]:
    """This environment without any SODAMOLEK_* of the developer's, then the test's database,
    data folder and secret; `extra` names more settings (EMBEDDED_WORKER="false" →
    SODAMOLEK_EMBEDDED_WORKER=false)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_ENV": "test",
        "SODAMOLEK_DATA_DIR": str(settings.data_dir),
        "SODAMOLEK_DATABASE_URL": database_url,
        "SODAMOLEK_SECRET_KEY": SECRET,
    }
    return env | {f"SODAMOLEK_{name}": value for name, value in extra.items()}


def free_port() -> int:
    """A loopback port free now, below the kernel's ephemeral range. Port 0 would give one from
    that range, which any outgoing connection (the other xdist worker's clients) may take before
    the server binds it: a CI run saw a live server fail with "address already in use"."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default
    for _ in range(200):
        port = random.randrange(10_000, max(low, 10_001))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


async def wait_until_up(client: httpx.AsyncClient, url: str, process) -> None:
    """Until the server process answers /health (90 s at most); fails at once if it exited."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.returncode is None, f"server {url} exited with {process.returncode}"
        try:
            if (await client.get(url + "/health", timeout=1)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"server {url} did not start")


async def serve_process(env: dict[str, str], url: str) -> asyncio.subprocess.Process:
    """`sodamolek serve` on url's port with env (output dropped); wait_until_up before use."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sodamolek.cli",
        "serve",
        "--port",
        url.rsplit(":", 1)[1],
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
