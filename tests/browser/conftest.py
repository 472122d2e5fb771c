"""A real server process on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.bounded import DEFAULT_TIMEOUT_MS
from tests.databases import demo_database
from tests.processes import free_port

CHROMIUM = os.environ.get("SODAMOLEK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Marked `browser` at collection: `-m "not browser"` leaves out the Chromium tests.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - a local test server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def fake_registry(data_dir: Path, latency_ms: int) -> Iterator[str]:
    """`sodamolek fake-registry` in its own process, answering after latency_ms, with the
    credentials live servers are given (user `uji`); yields its URL (for module fixtures)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_REGISTRY_USER": "uji",
        "SODAMOLEK_REGISTRY_PASSWORD": "rahasia-uji",
        "SODAMOLEK_DATA_DIR": str(data_dir),
    }
    command = [sys.executable, "-m", "sodamolek.cli", "fake-registry", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own command
        [*command, "--latency-ms", str(latency_ms)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/health")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "sodamolek.cli", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    def start(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - kept open for the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sodamolek.cli", "serve", "--port", port],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start: " + (self.data_dir / "server.log").read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no graceful end for requests in flight (a power cut, an OOM kill)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    @property
    def database(self) -> Path:
        return self.data_dir / "sodamolek.sqlite3"


def make_live_server(data_dir: Path, **extra_env: str) -> LiveServer:
    """A migrated, demo-seeded server on a free port (not started)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_DATA_DIR": str(data_dir),
        "SODAMOLEK_DATABASE_URL": f"sqlite:///{data_dir / 'sodamolek.sqlite3'}",
        "SODAMOLEK_BASE_URL": f"http://127.0.0.1:{port}",
        **extra_env,
    }
    server = LiveServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env)
    # What `sodamolek migrate` and `sodamolek seed --demo` would make, copied; then `seed --demo`
    # once more, which finds the rows there and gives the demo signers their TTE certificates,
    # whose keys live in this server's data folder (under its own secret), not in the database.
    shutil.copyfile(demo_database(), server.database)
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "sodamolek.cli", "seed", "--demo"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    server = make_live_server(tmp_path_factory.mktemp("live"))
    server.start()
    yield server
    server.stop()


# Module scope: Playwright's sync API keeps an event loop running while it is open, and
# pytest-asyncio cannot start the async tests of other modules inside it.
@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 800, "height": 1280}, locale="id-ID")
    # Playwright's own default is 30 s per wait, and none at all for `evaluate`
    # (tests.browser.bounded covers that).
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()
