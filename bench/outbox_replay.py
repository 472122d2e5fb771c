"""The service worker's outbox: 500 requests typed with no network, then the network comes back.
How long until the server has them all, and how many requests a second the replay sends.

Chromium (Playwright, /usr/bin/chromium) against a real server process with SQLite (the embedded
default: local population registry, synchronous=FULL). Requests are queued through the worker's
own fetch handler, as the form does; the replay is one at a time, each a POST to
/api/v1/permohonan with its Idempotency-Key after one GET /sesi for a fresh CSRF token.

Usage: uv run python bench/outbox_replay.py [count]
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from sodamolek.seed import DEMO_PASSWORD

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 500
CHROMIUM = os.environ.get("SODAMOLEK_CHROMIUM", "/usr/bin/chromium")
NIK = "5371041203900001"

QUEUE = """async ([count, nik]) => {
  const token = (document.querySelector('input[name=_csrf_token]') || {}).value || '';
  for (let i = 0; i < count; i++) {
    const body = new URLSearchParams({
      _csrf_token: token, client_request_id: crypto.randomUUID(), _operator: 'operator.oebobo',
      letter_type: 'domisili', applicant_name: 'Bench ' + i, applicant_nik: nik,
      'data.keperluan': 'Bench', 'data.alamat_domisili': 'Jl. Bench No. 1'});
    const headers = {'HX-Request': 'true'};
    const answer = await fetch('/permohonan', {method: 'POST', body, headers});
    if (answer.status !== 202) throw new Error('not queued: ' + answer.status);
  }
}"""
OUTBOX_SIZE = """() => new Promise((resolve) => {
  const open = indexedDB.open('sodamolek');
  open.onsuccess = () => {
    const r = open.result.transaction('outbox').objectStore('outbox').count();
    r.onsuccess = () => { resolve(r.result); open.result.close(); };
  };
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {"SODAMOLEK_DATA_DIR": str(data_dir), "SODAMOLEK_BASE_URL": f"http://127.0.0.1:{port}"}
    cli = [sys.executable, "-m", "sodamolek.cli"]
    for args in (["migrate"], ["seed", "--demo"]):
        subprocess.run([*cli, *args], env=env, check=True, capture_output=True)  # noqa: S603
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - kept open for the process
    server = subprocess.Popen(  # noqa: S603 - our own command
        [*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):  # noqa: S310 - local
                return server, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def server_count(database: Path) -> int:
    with sqlite3.connect(database, timeout=10) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM letter_request WHERE applicant_name LIKE 'Bench %'"
        ).fetchone()
    return count


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="sodamolek-bench-"))
    server, url = start_server(data_dir)
    database = data_dir / "sodamolek.sqlite3"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "/masuk?lanjut=/permohonan/antrean-perangkat")
            page.fill("#username", "operator.oebobo")
            page.fill("#password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/permohonan/antrean-perangkat")
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            while not page.evaluate("() => navigator.serviceWorker.controller !== null"):
                page.reload()  # loaded before the worker was active: the next load is controlled

            context.set_offline(True)
            started = time.perf_counter()
            page.evaluate(QUEUE, [COUNT, NIK])
            queued = time.perf_counter() - started
            assert page.evaluate(OUTBOX_SIZE) == COUNT

            context.set_offline(False)  # the page's `online` event starts the replay
            started = time.perf_counter()
            while server_count(database) < COUNT or page.evaluate(OUTBOX_SIZE):
                if time.perf_counter() - started > 600:
                    raise RuntimeError("replay did not finish in 10 minutes")
                time.sleep(0.02)
            replayed = time.perf_counter() - started
            total = server_count(database)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"outbox replay, {COUNT} requests, Chromium service worker -> local server (SQLite)")
    print(
        f"  queue offline (form POST -> worker -> IndexedDB): {queued:.2f} s "
        f"({COUNT / queued:.0f} requests/s)"
    )
    print(
        f"  replay after reconnecting: {replayed:.2f} s ({COUNT / replayed:.0f} requests/s, "
        f"{1000 * replayed / COUNT:.1f} ms each)"
    )
    print(f"  on the server: {total} requests (exactly {COUNT} expected)")
    assert total == COUNT


if __name__ == "__main__":
    main()
