"""What a test needs to start the app's own processes (servers, CLI commands, scripts) on its
database and data folder: their environment, and a free port."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time

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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
