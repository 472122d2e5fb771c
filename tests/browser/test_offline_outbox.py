"""The operator app with no network: app shell, IndexedDB outbox, replay exactly once.

Chromium against a server of this module's own (it is killed, restarted and given a new
release), whose population registry is the fake one answering after LOOKUP_MS: every request
with a NIK then takes that long at the server, which leaves room to cut a replay in the middle.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from sodamolek.seed import DEMO_PASSWORD
from tests.browser.conftest import free_port, make_live_server

OPERATOR = "operator.oebobo"
LOOKUP_MS = 40
NIK = "5371041203900001"  # a valid NIK the registry does not know: unverified, but accepted
IMPOSSIBLE_NIK = "5371043201900001"  # day 32: only the server's NIK check refuses it
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {"SODAMOLEK_REGISTRY_USER": "uji", "SODAMOLEK_REGISTRY_PASSWORD": "rahasia-uji",
            "SODAMOLEK_DATA_DIR": str(tmp_path_factory.mktemp("registry"))}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "sodamolek.cli", "fake-registry", "--port", str(port),
         "--latency-ms", str(LOOKUP_MS)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    _wait_for(url + "/health")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory, registry):
    live = make_live_server(
        tmp_path_factory.mktemp("offline"),
        SODAMOLEK_REGISTRY_URL=registry,
        SODAMOLEK_REGISTRY_USER="uji",
        SODAMOLEK_REGISTRY_PASSWORD="rahasia-uji",
        SODAMOLEK_RELEASE="uji-1",
    )
    live.start()
    yield live
    live.stop()


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - a local test server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# Helpers


def db_rows(server, prefix: str) -> list[tuple[str, str]]:
    """(client_request_id, applicant_name) of the server's requests whose name starts so."""
    with sqlite3.connect(server.database, timeout=10) as connection:
        return connection.execute(
            "SELECT client_request_id, applicant_name FROM letter_request "
            "WHERE applicant_name LIKE ? ORDER BY id",
            (prefix + "%",),
        ).fetchall()


def wait_until(condition, timeout: float = TIMEOUT_MS / 1000, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {message}")
        time.sleep(0.05)


def log_in(page, server, lanjut: str = "/") -> None:
    page.goto(f"{server.url}/masuk?lanjut={lanjut}")
    page.fill("#username", OPERATOR)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + lanjut)


def ready_offline(page, server) -> None:
    """Logged in, the worker controls the page and has every shell page in its cache."""
    log_in(page, server)
    page.goto(server.url + "/permohonan/antrean-perangkat")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=TIMEOUT_MS)
    page.wait_for_function(
        """() => { const r = document.getElementById('kesiapan-luring');
                   return r.dataset.total && r.dataset.cached === r.dataset.total; }""",
        timeout=TIMEOUT_MS,
    )


def type_request(page, server, name: str, nik: str = NIK) -> str:
    """Open the domisili form and submit it; returns the client_request_id it was sent with."""
    page.goto(server.url + "/permohonan/baru/domisili")
    page.fill("#applicant_name", name)
    page.fill("#applicant_nik", nik)
    page.fill("#f-keperluan", "Melamar pekerjaan")
    page.fill("#f-alamat_domisili", "Jl. Frans Seda No. 1, Oebobo")
    client_id = page.input_value("input[name=client_request_id]")
    page.click("form.request-form button[type=submit]")
    return client_id


def queue_offline(page, server, names: list[str]) -> list[str]:
    ids = []
    for name in names:
        ids.append(type_request(page, server, name))
        page.wait_for_selector("text=Tersimpan di perangkat, akan dikirim otomatis")
    return ids


def outbox(page) -> list[dict]:
    return page.evaluate(
        "SodamolekOutbox.all().then(es => es.map(e => ({id: e.id, state: e.state,"
        " client_request_id: e.client_request_id, name: e.applicant_name, problem: e.problem})))"
    )


def badge(page) -> str:
    return page.inner_text("#lencana-antrean")


# ---------------------------------------------------------------------------------------------
# Tests


def test_five_requests_offline_reload_then_sent_exactly_once(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    names = [f"Lima Luring {i}" for i in range(5)]
    ids = queue_offline(page, server, names)
    assert len(set(ids)) == 5  # a cached form page still gives every request its own id

    # The NIK could not be checked: typing by hand, marked unverified.
    page.goto(server.url + "/permohonan/baru/domisili")
    page.fill("#applicant_nik", NIK)
    page.press("#applicant_nik", "Tab")
    page.wait_for_selector("#applicant_note.warning")
    assert "belum terverifikasi" in page.inner_text("#applicant_note")
    assert page.input_value("input[name=applicant_verified]") == "0"
    assert page.input_value("#applicant_nik") == NIK  # what was typed stays

    # The shell still works with no network after a reload.
    page.goto(server.url + "/permohonan/antrean-perangkat")
    page.reload()
    page.wait_for_selector(".outbox-entry >> nth=4")
    assert "5 menunggu" in badge(page)
    assert db_rows(server, "Lima Luring") == []
    page.goto(server.url + "/permohonan")
    assert "tidak tersedia tanpa jaringan" in page.content()

    page.context.set_offline(False)
    page.goto(server.url + "/permohonan/antrean-perangkat")
    wait_until(lambda: len(db_rows(server, "Lima Luring")) >= 5, message="5 on the server")
    page.wait_for_selector("text=Tidak ada permohonan yang menunggu")
    rows = db_rows(server, "Lima Luring")
    assert sorted(r[0].replace("-", "") for r in rows) == sorted(i.replace("-", "") for i in ids)
    assert page.locator("#baru-terkirim li").count() == 5
    print(page.console_errors)
    assert page.console_errors == []
