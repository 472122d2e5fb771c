"""A correction after the lurah sent a request back, in Chromium: the operator opens "Ubah data",
a bad value comes back with its message and nothing typed lost, the saved correction keeps the
tracking code and the request page names what changed."""

from __future__ import annotations

import re
import uuid

from sodamolek.seed import DEMO_PASSWORD
from tests.browser.bounded import evaluate

# The API with the page's own session; the moves themselves are not what is tested here.
API = """async ([method, path, body]) => {
  const session = await (await fetch('/sesi')).json();
  const headers = {'Content-Type': 'application/json', 'X-CSRFToken': session.csrf_token,
                   'Idempotency-Key': crypto.randomUUID()};
  const answer = await fetch(path, {method, headers, body: JSON.stringify(body)});
  if (!answer.ok) throw new Error(path + ': ' + answer.status + ' ' + await answer.text());
  return answer.json();
}"""


def signed_in(chromium, server, username):
    context = chromium.new_context(viewport={"width": 800, "height": 1280}, locale="id-ID")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(server.url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def test_a_request_sent_back_is_corrected_and_keeps_its_code(chromium, live_server):
    name = f"Koreksi {uuid.uuid4().hex[:6]}"
    operator = signed_in(chromium, live_server, "operator.oebobo")
    lurah = signed_in(chromium, live_server, "lurah.oebobo")
    try:
        created = evaluate(
            operator,
            API,
            [
                "POST",
                "/api/v1/permohonan",
                {
                    "letter_type": "domisili",
                    "applicant": {"name": name, "nik": "5371041203900001"},
                    "data": {"keperluan": "Melamar kerja", "alamat_domisili": "Jl. Uji No. 1"},
                    "requirements_checked": ["Surat pengantar RT/RW"],
                },
            ],
        )
        rid, code = created["id"], created["tracking_code"]
        path = f"/api/v1/permohonan/{rid}/transisi"
        evaluate(operator, API, ["POST", path, {"to": "awaiting_signature"}])
        evaluate(
            lurah, API, ["POST", path, {"to": "in_review", "reason": "Keperluan kurang jelas"}]
        )

        page = operator
        page.goto(f"{live_server.url}/permohonan/{rid}")
        page.click("text=Ubah data")
        page.wait_for_url(f"**/permohonan/{rid}/ubah")
        assert code in page.inner_text("main")
        assert page.input_value("#applicant_name") == name
        assert page.input_value("#f-keperluan") == "Melamar kerja"

        # A bad value: the message, and everything typed still there.
        page.fill("#applicant_name", name + " Lay")
        page.fill("#f-keperluan", "Melamar pekerjaan di Dinas Kesehatan")
        page.fill("#applicant_phone", "12345")
        page.check("text=Kartu Keluarga (fotokopi)")
        page.click("button:text-is('Simpan perubahan')")
        page.wait_for_selector("text=Nomor HP tidak sah")
        assert page.input_value("#applicant_name") == name + " Lay"
        assert page.input_value("#f-keperluan") == "Melamar pekerjaan di Dinas Kesehatan"
        assert page.is_checked("text=Kartu Keluarga (fotokopi)")

        page.fill("#applicant_phone", "081234567890")
        # No network: nothing is lost, and the page says the change is not saved yet.
        page.context.set_offline(True)
        page.click("button:text-is('Simpan perubahan')")
        page.wait_for_selector("#koreksi-tidak-terkirim:has-text('belum tersimpan')")
        assert page.input_value("#applicant_name") == name + " Lay"
        page.context.set_offline(False)
        page.console_errors.clear()  # htmx logs the failed send; that was the point
        page.click("button:text-is('Simpan perubahan')")
        page.wait_for_url(re.compile(rf".*/permohonan/{rid}$"))
        assert page.inner_text("h1") == code  # the same tracking code
        changes = page.inner_text("#perubahan-data")
        for label in ("Nama lengkap", "Nomor HP", "Keperluan", "Persyaratan yang sudah diperiksa"):
            assert label in changes
        assert "Operator" in changes and "applicant_name" not in changes
        assert "Keperluan kurang jelas" in page.inner_text("#permohonan")  # the send-back

        # The lurah sees the corrected request.
        lurah.goto(f"{live_server.url}/permohonan/{rid}")
        assert name + " Lay" in lurah.inner_text("#permohonan")
        assert operator.console_errors == [] and lurah.console_errors == []
    finally:
        operator.context.close()
        lurah.context.close()
