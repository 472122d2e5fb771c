"""The resident's phone in Chromium: the real service worker shows a push notification, the
tracking page works offline with the last status seen, the page offers notifications."""

import re

from tests.browser.test_counter_browser import demo_resident
from tests.browser.test_login_browser import log_in
from tests.browser.test_push_handler_browser import push_and_wait


def make_request(page, server) -> str:
    resident = demo_resident(server)
    log_in(page, server, "operator.oebobo")
    page.wait_for_url(server.url + "/")
    # domisili: the letter-types browser test edits pengantar-skck on the same server
    page.goto(server.url + "/permohonan/baru/domisili")
    page.fill("#applicant_nik", resident["nik"])
    page.fill("#applicant_name", resident["name"])
    page.fill("#f-keperluan", "Melamar kerja")
    page.fill("#f-alamat_domisili", "Jl. El Tari No. 5")
    page.click("text=Simpan dan cetak tanda terima")
    page.wait_for_url(re.compile(r".*/tanda-terima"))
    code = page.locator(".code").inner_text()
    page.click("text=Keluar")
    page.wait_for_url("**/masuk?keluar=1")  # before the next goto, which would abort it
    return code


def wait_for_controller(page) -> None:
    """Until the resident's own worker controls the page (on this browser the operator's
    /sw.js, registered by the counter pages, may control it first)."""
    for _ in range(300):  # wait_for_function would evaluate a string: the CSP forbids that
        if page.evaluate(
            "(navigator.serviceWorker.controller || {scriptURL: ''}).scriptURL"
        ).endswith("/sw-warga.js"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the resident's service worker did not take control")


def test_tracking_page_offline_shows_the_last_status_seen(page, live_server):
    code = make_request(page, live_server)
    page.goto(f"{live_server.url}/lacak/{code}")
    wait_for_controller(page)
    page.reload()  # now through the worker, which keeps a copy
    assert "Sedang Diperiksa" in page.content()
    assert page.locator("#offline").is_hidden()
    page.context.set_offline(True)
    try:
        page.reload()
        assert "Sedang Diperiksa" in page.content()
        assert page.locator("#offline").is_visible()
        assert "status terakhir yang dilihat pada" in page.locator("#offline").inner_text()
    finally:
        page.context.set_offline(False)
    assert page.console_errors == []


def test_real_worker_shows_the_push_notification(page, live_server):
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto(live_server.url + "/lacak")
    wait_for_controller(page)
    push_and_wait(
        page,
        live_server.url,
        {
            "request_id": 1,
            "code": "KPG-7F3K-9QX2-M4TD",
            "status": "ready",
            "url": "/lacak/KPG-7F3K-9QX2-M4TD",
        },
    )
    titles = page.evaluate(
        "navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(list => list.map(n => n.title))"
    )
    assert titles == ["Surat siap diambil"]


def test_tracking_page_offers_notifications_and_is_installable(page, live_server):
    code = make_request(page, live_server)
    page.goto(f"{live_server.url}/lacak/{code}")
    wait_for_controller(page)
    assert page.locator("#aktifkan-notifikasi").is_visible()
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["start_url"] == "/lacak"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert page.console_errors == []
