"""The tracking page on a resident's phone, first visit: bytes transferred (the page, its files
and the service worker's install, all compressed as sent) and the layout shift (CLS).

Target: the page as it is, registering the resident's worker /sw-warga.js (scope /lacak).
Baseline: the same page registering the operator's /sw.js (scope /), as the tracking page did
before it had a worker of its own — made by serving a sw-register.js that ignores the page's
data-worker. Interleaved rounds, each in a fresh browser context (empty caches), Chromium
through Playwright on a phone viewport with slow 4G (150 ms, 1.6 Mbit/s) and 4× CPU slowdown
(DevTools protocol). Bytes are what Chromium reports per response (headers + encoded body),
for the page's requests and the worker's alike.

Usage: uv run python bench/resident_page.py [rounds] [--detail]   (--detail: every response)
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from outbox_replay import CHROMIUM, start_server  # noqa: E402

from sodamolek.seed import DEMO_PASSWORD  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5
GOAL_BYTES = 30 * 1024
DETAIL = "--detail" in sys.argv
PHONE = {
    "viewport": {"width": 393, "height": 851},
    "device_scale_factor": 2.75,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
}
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
LAYOUT_SHIFTS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
OPERATOR_REGISTER = """(function () {
  let registration = null;
  window.sodamolekRegisterWorker = function () {
    if (!registration) registration = navigator.serviceWorker.register(
      "/sw.js", { scope: "/", updateViaCache: "none" });
    return registration;
  };
})();"""


def tracking_code(url: str) -> str:
    """A request taken at the counter (over HTTP, as the operator's browser would)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def csrf(path: str) -> str:
        with opener.open(url + path, timeout=30) as page:
            return re.search(r'name="_csrf_token" value="([^"]+)"', page.read().decode())[1]

    login = {
        "username": "operator.oebobo",
        "password": DEMO_PASSWORD,
        "_csrf_token": csrf("/masuk"),
    }
    opener.open(url + "/masuk", data=urlencode(login).encode(), timeout=30).read()
    form = {
        "_csrf_token": csrf("/permohonan/baru/domisili"),
        "client_request_id": "7b0c1f4e-1d7a-4c51-9a57-0b1e2f3a4d5c",
        "letter_type": "domisili",
        "applicant_name": "Maria Ndun",
        "applicant_phone": "081234567890",
        "data.keperluan": "Melamar kerja",
        "data.alamat_domisili": "Jl. El Tari No. 5",
    }
    with opener.open(url + "/permohonan", data=urlencode(form).encode(), timeout=30) as answer:
        receipt = answer.read().decode()
    return re.search(r"KPG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)[0]


def first_visit(browser, url: str, code: str, baseline: bool) -> tuple[int, float, int, str]:
    context = browser.new_context(**PHONE)
    context.add_init_script(LAYOUT_SHIFTS)
    transferred: list[int] = []
    routed = [0]

    def finished(request) -> None:
        try:
            sizes = request.sizes()
        except Exception:  # noqa: S112 - a request without sizes (aborted): nothing sent
            return
        transferred.append(sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0))
        if DETAIL:
            print(
                "   ",
                request.url.split("/", 3)[-1][:60],
                transferred[-1],
                request.service_worker is not None,
            )

    context.on("requestfinished", finished)
    if baseline:

        def old_register(route) -> None:
            body = OPERATOR_REGISTER.encode()
            routed[0] = len(gzip.compress(body)) + 300  # as if sent: headers and gzip body
            route.fulfill(
                status=200,
                content_type="text/javascript",
                body=body,
                headers={"Cache-Control": "public, max-age=31536000"},
            )

        context.route(re.compile(r".*/static/js/sw-register\.js.*"), old_register)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    started = time.perf_counter()
    page.goto(f"{url}/lacak/{code}", wait_until="load")
    for _ in range(600):  # the worker installed and in control
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # late fetches of the worker's install
    elapsed = time.perf_counter() - started
    cls = page.evaluate("window.__cls")
    script = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    context.close()
    return sum(transferred) + routed[0], cls, len(transferred), f"{script} ({elapsed:.1f} s)"


def spread(values: list[float]) -> str:
    return (
        f"min {min(values):,.0f}  median {statistics.median(values):,.0f}  max {max(values):,.0f}"
    )


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="sodamolek-bench-"))
    server, url = start_server(data_dir)
    try:
        code = tracking_code(url)
        results: dict[str, list[tuple[int, float]]] = {"resident": [], "operator": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for round_number in range(1, ROUNDS + 1):
                for name in ("resident", "operator"):
                    size, cls, count, script = first_visit(browser, url, code, name == "operator")
                    results[name].append((size, cls))
                    print(
                        f"round {round_number} {name:8} {size:7,} B in {count:2} responses  "
                        f"CLS {cls:.3f}  worker {script.rsplit('/', 1)[-1]}"
                    )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print()
    for name, rows in results.items():
        sizes = [s for s, _ in rows]
        shifts = [c for _, c in rows]
        print(f"{name:8} bytes: {spread(sizes)}   CLS max {max(shifts):.3f}")
    ratios = [o[0] / r[0] for r, o in zip(results["resident"], results["operator"], strict=True)]
    print(
        f"operator worker / resident worker, per round: min {min(ratios):.2f}×  "
        f"median {statistics.median(ratios):.2f}×  max {max(ratios):.2f}×"
    )
    worst = max(s for s, _ in results["resident"])
    verdict = "met" if worst <= GOAL_BYTES else "NOT met"
    print(
        f"goal ≤ {GOAL_BYTES:,} B for the first load with the worker's install: {verdict} "
        f"(worst round {worst:,} B)"
    )


if __name__ == "__main__":
    main()
