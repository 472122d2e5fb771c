"""What an operator sees in Chromium: login, a working htmx, the service worker, no CSP error."""

from sodamolek.seed import DEMO_PASSWORD
from tests.browser.bounded import evaluate


def log_in(page, server, username: str) -> None:
    page.goto(server.url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def test_operator_logs_in_and_out(page, live_server):
    log_in(page, live_server, "operator.oebobo")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("Selamat datang")
    assert "Kelurahan Oebobo" in page.locator(".who").inner_text()
    assert page.evaluate("document.documentElement.lang") == "id"

    # htmx is loaded from our own server and configured without eval.
    assert page.evaluate("window.htmx.version").startswith("2.0.")
    assert page.evaluate("window.htmx.config.allowEval") is False

    # The service worker registers and takes control.
    scope = evaluate(page, "() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == live_server.url + "/"

    page.click("text=Keluar")
    page.wait_for_url("**/masuk?keluar=1")
    assert "Anda sudah keluar" in page.content()
    page.goto(live_server.url + "/")
    assert "/masuk" in page.url
    assert page.console_errors == []  # a CSP violation would be reported here


def test_wrong_password_shows_the_message_in_indonesian(page, live_server):
    page.goto(live_server.url + "/masuk")
    page.fill("#username", "lurah.namosain")
    page.fill("#password", "bukan-kata-sandinya")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Nama pengguna atau kata sandi salah."
    assert page.input_value("#username") == "lurah.namosain"  # what was typed is kept


def test_touch_targets_are_at_least_44px(page, live_server):
    log_in(page, live_server, "admin")
    page.wait_for_url(live_server.url + "/")
    sizes = page.evaluate(
        """[...document.querySelectorAll('a.button, button, .nav a, input, summary')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])"""
    )
    assert sizes
    small = [(html, h) for html, h in sizes if h < 44]
    assert small == []
