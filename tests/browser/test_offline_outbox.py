"""The operator app with no network: app shell, IndexedDB outbox, replay exactly once.

Chromium against a server of this module's own (it is killed, restarted and given a new
release), whose population registry is the fake one answering after LOOKUP_MS: every request
with a NIK then takes that long at the server, which leaves room to cut a replay in the middle.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from playwright.sync_api import expect

from sodamolek.seed import DEMO_PASSWORD
from tests.browser.bounded import evaluate
from tests.browser.conftest import fake_registry, make_live_server

OPERATOR = "operator.oebobo"
LOOKUP_MS = 40
NIK = "5371041203900001"  # a valid NIK the registry does not know: unverified, but accepted
IMPOSSIBLE_NIK = "5371043201900001"  # day 32: only the server's NIK check refuses it
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    yield from fake_registry(tmp_path_factory.mktemp("registry"), LOOKUP_MS)


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


def log_in(page, server, lanjut: str = "/", username: str = OPERATOR) -> None:
    page.goto(f"{server.url}/masuk?lanjut={lanjut}")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + lanjut)


def ready_offline(page, server) -> None:
    """Logged in, the worker controls the page and has every shell page in its cache."""
    log_in(page, server)
    page.goto(server.url + "/permohonan/antrean-perangkat")
    evaluate(page, "() => navigator.serviceWorker.ready.then(() => true)")
    # A page whose navigation began before the worker was active stays uncontrolled
    # (clients.claim() skips pages still loading); the next navigation is controlled.
    for _ in range(5):
        if page.evaluate("() => navigator.serviceWorker.controller !== null"):
            break
        page.reload()
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
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
    return evaluate(
        page,
        "() => SodamolekOutbox.all().then(es => es.map(e => ({id: e.id, state: e.state,"
        " client_request_id: e.client_request_id, name: e.applicant_name, problem: e.problem})))",
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
    # Whether persistent storage was granted is shown (Chromium decides by its own heuristics).
    page.wait_for_selector("#penyimpanan[data-persisted]")
    granted = evaluate(page, "() => navigator.storage.persisted()")
    assert page.get_attribute("#penyimpanan", "data-persisted") == ("1" if granted else "0")
    assert ("diizinkan." if granted else "belum diizinkan") in page.inner_text("#penyimpanan")
    page.goto(server.url + "/")  # the badge is on every operator page
    page.wait_for_selector("#antrean-menunggu:has-text('5 menunggu')")
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


QUEUE_BY_FETCH = """async ([names, nik]) => {
  // What htmx does when the form is submitted, for many requests quickly: the worker's
  // fetch handler keeps each one and answers 202.
  const token = (document.querySelector('input[name=_csrf_token]') || {}).value || '';
  const ids = [];
  for (const name of names) {
    const id = crypto.randomUUID();
    const body = new URLSearchParams({
      _csrf_token: token, client_request_id: id, _operator: 'operator.oebobo',
      letter_type: 'domisili', applicant_name: name, applicant_nik: nik,
      'data.keperluan': 'Uji luring', 'data.alamat_domisili': 'Jl. Uji No. 1'});
    const headers = {'HX-Request': 'true'};
    const answer = await fetch('/permohonan', {method: 'POST', body, headers});
    if (answer.status !== 202) throw new Error('not kept on the device: ' + answer.status);
    ids.push(id);
  }
  return ids;
}"""

# Straight IndexedDB, independent of the app's own scripts (the login page has none of them).
IDB_COUNT = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('sodamolek');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction('outbox').objectStore('outbox').count();
    request.onsuccess = () => { resolve(request.result); open.result.close(); };
  };
})"""


WORKER_STATUS = """() => new Promise((resolve) => {
  const worker = navigator.serviceWorker.controller;
  const channel = new MessageChannel();
  channel.port1.onmessage = (e) => resolve({...e.data, state: worker.state});
  worker.postMessage({type: 'status'}, [channel.port2]);
})"""


REGISTRATION_SETTLED = """() => navigator.serviceWorker.getRegistration().then(
  (r) => !r.installing && !r.waiting && r.active.state === 'activated')"""


def worker_status(page) -> dict:
    """The controlling worker's version, state and how many shell pages it has cached."""
    return evaluate(page, WORKER_STATUS)


def queue_many(page, prefix: str, count: int, nik: str = NIK) -> list[str]:
    return evaluate(page, QUEUE_BY_FETCH, [[f"{prefix} {i:02d}" for i in range(count)], nik])


def assert_exactly_once(server, prefix: str, ids: list[str]) -> None:
    rows = db_rows(server, prefix)
    sent = [r[0].replace("-", "") for r in rows]
    assert len(sent) == len(set(sent)), "a request was written twice"
    assert sorted(sent) == sorted(i.replace("-", "") for i in ids)


def test_server_killed_in_the_middle_of_a_replay_each_request_exists_once(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    ids = queue_many(page, "Mati Tengah", 30)
    page.context.set_offline(False)  # the page's `online` event starts the replay
    wait_until(lambda: len(db_rows(server, "Mati Tengah")) >= 5, message="replay started")
    server.kill()  # SIGKILL: whatever was in flight gets no answer
    written = len(db_rows(server, "Mati Tengah"))
    assert 5 <= written < 30, written  # it really was the middle
    server.start()
    wait_until(lambda: len(db_rows(server, "Mati Tengah")) >= 30, message="all 30 after restart")
    page.goto(server.url + "/permohonan/antrean-perangkat")
    page.wait_for_selector("text=Tidak ada permohonan yang menunggu")
    assert_exactly_once(server, "Mati Tengah", ids)


def test_network_flapping_ten_times_during_a_replay_sends_each_once(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    ids = queue_many(page, "Naik Turun", 40)
    page.context.set_offline(False)  # the page's `online` event starts the replay
    wait_until(lambda: len(db_rows(server, "Naik Turun")) >= 1, message="replay started")
    for _ in range(10):
        page.context.set_offline(True)
        time.sleep(0.04)
        page.context.set_offline(False)
        time.sleep(0.04)
    assert len(db_rows(server, "Naik Turun")) < 40  # the flaps all fell inside the replay
    wait_until(lambda: len(db_rows(server, "Naik Turun")) >= 40, message="all 40")
    wait_until(lambda: evaluate(page, IDB_COUNT) == 0, message="the outbox is empty")
    assert_exactly_once(server, "Naik Turun", ids)


def test_a_request_the_server_rejects_stays_with_its_reason_until_fixed_or_discarded(page, server):
    ready_offline(page, server)
    # Taken online first: its key is then used on the server, for the 409 below.
    taken = type_request(page, server, "Tolak Dipakai")
    page.wait_for_url("**/tanda-terima")
    page.goto(server.url + "/permohonan/antrean-perangkat")

    page.context.set_offline(True)
    rejected = type_request(page, server, "Tolak Tanggal", nik=IMPOSSIBLE_NIK)  # day 32
    page.wait_for_selector("text=Tersimpan di perangkat")
    queue_many(page, "Tolak Buang", 1, nik=IMPOSSIBLE_NIK)
    evaluate(  # same key as the request the server has, other content: a 409
        page,
        QUEUE_BY_FETCH.replace("const id = crypto.randomUUID();", f"const id = '{taken}';"),
        [["Tolak Kunci"], NIK],
    )
    ok = queue_many(page, "Tolak Baik", 1)
    page.context.set_offline(False)
    page.goto(server.url + "/permohonan/antrean-perangkat")

    wait_until(lambda: len(db_rows(server, "Tolak Baik")) == 1, message="the good one is sent")
    wait_until(lambda: len(outbox(page)) == 3, message="only the refused ones are left")
    page.wait_for_selector("#antrean-tindakan:has-text('3 perlu tindakan')")
    entries = {e["name"]: e for e in outbox(page)}
    assert set(entries) == {"Tolak Tanggal", "Tolak Buang 00", "Tolak Kunci"}
    assert all(e["state"] == "action" for e in entries.values())
    assert entries["Tolak Tanggal"]["problem"]["status"] == 422
    nik_reason = entries["Tolak Tanggal"]["problem"]["errors"]["applicant.nik"]
    assert entries["Tolak Kunci"]["problem"]["status"] == 409
    # The server's own words are on the page.
    card = page.locator(".outbox-entry", has_text="Tolak Tanggal")
    assert nik_reason in card.inner_text() and "Perlu tindakan" in card.inner_text()
    assert "isi berbeda" in page.locator(".outbox-entry", has_text="Tolak Kunci").inner_text()
    assert db_rows(server, "Tolak Tanggal") == [] and db_rows(server, "Tolak Kunci") == []

    # Fix: the form opens with what was typed, the server's words, and the same key (a 422).
    card.locator("a:text-is('Perbaiki')").click()
    page.wait_for_selector(".field-error")
    assert page.input_value("#applicant_name") == "Tolak Tanggal"
    assert page.input_value("input[name=client_request_id]") == rejected
    assert nik_reason in page.inner_text("form.request-form")
    page.fill("#applicant_nik", NIK)
    page.click("form.request-form button[type=submit]")
    page.wait_for_url("**/tanda-terima")
    assert [r[0].replace("-", "") for r in db_rows(server, "Tolak Tanggal")] == [
        rejected.replace("-", "")
    ]

    # A 409 is fixed under a new key (the old one belongs to the other request).
    page.goto(server.url + "/permohonan/antrean-perangkat")
    page.locator(".outbox-entry", has_text="Tolak Kunci").locator("a:text-is('Perbaiki')").click()
    page.wait_for_selector("text=kunci baru")
    assert page.input_value("input[name=client_request_id]") != taken

    # Discard, after a confirmation.
    page.goto(server.url + "/permohonan/antrean-perangkat")
    answers, asked = [False, True], []
    page.on(
        "dialog", lambda d: (asked.append(d.message), d.accept() if answers.pop(0) else d.dismiss())
    )
    discard = page.locator(".outbox-entry", has_text="Tolak Buang").locator(
        "button:text-is('Buang')"
    )
    discard.click()
    # Playwright runs the dialog handler only inside its own calls: wait with one of them.
    wait_until(lambda: page.wait_for_timeout(20) or len(asked) == 1, message="asked once")
    assert "Tolak Buang" in asked[0]
    assert {e["name"] for e in outbox(page)} == {"Tolak Buang 00", "Tolak Kunci"}  # kept
    discard.click()
    page.wait_for_selector(".outbox-entry:has-text('Tolak Buang')", state="detached")
    assert len(asked) == 2
    assert {e["name"] for e in outbox(page)} == {"Tolak Kunci"}
    assert ok and page.console_errors == []


def test_session_expired_while_offline_after_login_all_are_sent(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    ids = queue_offline(page, server, ["Sesi Habis 1", "Sesi Habis 2", "Sesi Habis 3"])
    with sqlite3.connect(server.database, timeout=10) as connection:
        connection.execute("DELETE FROM web_session")  # the session ended on the server
    page.context.set_offline(False)
    page.goto(server.url + "/permohonan/baru/domisili")  # online: a page load replays
    page.wait_for_url("**/masuk?lanjut=**")  # the server wants a login
    assert evaluate(page, IDB_COUNT) == 3
    assert db_rows(server, "Sesi Habis") == []

    page.context.set_offline(True)  # the cached pages say why nothing is sent
    page.goto(server.url + "/permohonan/antrean-perangkat")
    page.wait_for_selector("#antrean-masuk:has-text('masuk lagi untuk mengirim')")
    assert page.is_visible("#antrean-sesi")
    page.context.set_offline(False)

    page.click("#antrean-sesi a")  # "Masuk lagi untuk mengirim"
    page.fill("#username", OPERATOR)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/permohonan/antrean-perangkat")
    wait_until(lambda: len(db_rows(server, "Sesi Habis")) >= 3, message="3 after login")
    page.wait_for_selector("text=Tidak ada permohonan yang menunggu")
    assert page.is_hidden("#antrean-masuk")
    assert_exactly_once(server, "Sesi Habis", ids)


def test_stale_csrf_token_of_a_cached_page_does_not_fail_an_online_submit(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    page.goto(server.url + "/permohonan/baru/domisili")  # from the cache, with its old token
    page.context.clear_cookies(name="sodamolek_csrf")  # e.g. the browser was restarted
    page.context.set_offline(False)
    type_request_here(page, "Token Basi")
    page.wait_for_url("**/tanda-terima")  # the worker fetched a fresh token and sent it again
    assert len(db_rows(server, "Token Basi")) == 1


def type_request_here(page, name: str) -> None:
    page.fill("#applicant_name", name)
    page.fill("#f-keperluan", "Melamar pekerjaan")
    page.fill("#f-alamat_domisili", "Jl. Frans Seda No. 1, Oebobo")
    page.click("form.request-form button[type=submit]")


def test_a_new_service_worker_version_keeps_the_queue(page, server):
    ready_offline(page, server)
    old_version = page.get_attribute("#kesiapan-luring", "data-version")
    page.context.set_offline(True)
    ids = queue_offline(page, server, ["Versi Baru 1", "Versi Baru 2"])
    with sqlite3.connect(server.database, timeout=10) as connection:
        connection.execute("DELETE FROM web_session")  # nothing can be sent meanwhile

    server.stop()
    server.env["SODAMOLEK_RELEASE"] = "uji-2"  # a new release: /sw.js has other bytes
    server.start()
    page.context.set_offline(False)
    page.goto(server.url + "/masuk")
    evaluate(page, "() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    # update() resolves once the new script is fetched: a new worker is installing now.
    # Watched without messages: a worker busy answering them would put off its successor.
    wait_until(lambda: evaluate(page, REGISTRATION_SETTLED), message="the new version took over")
    assert worker_status(page)["version"] != old_version
    assert evaluate(page, IDB_COUNT) == 2  # the queue is untouched
    caches = evaluate(page, "() => caches.keys()")
    assert len(caches) == 1 and old_version not in caches[0]  # the old cache is gone

    # Installed while logged out, it kept the old version's pages: still usable offline.
    page.context.set_offline(True)
    page.goto(server.url + "/permohonan/baru/sktm")
    assert page.is_visible("form.request-form")
    page.context.set_offline(False)

    log_in(page, server, "/permohonan/antrean-perangkat")
    wait_until(lambda: len(db_rows(server, "Versi Baru")) >= 2, message="2 after the update")
    assert_exactly_once(server, "Versi Baru", ids)


def test_nik_check_online_fills_the_applicant_and_keeps_the_form(page, server):
    """The lookup answers a partial for #pemohon; the form's inherited hx-select="#isi" must not
    apply to it (it used to select nothing and empty the applicant block)."""
    from sodamolek.people.fake_registry import demo_people

    resident = demo_people()[0]
    log_in(page, server, "/permohonan/baru/domisili")
    page.fill("#applicant_nik", resident["nik"])
    page.press("#applicant_nik", "Tab")
    page.wait_for_selector("#applicant_note.notice")
    # The answer's script fills the empty inputs just after the swap.
    expect(page.locator("#applicant_name")).to_have_value(resident["name"])
    expect(page.locator("input[name=applicant_verified]")).to_have_value("1")


def test_entries_wait_for_the_operator_who_typed_them(page, server):
    """A shared tablet: what operator A queued is not sent under B's name, and B's offline forms
    are B's (the cached shell pages are fetched again for B)."""
    ready_offline(page, server)
    page.context.set_offline(True)
    ids = queue_offline(page, server, ["Punya Operator"])
    with sqlite3.connect(server.database, timeout=10) as connection:
        connection.execute("DELETE FROM web_session")  # A's session ends, with A's entry queued
    page.context.set_offline(False)

    log_in(page, server, "/permohonan/antrean-perangkat", username="lurah.oebobo")
    page.wait_for_selector("text=Menunggu operator.oebobo masuk")
    # The worker drops A's pages when it learns of B, then fetches them again: the count alone
    # can still be A's full cache, read before the worker has heard of B.
    wait_until(lambda: shell_is_for(page, "lurah.oebobo"), message="B's pages cached")
    page.context.set_offline(True)
    page.goto(server.url + "/permohonan/baru/sktm")
    assert page.input_value("input[name=_operator]") == "lurah.oebobo"
    assert db_rows(server, "Punya Operator") == []
    page.context.set_offline(False)

    page.goto(server.url + "/masuk")
    with sqlite3.connect(server.database, timeout=10) as connection:
        connection.execute("DELETE FROM web_session")
    log_in(page, server, "/permohonan/antrean-perangkat")
    wait_until(lambda: len(db_rows(server, "Punya Operator")) == 1, message="sent by its owner")
    assert_exactly_once(server, "Punya Operator", ids)


# ---------------------------------------------------------------------------------------------
# After logout


POST_FORM = """async ([name, operator]) => {
  // What htmx sends when the cached form is submitted with no network.
  const body = new URLSearchParams({client_request_id: crypto.randomUUID(), _operator: operator,
    letter_type: 'domisili', applicant_name: name, 'data.keperluan': 'Uji',
    'data.alamat_domisili': 'Jl. Uji No. 1'});
  const headers = {'HX-Request': 'true'};
  const answer = await fetch('/permohonan', {method: 'POST', body, headers});
  return {status: answer.status, trigger: answer.headers.get('HX-Trigger')};
}"""


IDB_META = """(key) => new Promise((resolve, reject) => {
  const open = indexedDB.open('sodamolek');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction('meta').objectStore('meta').get(key);
    request.onsuccess = () => { resolve(request.result ?? null); open.result.close(); };
  };
})"""


def shell_is_for(page, operator: str) -> bool:
    status = worker_status(page)
    return (
        evaluate(page, IDB_META, "shell_operator") == operator
        and status["cached"] == status["total"]
    )


def created_by(server, prefix: str) -> list[str]:
    with sqlite3.connect(server.database, timeout=10) as connection:
        rows = connection.execute(
            "SELECT a.username FROM letter_request r JOIN account a ON a.id = r.created_by "
            "WHERE r.applicant_name LIKE ? ORDER BY r.id",
            (prefix + "%",),
        ).fetchall()
    return [r[0] for r in rows]


def log_out(page, server) -> None:
    page.goto(server.url + "/")
    page.click("form[action='/keluar'] button")
    page.wait_for_url("**/masuk?keluar=1")


def test_after_logout_the_offline_shell_takes_no_requests(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    queue_many(page, "Salah Siti", 1, nik=IMPOSSIBLE_NIK)  # refused by the server later
    page.context.set_offline(False)
    page.goto(server.url + "/permohonan/antrean-perangkat")
    page.wait_for_selector("#antrean-tindakan:has-text('1 perlu tindakan')")
    log_out(page, server)
    assert evaluate(page, IDB_META, "operator") is None  # the device forgot her

    # Offline, the cached form says at once that nobody is signed in, and refuses on submit
    # with the form left as typed.
    page.context.set_offline(True)
    page.goto(server.url + "/permohonan/baru/domisili")
    page.wait_for_selector("#tanpa-petugas:has-text('Tidak ada petugas yang masuk')")
    page.fill("#applicant_name", "Sesudah Keluar")
    page.fill("#f-keperluan", "Melamar pekerjaan")
    page.fill("#f-alamat_domisili", "Jl. Frans Seda No. 1, Oebobo")
    page.click("form.request-form button[type=submit]")
    page.wait_for_selector("#tanpa-petugas:has-text('tidak dapat disimpan')")
    assert page.input_value("#applicant_name") == "Sesudah Keluar"
    assert page.locator("text=Tersimpan di perangkat").count() == 0
    refused = evaluate(page, POST_FORM, ["Sesudah Keluar Fetch", OPERATOR])
    assert refused["status"] == 204 and "outbox-refused" in refused["trigger"]
    assert evaluate(page, IDB_COUNT) == 1  # only the entry typed before the logout
    page.context.set_offline(False)

    # Another operator signs in: what she queues offline is hers; a cached form of the previous
    # operator is refused.
    log_in(page, server, "/permohonan/antrean-perangkat", username="lurah.oebobo")
    card = page.locator(".outbox-entry", has_text="Salah Siti")
    card.locator("text=Hanya operator.oebobo yang dapat memperbaikinya").wait_for()
    assert card.locator("a:text-is('Perbaiki')").count() == 0  # it stays its typist's
    wait_until(lambda: worker_status(page)["cached"] == worker_status(page)["total"], message="B")
    page.context.set_offline(True)
    taken = evaluate(page, POST_FORM, ["Punya Lurah", "lurah.oebobo"])
    assert taken["status"] == 202
    stale_form = evaluate(page, POST_FORM, ["Formulir Lama", OPERATOR])
    assert stale_form["status"] == 204 and '"other"' in stale_form["trigger"]
    page.context.set_offline(False)
    page.goto(server.url + "/permohonan/antrean-perangkat")
    wait_until(lambda: created_by(server, "Punya Lurah") == ["lurah.oebobo"], message="lurah's")
    assert db_rows(server, "Sesudah Keluar") == [] and db_rows(server, "Formulir Lama") == []
    log_out(page, server)


def test_a_logout_with_no_network_is_finished_later_and_the_queue_waits_for_its_owner(page, server):
    ready_offline(page, server)
    page.context.set_offline(True)
    ids = queue_offline(page, server, ["Punya Siti"])  # typed by operator.oebobo
    page.goto(server.url + "/")
    page.click("form[action='/keluar'] button")
    page.wait_for_selector("text=Anda sudah keluar dari perangkat ini")
    page.goto(server.url + "/permohonan/baru/domisili")  # the cached form
    page.wait_for_selector("#tanpa-petugas")
    assert evaluate(page, POST_FORM, ["Keluar Luring", OPERATOR])["status"] == 204

    page.context.set_offline(False)
    page.goto(server.url + "/permohonan")  # the pending logout reaches the server first
    page.wait_for_url("**/masuk?lanjut=**")
    assert evaluate(page, IDB_COUNT) == 1  # her entry is kept, not sent with the old session
    assert db_rows(server, "Punya Siti") == [] and db_rows(server, "Keluar Luring") == []

    # Someone else signs in: her entry waits for her.
    log_in(page, server, "/permohonan/antrean-perangkat", username="lurah.oebobo")
    page.wait_for_selector("text=Menunggu operator.oebobo masuk")
    assert db_rows(server, "Punya Siti") == []
    log_out(page, server)
    log_in(page, server, "/permohonan/antrean-perangkat")
    wait_until(lambda: created_by(server, "Punya Siti") == [OPERATOR], message="sent as hers")
    assert_exactly_once(server, "Punya Siti", ids)
