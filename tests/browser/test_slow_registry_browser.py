"""The counter form with a slow population registry (the fake one, answering after 1.5 s): what
the operator types while the NIK is being checked stays; the answer fills only the empty inputs,
asks before replacing the others, and a late answer for a NIK no longer in the box changes
nothing."""

from __future__ import annotations

import pytest

from sodamolek.people.fake_registry import demo_people
from tests.browser.conftest import fake_registry, make_live_server
from tests.browser.test_login_browser import log_in

LOOKUP_MS = 1500


@pytest.fixture(scope="module")
def slow_registry(tmp_path_factory):
    yield from fake_registry(tmp_path_factory.mktemp("slow-registry"), LOOKUP_MS)


@pytest.fixture(scope="module")
def server(tmp_path_factory, slow_registry):
    live = make_live_server(
        tmp_path_factory.mktemp("slow"),
        SODAMOLEK_REGISTRY_URL=slow_registry,
        SODAMOLEK_REGISTRY_USER="uji",
        SODAMOLEK_REGISTRY_PASSWORD="rahasia-uji",
    )
    live.start()
    yield live
    live.stop()


def test_typing_while_the_registry_answers_is_kept(page, server):
    person = demo_people()[0]
    log_in(page, server, "operator.oebobo")
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/permohonan/baru/domisili")
    page.fill("#applicant_nik", person["nik"])
    page.press("#applicant_nik", "Tab")
    page.wait_for_selector("#cek-nik-proses.htmx-request")  # the check is under way
    # The operator does not wait: KK, a name and a birthplace, key by key.
    page.focus("#applicant_kk")
    page.keyboard.type(person["kk"])
    page.focus("#applicant_name")
    page.keyboard.type("Nama Diketik Sendiri")
    page.focus("#applicant_birth_place")
    page.keyboard.type("Soe")
    assert page.locator("#cek-nik-hasil[data-status]").count() == 0  # still no answer

    page.wait_for_selector("#cek-nik-hasil[data-status=found]", timeout=LOOKUP_MS + 15_000)
    assert page.input_value("#applicant_kk") == person["kk"]
    assert page.input_value("#applicant_name") == "Nama Diketik Sendiri"
    assert page.input_value("#applicant_birth_place") == "Soe"
    # What was empty came from the registry.
    assert page.input_value("#applicant_address") == person["address"]
    assert page.input_value("#applicant_rt") == person["rt"]
    assert page.input_value("#applicant_birth_date") == person["birth_date"].isoformat()
    assert page.input_value("#applicant_sex") == person["sex"]
    assert page.input_value("input[name=applicant_verified]") == "1"
    # What differs is listed by label, and replaced only when asked.
    conflicts = page.inner_text(".lookup-conflicts")
    assert "Nama lengkap" in conflicts and person["name"] in conflicts
    assert "Tempat lahir" in conflicts or person["birth_place"] == "Soe"
    assert "Nomor KK" not in conflicts  # typed the same as the registry's
    page.click("text=Ganti dengan data kependudukan")
    assert page.input_value("#applicant_name") == person["name"]
    assert page.input_value("#applicant_birth_place") == person["birth_place"]
    assert page.locator(".lookup-conflicts").count() == 0
    assert page.console_errors == []


def test_an_answer_for_a_nik_no_longer_in_the_box_changes_nothing(page, server):
    first, second = demo_people()[1], demo_people()[2]
    log_in(page, server, "operator.oebobo")
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/permohonan/baru/domisili")
    page.fill("#applicant_nik", first["nik"])
    with page.expect_response("**/penduduk/cek-nik", timeout=LOOKUP_MS + 15_000) as answer:
        page.press("#applicant_nik", "Tab")
        page.wait_for_selector("#cek-nik-proses.htmx-request")
        page.fill("#applicant_nik", second["nik"])  # changed while the first check waits
        page.press("#applicant_nik", "Tab")
    assert first["nik"] in answer.value.text()
    # The first answer is ignored: nothing of the first person lands in the form.
    page.wait_for_selector(f"#cek-nik-hasil[data-nik='{first['nik']}']", state="attached")
    assert page.input_value("#applicant_name") == ""
    assert page.inner_text("#cek-nik-hasil") == ""
    # The second (sent after it) fills the form.
    page.wait_for_selector(
        f"#cek-nik-hasil[data-status=found][data-nik='{second['nik']}']",
        timeout=2 * LOOKUP_MS + 15_000,
    )
    assert page.input_value("#applicant_name") == second["name"]
    assert page.input_value("#applicant_kk") == second["kk"]
    assert page.locator(".lookup-conflicts").count() == 0
    assert page.console_errors == []
