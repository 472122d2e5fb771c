"""The resident's phone (a phone viewport in Chromium): apply from home with a camera photo, the
installed "Lacak Surat" app offline, two requests followed from one phone with the server's push
messages decrypted by a fake push service, and the card's words where push cannot work.

Chromium under test cannot reach a real push service, so the page's PushManager is replaced by
one that hands out subscriptions of tests.fakepush (a real HTTPS peer that checks VAPID and
decrypts with http_ece); everything after it — the server's rows, the worker's encryption and
delivery — is the real thing."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests import images
from tests.browser.bounded import evaluate
from tests.browser.conftest import make_live_server
from tests.fakepush import FakePushService

PHONE = {
    "viewport": {"width": 393, "height": 851},
    "device_scale_factor": 2.75,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
}
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DEMO_PASSWORD = "kupang-demo-2026"

# A PushManager that hands out the fake push service's subscriptions, kept across page loads in
# localStorage like a browser keeps its real one. `unsubscribe()` is counted.
FAKE_PUSH = """
(() => {
  const SUBSCRIPTIONS = %s;
  const stored = () => JSON.parse(localStorage.getItem("fake-push") || "null");
  const counts = () => JSON.parse(localStorage.getItem("fake-push-counts") ||
                                  '{"subscribe":0,"unsubscribe":0}');
  const count = (what) => {
    const c = counts(); c[what] += 1; localStorage.setItem("fake-push-counts", JSON.stringify(c));
    return c;
  };
  const wrap = (json) => json && ({
    endpoint: json.endpoint, options: {}, toJSON: () => json,
    unsubscribe: async () => { localStorage.removeItem("fake-push"); count("unsubscribe");
                               return true; },
  });
  PushManager.prototype.getSubscription = async function () { return wrap(stored()); };
  PushManager.prototype.subscribe = async function () {
    const used = count("subscribe").subscribe;
    const json = SUBSCRIPTIONS[Math.min(used, SUBSCRIPTIONS.length) - 1];
    localStorage.setItem("fake-push", JSON.stringify(json));
    return wrap(json);
  };
  window.fakePushCounts = counts;
})();
"""


class FakePushThread:
    """tests.fakepush.FakePushService on its own event loop (the browser tests are sync)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.service = FakePushService(vapid_public_key="")
        self.run(self.service.start())

    def run(self, coroutine, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.run(self.service.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def push_server(tmp_path_factory):
    """A server of its own: push endpoints on 127.0.0.1 allowed, the fake's certificate trusted
    by its embedded push worker."""
    fake = FakePushThread()
    server = make_live_server(
        tmp_path_factory.mktemp("resident-app"),
        SODAMOLEK_PUSH_ALLOWED_HOSTS="127.0.0.1",
        SSL_CERT_FILE=str(fake.service.certificate.cert_file),
    )
    server.start()
    with urllib.request.urlopen(server.url + "/langganan-push/kunci", timeout=10) as answer:  # noqa: S310
        fake.service.vapid_public_key = answer.read().decode().strip()
    server.fake = fake.service
    yield server
    server.stop()
    fake.stop()


@pytest.fixture
def phone(chromium, push_server):
    context = chromium.new_context(**PHONE)
    context.set_default_timeout(20_000)
    context.set_default_navigation_timeout(20_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


def residents_of(server, count: int = 3) -> list[dict]:
    with sqlite3.connect(server.database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT r.nik, r.kk, r.name, r.birth_date FROM resident r JOIN kelurahan k ON "
            "k.id = r.kelurahan WHERE k.code = '53.71.04.1001' ORDER BY r.nik LIMIT ?",
            (count,),
        ).fetchall()
    return [dict(r) for r in rows]


def wait_for_resident_worker(page) -> None:
    for _ in range(300):  # (wait_for_function evaluates a string: the CSP forbids that)
        script = page.evaluate(
            "navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"
        )
        if script and script.endswith("/sw-warga.js"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the resident's worker did not take control")


def apply_from_home(page, server, person: dict, photo_path=None) -> str:
    page.goto(server.url + "/ajukan")
    page.click("text=Surat Keterangan Domisili")
    page.fill("#nik", person["nik"])
    page.fill("#kk", person["kk"])
    page.fill("#tanggal_lahir", str(person["birth_date"])[:10])
    page.fill("#applicant_phone", "081234567890")
    page.fill("#f-keperluan", "Melamar kerja")
    page.fill("#f-alamat_domisili", "Jl. El Tari No. 5")
    if photo_path is not None:
        page.set_input_files("#foto-1", str(photo_path))
        note = page.locator("output[for=foto-1]")
        for _ in range(200):
            if note.inner_text().startswith("Siap dikirim"):
                break
            page.wait_for_timeout(100)
        assert note.inner_text().startswith("Siap dikirim"), note.inner_text()
    page.click("text=Kirim permohonan")
    page.wait_for_url(re.compile(r".*/lacak/KPG-[0-9A-Z-]+\?baru=1$"))
    return page.locator("h1.code").inner_text()


def request_id(server, code: str) -> int:
    with sqlite3.connect(server.database) as db:
        return db.execute(
            "SELECT id FROM letter_request WHERE tracking_code = ?", (code,)
        ).fetchone()[0]


class Operator:
    """The office's operator over plain HTTP: log in, move a request (with its CSRF token)."""

    def __init__(self, server, username: str = "operator.oebobo") -> None:
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.post("/masuk", {"username": username, "password": DEMO_PASSWORD}, page="/masuk")

    def get(self, path: str) -> str:
        with self.opener.open(self.server.url + path, timeout=20) as answer:
            return answer.read().decode()

    def post(self, path: str, form: dict, page: str) -> str:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', self.get(page)).group(1)
        body = urlencode(form | {"_csrf_token": token}).encode()
        with self.opener.open(self.server.url + path, data=body, timeout=20) as answer:
            return answer.read().decode()

    def move(self, rid: int, to: str, reason: str = "") -> None:
        page = self.get(f"/permohonan/{rid}")
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        form = {"to": to, "reason": reason, "version": version}
        self.post(f"/permohonan/{rid}/status", form, page=f"/permohonan/{rid}")


def wait_for(condition, what: str, seconds: float = 30, page=None) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_apply_from_home_with_a_gps_photo_stores_none_of_it(phone, push_server, tmp_path):
    person = residents_of(push_server)[0]
    photo = tmp_path / "IMG_20261201_ktp.jpg"
    photo.write_bytes(images.photo_with_gps(4000, 3000))
    code = apply_from_home(phone, push_server, person, photo)
    assert "sudah masuk ke antrean" in phone.content()
    assert phone.locator("#notifikasi").is_visible()  # a subscription offered at once

    stored = [p for p in (push_server.data_dir / "lampiran").rglob("*") if p.is_file()]
    with sqlite3.connect(push_server.database) as db:
        rows = db.execute(
            "SELECT a.sha256, a.width, a.height, r.channel FROM attachment a "
            "JOIN letter_request r ON r.id = a.request WHERE r.tracking_code = ?",
            (code,),
        ).fetchall()
    assert len(rows) == 1 and rows[0][3] == "resident"
    [path] = [p for p in stored if p.name == rows[0][0]]
    data = path.read_bytes()
    assert not images.has_gps(data)
    assert images.CAMERA.encode() not in data
    assert max(rows[0][1], rows[0][2]) <= 1600 and len(data) <= 400 * 1024
    assert phone.console_errors == []


def test_the_installed_app_works_offline_from_the_first_visit(phone, push_server):
    person = residents_of(push_server)[1]
    code = apply_from_home(phone, push_server, person)
    wait_for_resident_worker(phone)
    # Only the resident's files were fetched for the worker: nothing of the operator's app.
    cached = evaluate(
        phone,
        """async () => {
        const out = [];
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
        }
        return out;
    }""",
    )
    assert f"/lacak/{code}" in cached and "/lacak" in cached  # the first visit, the start page
    assert not [p for p in cached if re.search(r"htmx|idb|outbox|request-form|/permohonan", p)]
    phone.context.set_offline(True)
    try:
        phone.goto(push_server.url + "/lacak")  # the installed app's start URL
        assert "Lacak permohonan surat" in phone.content()
        assert phone.locator("#offline").is_visible()
        phone.locator(f"#tersimpan a:text('{code}')").click()
        phone.wait_for_url(f"**/lacak/{code}")
        assert "Sedang Diperiksa" in phone.content()
        assert phone.locator("#offline").is_visible()
        assert "status terakhir yang dilihat" in phone.locator("#offline").inner_text()
    finally:
        phone.context.set_offline(False)
    manifest = evaluate(phone, "() => fetch('/lacak/manifest.webmanifest').then(r => r.json())")
    assert manifest["start_url"] == "/lacak" and manifest["scope"] == "/lacak"


def test_one_phone_follows_two_requests_and_hears_about_both(phone, push_server):
    fake = push_server.fake
    subscriptions = [fake.new_subscription(), fake.new_subscription()]
    phone.context.add_init_script(FAKE_PUSH % json.dumps(subscriptions))
    phone.context.grant_permissions(["notifications"], origin=push_server.url)
    people = residents_of(push_server, 3)
    codes = [apply_from_home(phone, push_server, people[2])]
    codes.append(apply_from_home(phone, push_server, people[0]))

    for code in codes:
        phone.goto(f"{push_server.url}/lacak/{code}")
        wait_for_resident_worker(phone)
        phone.locator("#aktifkan-notifikasi").click()
        wait_for(lambda: phone.locator("#matikan-notifikasi").is_visible(), "on", page=phone)
        assert "Notifikasi aktif" in phone.locator("#notifikasi-status").inner_text()
    # One browser subscription follows both: subscribe() was called once.
    assert evaluate(phone, "() => window.fakePushCounts()") == {"subscribe": 1, "unsubscribe": 0}
    phone.goto(f"{push_server.url}/lacak/{codes[0]}")
    wait_for(lambda: phone.locator("#matikan-notifikasi").is_visible(), "still on", page=phone)

    operator = Operator(push_server)
    operator.move(request_id(push_server, codes[0]), "incomplete", "Foto KK kurang jelas")
    operator.move(request_id(push_server, codes[1]), "incomplete", "Pengantar RT belum ada")
    token = FakePushService.token_of(subscriptions[0])
    wait_for(lambda: len([d for d in fake.deliveries if d.token == token]) >= 2, "two pushes")
    delivered = {d.payload["code"]: d for d in fake.deliveries if d.token == token}
    assert delivered[codes[0]].payload["status"] == "incomplete"
    assert delivered[codes[1]].payload["status"] == "incomplete"
    assert delivered[codes[0]].headers["topic"] != delivered[codes[1]].headers["topic"]
    for delivery in delivered.values():
        text = json.dumps(delivery.payload)
        assert not any(p["name"].split()[0] in text or p["nik"] in text for p in people)
    assert fake.errors == []

    # "Matikan": the first keeps the browser subscribed (B is still followed), the last does not.
    for code, unsubscribed in ((codes[0], 0), (codes[1], 1)):
        phone.goto(f"{push_server.url}/lacak/{code}")
        wait_for(lambda: phone.locator("#matikan-notifikasi").is_visible(), "on", page=phone)
        phone.locator("#matikan-notifikasi").click()
        wait_for(lambda: phone.locator("#aktifkan-notifikasi").is_visible(), "off", page=phone)
        assert evaluate(phone, "() => window.fakePushCounts()")["unsubscribe"] == unsubscribed
    # And it can be turned on again.
    phone.locator("#aktifkan-notifikasi").click()
    wait_for(lambda: phone.locator("#matikan-notifikasi").is_visible(), "on again", page=phone)
    assert evaluate(phone, "() => window.fakePushCounts()") == {"subscribe": 2, "unsubscribe": 1}
    with sqlite3.connect(push_server.database) as db:
        rows = db.execute(
            "SELECT request_id, endpoint FROM push_subscription WHERE request_id IN (?, ?)",
            (request_id(push_server, codes[0]), request_id(push_server, codes[1])),
        ).fetchall()
    assert rows == [(request_id(push_server, codes[1]), subscriptions[1]["endpoint"])]
    assert phone.console_errors == []


def some_code(server, chromium) -> str:
    """A tracking code on this server (one is made if the tests before made none)."""
    with sqlite3.connect(server.database) as db:
        row = db.execute("SELECT tracking_code FROM letter_request LIMIT 1").fetchone()
    if row:
        return row[0]
    context = chromium.new_context(**PHONE)
    try:
        return apply_from_home(context.new_page(), server, residents_of(server, 4)[3])
    finally:
        context.close()


def test_the_card_speaks_indonesian_where_push_cannot_work(chromium, push_server):
    code = some_code(push_server, chromium)
    iphone = chromium.new_context(**(PHONE | {"user_agent": IPHONE_UA}))
    try:
        page = iphone.new_page()
        page.goto(f"{push_server.url}/lacak/{code}")
        status = page.locator("#notifikasi-status")
        wait_for(lambda: "Tambahkan ke Layar Utama" in status.inner_text(), "iOS words", page=page)
        assert page.locator("#aktifkan-notifikasi").is_hidden()
    finally:
        iphone.close()

    blocked = chromium.new_context(**PHONE)
    try:
        page = blocked.new_page()
        page.add_init_script(
            "Object.defineProperty(Notification, 'permission', {get: () => 'denied'});"
        )
        page.goto(f"{push_server.url}/lacak/{code}")
        status = page.locator("#notifikasi-status")
        wait_for(lambda: "diblokir" in status.inner_text(), "denied words", page=page)
        assert page.locator("#aktifkan-notifikasi").is_hidden()
    finally:
        blocked.close()


def test_the_tracking_page_does_not_shift(phone, push_server, chromium):
    code = some_code(push_server, chromium)
    phone.add_init_script(
        """window.__shifts = [];
           new PerformanceObserver(list => { for (const e of list.getEntries())
             if (!e.hadRecentInput) window.__shifts.push(e.value); })
             .observe({type: "layout-shift", buffered: true});"""
    )
    phone.goto(f"{push_server.url}/lacak/{code}")
    wait_for_resident_worker(phone)
    wait_for(
        lambda: phone.locator("#notifikasi-status").inner_text().startswith("Ketuk"),
        "the card filled in",
        page=phone,
    )
    phone.wait_for_timeout(500)
    assert evaluate(phone, "() => window.__shifts") == []


def test_the_staff_alert_reaches_a_lurahs_device(chromium, push_server):
    """The lurah turns alerts on at home (a phone-sized tablet); a request forwarded by the
    operator makes the server encrypt "sign" for that device (decrypted by the fake push
    service), and the real worker shows it in Indonesian."""
    fake = push_server.fake
    device = fake.new_subscription()
    context = chromium.new_context(**PHONE)
    context.add_init_script(FAKE_PUSH % json.dumps([device]))
    context.grant_permissions(["notifications"], origin=push_server.url)
    try:
        lurah = context.new_page()
        lurah.goto(push_server.url + "/masuk")
        lurah.fill("#username", "lurah.oebobo")
        lurah.fill("#password", DEMO_PASSWORD)
        lurah.click("button[type=submit]")
        lurah.wait_for_url(push_server.url + "/")
        on = lurah.locator("#petugas-aktifkan")
        wait_for(lambda: on.is_visible(), "the staff card", page=lurah)
        on.click()
        status = lurah.locator("#notifikasi-petugas-status")
        wait_for(lambda: "aktif di perangkat ini" in status.inner_text(), "alerts on", page=lurah)

        operator = Operator(push_server)
        page = operator.get("/permohonan/baru/domisili")
        client_id = re.search(r'name="client_request_id" value="([^"]+)"', page)[1]
        receipt = operator.post(
            "/permohonan",
            {
                "client_request_id": client_id,
                "letter_type": "domisili",
                "applicant_name": "Yohana Lay",
                "data.keperluan": "Sekolah",
                "data.alamat_domisili": "Jl. Frans Seda",
            },
            page="/permohonan/baru/domisili",
        )
        code = re.search(r"KPG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)[0]
        operator.move(request_id(push_server, code), "awaiting_signature")
        token = FakePushService.token_of(device)
        wait_for(lambda: any(d.token == token for d in fake.deliveries), "the lurah's alert")
        [alert] = [d for d in fake.deliveries if d.token == token]
        assert alert.payload["alert"] == "sign" and alert.payload["url"] == "/tanda-tangan"
        assert alert.payload["count"] >= 1
        assert "Yohana" not in json.dumps(alert.payload) and code not in json.dumps(alert.payload)
        assert alert.headers["topic"].startswith("sign-k")

        from tests.browser.test_push_handler_browser import notifications, push_and_wait

        push_and_wait(lurah, push_server.url, alert.payload)
        (shown,) = notifications(lurah)
        assert shown["title"] == f"{alert.payload['count']} surat menunggu tanda tangan"
        assert shown["data"]["url"] == push_server.url + "/tanda-tangan"
        assert fake.errors == []
    finally:
        context.close()
