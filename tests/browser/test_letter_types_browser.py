"""The admin edits a letter type in Chromium: htmx adds a field row, the preview follows the
blocks as they are typed, errors show by the field."""

from tests.browser.test_login_browser import log_in


def test_admin_adds_a_field_row_and_saves(page, live_server):
    log_in(page, live_server, "admin")
    page.wait_for_url(live_server.url + "/")
    page.click("nav >> text=Jenis surat")
    page.wait_for_url("**/admin/jenis-surat")
    page.click("text=Surat Pengantar SKCK")
    page.wait_for_url("**/admin/jenis-surat/pengantar-skck")
    rows = page.locator("tr.field-row")
    assert rows.count() == 4  # one field and three empty rows

    page.click("text=Tambah baris")
    page.wait_for_selector("input[name=fields-4-name]")
    assert rows.count() == 5
    page.click("text=Tambah baris")  # the new button asks for the next row
    page.wait_for_selector("input[name=fields-5-name]")

    page.fill("input[name=fields-5-name]", "nama_instansi")
    page.fill("input[name=fields-5-label]", "Instansi tujuan")
    page.check("input[name=fields-5-required]")
    text = "#blocks-3-text"  # "Surat pengantar ini diberikan untuk mengurus SKCK …"
    page.fill(text, "Untuk {{ data.keperluan }} ke {{ data.instansi }}.")
    # The live preview names the problem as it is typed, before anything is saved. (Waiting
    # for the problem's text, not the element: a preview of the half-typed field row may be
    # showing when the block's text is filled.)
    page.locator("#pratinjau-masalah", has_text="Blok 4 (Paragraf)").wait_for()
    page.click("form.letter-type-form button[type=submit]")

    # Rejected: the message sits under the blocks, and the new row is still there.
    error = page.locator("#err-blocks")
    assert "“instansi” bukan isian jenis surat ini" in error.inner_text()
    assert page.input_value("input[name=fields-5-name]") == "nama_instansi"
    assert page.get_attribute(text, "aria-invalid") == "true"

    page.fill(text, "Untuk {{ data.keperluan }} ke {{ data.nama_instansi }}.")
    page.locator("#pratinjau-isi", has_text="ke [Instansi tujuan].").wait_for()
    page.click("form.letter-type-form button[type=submit]")
    page.wait_for_url("**/admin/jenis-surat/pengantar-skck?tersimpan=1")
    assert "Perubahan tersimpan" in page.content()
    assert page.input_value("input[name=fields-1-name]") == "nama_instansi"
    assert "ke [Instansi tujuan]." in page.locator("#pratinjau-isi").inner_text()

    sizes = page.evaluate(
        """[...document.querySelectorAll('a.button, button, input, select')]
            .filter(e => e.offsetParent !== null && e.type !== 'hidden')
            .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])"""
    )
    assert [s for s in sizes if s[1] < 44] == []
    # Chromium logs the rejected post's 422; anything else (a CSP violation) is a failure.
    assert [e for e in page.console_errors if "status of 422" not in e] == []


def test_admin_deactivates_a_type(page, live_server):
    log_in(page, live_server, "admin")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/admin/jenis-surat")
    row = page.locator("tr", has_text="Surat Keterangan Beda Identitas")
    row.locator("button", has_text="Nonaktifkan").click()
    page.wait_for_url("**/admin/jenis-surat?status=beda-identitas")
    assert "sekarang nonaktif" in page.locator("[role=status]").inner_text()
    row = page.locator("tr", has_text="Surat Keterangan Beda Identitas")
    assert "Nonaktif" in row.inner_text()
    row.locator("button", has_text="Aktifkan").click()
    page.wait_for_url("**/admin/jenis-surat?status=beda-identitas")
    assert page.console_errors == []
