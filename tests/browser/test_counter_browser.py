"""An operator takes a request at the counter in Chromium: NIK lookup, form, receipt, queue."""

import re
import sqlite3

from playwright.sync_api import expect

from tests.browser.test_login_browser import log_in


def demo_resident(server) -> dict:
    with sqlite3.connect(server.data_dir / "sodamolek.sqlite3") as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            "SELECT r.nik, r.name FROM resident r JOIN kelurahan k ON k.id = r.kelurahan "
            "WHERE k.code = '53.71.04.1001' ORDER BY r.nik LIMIT 1"
        ).fetchone()
    return dict(row)


def test_operator_takes_a_request_with_the_registry(page, live_server):
    resident = demo_resident(live_server)
    log_in(page, live_server, "operator.oebobo")
    page.wait_for_url(live_server.url + "/")
    page.click("text=Antrian")
    page.click("text=+ Permohonan baru")
    page.click("text=Surat Keterangan Domisili")
    page.fill("#applicant_nik", resident["nik"])
    page.click("text=Cek NIK")
    page.wait_for_selector("text=Terverifikasi")
    # The answer's script fills the empty inputs just after the swap.
    expect(page.locator("#applicant_name")).to_have_value(resident["name"])

    page.fill("#f-keperluan", "Melamar pekerjaan")
    page.fill("#f-alamat_domisili", "Jl. El Tari No. 5")
    page.check("text=Surat pengantar RT/RW")
    page.click("text=Simpan dan cetak tanda terima")
    page.wait_for_url(re.compile(r".*/permohonan/\d+/tanda-terima"))
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"KPG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert page.locator(".qr svg").count() == 1

    page.click("text=Lihat permohonan")
    assert "terverifikasi" in page.locator("#permohonan").inner_text()
    page.click("text=Teruskan ke lurah")
    page.wait_for_selector(".status-awaiting_signature")
    assert "Menunggu Tanda Tangan" in page.locator(".detail-head").inner_text()
    assert page.console_errors == []


def test_invalid_input_keeps_what_was_typed(page, live_server):
    log_in(page, live_server, "operator.oebobo")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/permohonan/baru/usaha")
    page.fill("#applicant_name", "Yosef Tefa")
    page.fill("#applicant_nik", "5371043201900001")  # day 32: no such date
    page.fill("#f-nama_usaha", "Kios Tefa")
    page.fill("#f-jenis_usaha", "Kios sembako")
    page.fill("#f-alamat_usaha", "Pasar Oebobo")
    page.click("text=Simpan dan cetak tanda terima")
    page.wait_for_selector(".field-error")
    assert "Tanggal lahir pada NIK" in page.content()
    assert page.input_value("#applicant_name") == "Yosef Tefa"
    assert page.input_value("#f-nama_usaha") == "Kios Tefa"
    assert "/permohonan" in page.url and "tanda-terima" not in page.url


# ---------------------------------------------------------------------------------------------
# The NIK check never takes away what was typed


def test_kk_typed_right_after_the_nik_keeps_every_digit(page, live_server):
    """The local registry answers within milliseconds: the answer used to replace the applicant
    inputs, the KK input the operator had just moved to among them, and its first digit went."""
    resident = demo_resident(live_server)
    log_in(page, live_server, "operator.oebobo")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/permohonan/baru/domisili")
    page.fill("#applicant_nik", resident["nik"])
    # Into the KK input: the NIK's `change` sends the check as the focus lands there. The answer
    # finds the operator in the still empty input (the case that lost or doubled digits: filled
    # then, the typing went after the registry's KK); the others are filled.
    page.click("#applicant_kk")
    page.wait_for_selector("#cek-nik-hasil[data-status=found]")
    # The script fills on htmx's load event, just after the answer is in the page.
    expect(page.locator("#applicant_name")).to_have_value(resident["name"])  # empty: filled
    assert page.input_value("#applicant_kk") == ""
    page.keyboard.type("5371041201200009")
    page.press("#applicant_kk", "Tab")
    assert page.input_value("#applicant_kk") == "5371041201200009"
    # The registry's KK differs from what was typed: asked once the input is left, not replaced.
    page.wait_for_selector(".lookup-conflicts")
    assert "Nomor KK" in page.inner_text(".lookup-conflicts")
    assert page.console_errors == []
