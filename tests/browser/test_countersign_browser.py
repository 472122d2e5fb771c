"""A letter that needs the camat, end to end in Chromium: the operator takes it, the lurah signs
it (confirming an unverified applicant), the camat sends it back (the htmx confirm dialog), it is
signed again and countersigned; the resident's pages and the verification page follow."""

import re

from sodamolek.tte.service import DEMO_PASSPHRASE
from tests.browser.test_login_browser import log_in


def new_context_page(chromium, server):
    context = chromium.new_context(viewport={"width": 800, "height": 1280}, locale="id-ID")
    context.set_default_timeout(20_000)
    return context, context.new_page()


def sign_on_desk(page, server, request_id: str) -> None:
    page.goto(server.url + "/tanda-tangan")
    row = page.locator("tr", has=page.locator(f"input[name=ids][value='{request_id}']"))
    assert "belum terverifikasi" in row.inner_text()
    row.locator("input[name=ids]").check()
    row.locator("input[name=unverified_ok]").check()  # signing an unverified applicant: said so
    page.fill("#passphrase", DEMO_PASSPHRASE)  # the TTE passphrase, once for the batch
    page.click("form.sign-form button[type=submit]")
    page.wait_for_selector("text=menunggu tanda tangan camat")


def test_countersign_path_with_a_send_back(page, chromium, live_server):
    server = live_server
    log_in(page, server, "operator.oebobo")
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/permohonan/baru/pindah")
    page.fill("#applicant_name", "Yakobus Ndolu")  # no NIK: not verified by the registry
    page.fill("#f-alamat_tujuan", "Jl. Sudirman 1, Soe")
    page.select_option("#f-alasan_pindah", "Pekerjaan")
    page.fill("#f-jumlah_pengikut", "2")
    page.click("text=Simpan dan cetak tanda terima")
    page.wait_for_url(re.compile(r".*/permohonan/\d+/tanda-terima"))
    request_id = re.search(r"/permohonan/(\d+)/", page.url).group(1)
    code = page.locator(".code").inner_text()
    page.goto(f"{server.url}/permohonan/{request_id}")
    page.click("text=Teruskan ke lurah")
    page.wait_for_selector(".status-awaiting_signature")

    lurah_context, lurah = new_context_page(chromium, server)
    camat_context, camat = new_context_page(chromium, server)
    resident_context, resident = new_context_page(chromium, server)
    try:
        log_in(lurah, server, "lurah.oebobo")
        lurah.wait_for_url(server.url + "/")
        sign_on_desk(lurah, server, request_id)
        lurah.goto(f"{server.url}/permohonan/{request_id}")
        assert "Menunggu Tanda Tangan Camat" in lurah.locator(".detail-head").inner_text()
        first_token = lurah.locator("a", has_text="Halaman verifikasi").first.get_attribute("href")

        resident.goto(server.url + first_token)
        assert "BELUM SAH" in resident.locator(".verdict").inner_text()
        resident.goto(f"{server.url}/lacak/{code}")
        assert "menunggu tanda tangan camat" in resident.content()

        # The camat sends it back from the request page: a reason, then the confirm dialog.
        log_in(camat, server, "camat.oebobo")
        camat.wait_for_url(server.url + "/")
        camat.goto(server.url + "/tanda-tangan-camat")
        camat.click(f"a[href='/permohonan/{request_id}']")
        camat.wait_for_selector("#permohonan")
        dialogs = []
        camat.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
        form = camat.locator("form.move", has=camat.locator("input[name=to][value=in_review]"))
        form.locator("input[name=reason]").fill("Alamat tujuan kurang lengkap")
        form.locator("button").click()
        camat.wait_for_selector(".status-in_review")
        assert dialogs and "yakin" in dialogs[0]
        assert "Batal sebelum terbit" in camat.locator("#permohonan").inner_text()

        resident.goto(server.url + first_token)
        assert "BATAL" in resident.locator(".verdict").inner_text()

        # Forwarded and signed again: a new letter, which the camat countersigns.
        page.goto(f"{server.url}/permohonan/{request_id}")
        page.click("text=Teruskan ke lurah")
        page.wait_for_selector(".status-awaiting_signature")
        sign_on_desk(lurah, server, request_id)
        camat.goto(server.url + "/tanda-tangan-camat")
        row = camat.locator("tr", has=camat.locator(f"a[href='/permohonan/{request_id}']"))
        row.locator("input[name=ids]").check()
        camat.fill("#passphrase", DEMO_PASSPHRASE)
        camat.click("button:has-text('Tandatangani yang dipilih')")
        camat.wait_for_selector("text=1 surat ditandatangani camat")

        lurah.goto(f"{server.url}/permohonan/{request_id}")
        detail = lurah.locator("#permohonan").inner_text()
        assert "Siap Diambil" in lurah.locator(".detail-head").inner_text()
        history = detail[detail.index("Riwayat") :]
        assert history.count("Ditandatangani lurah") == 2  # the voided letter and the new one
        assert history.count("Ditandatangani camat (mengetahui)") == 1
        countersign_line = history[history.index("Ditandatangani camat (mengetahui)") :]
        assert countersign_line.split("\n")[0].count("Drs. Yohanes Benu (Camat)") == 1
        assert "Sistem" not in history
        new_token = lurah.locator("a", has_text="Halaman verifikasi").first.get_attribute("href")
        assert new_token != first_token
        resident.goto(server.url + new_token)
        assert resident.locator(".verdict").inner_text().startswith("SAH")
        resident.goto(f"{server.url}/lacak/{code}")
        assert "Siap Diambil" in resident.content()
        for p in (page, lurah, camat, resident):
            assert getattr(p, "console_errors", []) == []
    finally:
        for context in (lurah_context, camat_context, resident_context):
            context.close()
