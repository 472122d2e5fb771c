"""The queue in Chromium: the chosen status tab survives the 30-second refresh, searches and a
reload of the page. The page's clock is Playwright's, so the real polling timer is moved on by
31 s instead of being waited for."""

from __future__ import annotations

import uuid

from tests.browser.bounded import evaluate
from tests.browser.test_login_browser import log_in

# Through the JSON API with the page's own session (as the offline replay does).
CREATE = """async ([name, nik, incomplete]) => {
  const session = await (await fetch('/sesi')).json();
  const headers = {'Content-Type': 'application/json', 'X-CSRFToken': session.csrf_token};
  const key = crypto.randomUUID();
  const created = await fetch('/api/v1/permohonan', {method: 'POST',
    headers: {...headers, 'Idempotency-Key': key},
    body: JSON.stringify({letter_type: 'domisili', applicant: {name, nik},
      data: {keperluan: 'Uji antrian', alamat_domisili: 'Jl. Uji No. 1'}})});
  if (created.status !== 201) throw new Error('create: ' + created.status);
  const request = await created.json();
  if (incomplete) {
    const moved = await fetch(`/api/v1/permohonan/${request.id}/transisi`, {method: 'POST',
      headers, body: JSON.stringify({to: 'incomplete', reason: 'KK belum dibawa'})});
    if (moved.status !== 200) throw new Error('move: ' + moved.status);
  }
  return request.tracking_code;
}"""


def half_a_minute_later(page) -> None:
    """The fake clock past the list's `every 30s`. In two jumps: htmx sets the new list's timer
    when it settles (a 20 ms timeout after the swap), and a jump fires only timers already set
    when it starts; on a loaded machine the settle could still be pending at the first."""
    page.clock.fast_forward(1000)
    page.clock.fast_forward("00:31")


def test_the_chosen_tab_survives_the_refresh_searches_and_a_reload(page, live_server):
    tag = uuid.uuid4().hex[:6]
    running, waiting = f"Tab {tag} Berjalan", f"Tab {tag} Menunggu"
    page.clock.install()
    log_in(page, live_server, "operator.oebobo")
    page.wait_for_url(live_server.url + "/")
    running_code = evaluate(page, CREATE, [running, "5371041203900001", False])
    evaluate(page, CREATE, [waiting, "5371041203900002", True])

    page.goto(live_server.url + "/permohonan")
    page.click("#daftar .tab:has-text('Belum Lengkap')")
    page.wait_for_url("**/permohonan?status=incomplete")
    list_ = page.locator("#daftar")
    list_.locator(f"text={waiting}").wait_for()
    assert running not in list_.inner_text()

    # The periodic refresh (htmx's `every 30s`) asks for the same tab.
    with page.expect_response("**/permohonan/daftar") as refreshed:
        half_a_minute_later(page)
    assert refreshed.value.ok
    page.locator("#daftar .tab.active:has-text('Belum Lengkap')").wait_for()
    assert waiting in list_.inner_text() and running not in list_.inner_text()
    assert page.url.endswith("/permohonan?status=incomplete")

    # A name search keeps the tab: both names match, only the incomplete one is shown.
    page.fill("#q", f"tab {tag}")
    with page.expect_response("**/permohonan/daftar"):
        page.press("#q", "Enter")
    page.locator("#daftar .tab.active:has-text('Belum Lengkap')").wait_for()
    assert waiting in list_.inner_text() and running not in list_.inner_text()

    # An exact tracking code looks in every status, and the tab stays chosen.
    page.fill("#q", running_code)
    with page.expect_response("**/permohonan/daftar"):
        page.press("#q", "Enter")
    page.locator(f"#daftar >> text={running}").wait_for()
    assert "semua status" in list_.inner_text()
    assert page.locator("#daftar .tab.active").inner_text().startswith("Belum Lengkap")
    assert running_code not in page.url  # the search text never goes into the address

    # The refresh after a search still asks for the tab (and the search).
    with page.expect_response("**/permohonan/daftar") as refreshed:
        half_a_minute_later(page)
    request_body = refreshed.value.request.post_data or ""
    assert "status=incomplete" in request_body
    page.locator("#daftar .tab.active:has-text('Belum Lengkap')").wait_for()

    # A reload opens the tab from the address.
    page.reload()
    page.locator("#daftar .tab.active:has-text('Belum Lengkap')").wait_for()
    assert waiting in list_.inner_text() and running not in list_.inner_text()
    assert page.console_errors == []
