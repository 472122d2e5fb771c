"""Correcting a request: the service (statuses, versions, the letter type's rules, the audit row),
the page /permohonan/{id}/ubah and the API's PATCH with If-Match."""

import asyncio
import re

import pytest

from sodamolek.accounts import tokens
from sodamolek.db import current_engine
from sodamolek.letter_requests import corrections, service
from sodamolek.letter_requests.tables import LetterRequest, RequestCorrection
from tests.conftest import csrf_from, login
from tests.integration.test_request_service import FakeRegistry, submission, user

FIX = corrections.Correction(
    applicant={"applicant_name": "Maria Ndun Lay"},
    data={"keperluan": "Mendaftar sekolah"},
    requirements_checked=["Surat pengantar RT/RW", "KTP-el asli dan fotokopi"],
)


async def _new(staff, **overrides):
    operator = await user(staff.operator)
    return operator, (await service.create_request(operator, submission(**overrides))).request


async def test_a_correction_names_each_changed_field_and_keeps_the_code(app, staff):
    operator, request = await _new(staff)
    result = await corrections.correct_request(operator, request["id"], FIX, expected_version=1)
    corrected = result.request
    assert corrected["tracking_code"] == request["tracking_code"]
    assert corrected["version"] == 2
    assert corrected["applicant_name"] == "Maria Ndun Lay"
    assert corrected["data"]["keperluan"] == "Mendaftar sekolah"
    assert corrected["data"]["alamat_domisili"] == request["data"]["alamat_domisili"]
    assert corrected["requirements_checked"] == [
        "Surat pengantar RT/RW",
        "KTP-el asli dan fotokopi",
    ]
    assert [c["label"] for c in result.changes] == [
        "Nama lengkap",
        "Keperluan",
        "Persyaratan yang sudah diperiksa",
    ]
    assert result.changes[0] == {
        "field": "applicant_name",
        "label": "Nama lengkap",
        "before": "Maria Ndun",
        "after": "Maria Ndun Lay",
    }
    rows = await corrections.corrections_of(request["id"])
    assert len(rows) == 1 and rows[0]["version"] == 2 and rows[0]["status"] == "in_review"
    assert rows[0]["actor_name"].startswith("Operator Oebobo")
    assert [c["label"] for c in rows[0]["changes"]] == [c["label"] for c in result.changes]
    # The new name is what the queue's search finds.
    found = await service.queue(operator, query="ndun lay")
    assert [i["id"] for i in found.items] == [request["id"]]


async def test_a_returned_or_sent_back_request_can_be_corrected(app, staff):
    operator, returned = await _new(staff)
    await service.change_status(operator, returned["id"], "incomplete", "KK belum dibawa")
    result = await corrections.correct_request(operator, returned["id"], FIX, expected_version=2)
    assert result.request["status"] == "incomplete" and result.changes

    lurah = await user(staff.lurah)
    _, sent_back = await _new(staff)
    await service.change_status(operator, sent_back["id"], "awaiting_signature")
    await service.change_status(lurah, sent_back["id"], "in_review", "Alamat salah ketik")
    result = await corrections.correct_request(lurah, sent_back["id"], FIX, expected_version=3)
    assert result.request["version"] == 4 and result.request["status"] == "in_review"


@pytest.mark.parametrize("moves", [["awaiting_signature"], ["cancelled"], ["rejected"]])
async def test_a_request_past_review_cannot_be_corrected(app, staff, moves):
    operator, request = await _new(staff)
    for to in moves:
        await service.change_status(operator, request["id"], to, "Alasan uji")
    with pytest.raises(corrections.CorrectionRefused, match="tidak dapat diubah lagi"):
        await corrections.correct_request(operator, request["id"], FIX, expected_version=2)
    assert await RequestCorrection.count() == 0


async def test_a_stale_version_is_refused_and_nothing_changes(app, staff):
    operator, request = await _new(staff)
    await corrections.correct_request(operator, request["id"], FIX, expected_version=1)
    other = corrections.Correction(applicant={"applicant_name": "Nama Lain"})
    with pytest.raises(service.VersionConflict):
        await corrections.correct_request(operator, request["id"], other, expected_version=1)
    row = await LetterRequest.select().where(LetterRequest.id == request["id"]).first()
    assert row["applicant_name"] == "Maria Ndun Lay" and row["version"] == 2


async def test_two_corrections_of_one_version_at_once_one_wins(app, staff):
    operator, request = await _new(staff)

    async def attempt(name):
        correction = corrections.Correction(applicant={"applicant_name": name})
        try:
            return await corrections.correct_request(operator, request["id"], correction, 1)
        except service.VersionConflict:
            return None

    results = await asyncio.gather(attempt("Satu Nama"), attempt("Dua Nama"))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert await RequestCorrection.count() == 1
    row = await LetterRequest.select().where(LetterRequest.id == request["id"]).first()
    assert row["version"] == 2 and row["applicant_name"] == winners[0].request["applicant_name"]


async def test_invalid_values_go_through_the_letter_types_rules(app, staff):
    operator, request = await _new(staff)
    bad = corrections.Correction(
        applicant={"applicant_nik": "5371043201900001", "applicant_name": " "},
        data={"keperluan": "", "lama_tinggal": "dua"},
        requirements_checked=["Surat dari dukun"],
    )
    with pytest.raises(service.RequestInvalid) as invalid:
        await corrections.correct_request(operator, request["id"], bad, expected_version=1)
    errors = invalid.value.errors
    assert set(errors) == {
        "applicant_nik",
        "applicant_name",
        "data.keperluan",
        "data.lama_tinggal",
        "requirements_checked",
    }
    assert errors["data.keperluan"] == "Keperluan wajib diisi."
    assert "bilangan bulat" in errors["data.lama_tinggal"]
    assert await RequestCorrection.count() == 0


async def test_nothing_changed_writes_nothing(app, staff):
    operator, request = await _new(staff)
    same = corrections.Correction(
        applicant={"applicant_name": "  Maria   Ndun "}, data={"keperluan": "Melamar pekerjaan"}
    )
    result = await corrections.correct_request(operator, request["id"], same, expected_version=1)
    assert result.changes == [] and result.request["version"] == 1
    assert await RequestCorrection.count() == 0


async def test_another_office_and_read_only_roles(app, staff):
    _, request = await _new(staff)
    other = await user(staff.other_operator)
    with pytest.raises(service.RequestNotFound):
        await corrections.correct_request(other, request["id"], FIX, expected_version=1)
    camat = await user(staff.camat)
    with pytest.raises(corrections.CorrectionForbidden):
        await corrections.correct_request(camat, request["id"], FIX, expected_version=1)


async def test_a_new_nik_is_checked_against_the_registry_again(app, staff):
    operator, request = await _new(staff)
    record = type("Record", (), {"name": "Yosef Tefa"})()
    registry = FakeRegistry({"5371041203900001": record})
    fix = corrections.Correction(
        applicant={
            "applicant_nik": "5371041203900001",
            "applicant_name": "Yosef Tefa",
            "applicant_sex": "",
        }
    )
    result = await corrections.correct_request(operator, request["id"], fix, 1, registry)
    assert result.request["applicant_verified"] is True and registry.calls == 1
    labels = [c["label"] for c in result.changes]
    assert labels[:2] == ["NIK", "Nama lengkap"] and "Jenis kelamin" in labels
    notes_only = corrections.Correction(notes="Dibawa kakaknya")
    await corrections.correct_request(operator, request["id"], notes_only, 2, registry)
    assert registry.calls == 1  # same applicant: not asked again


async def test_the_audit_rows_cannot_be_changed_or_removed(app, staff):
    operator, request = await _new(staff)
    await corrections.correct_request(operator, request["id"], FIX, expected_version=1)
    for statement in (
        "UPDATE request_correction SET actor_name = 'x'",
        "DELETE FROM request_correction",
    ):
        with pytest.raises(Exception, match="append-only"):
            async with current_engine().transaction():
                await RequestCorrection.raw(statement)
    assert await RequestCorrection.count() == 1


# ---------------------------------------------------------------------------------------------
# The page


def _form_of(html: str) -> dict:
    """The correction form's inputs as the browser would post them (text inputs, textareas,
    hidden inputs, ticked boxes, chosen options)."""
    form = html[html.index('class="form correction-form"') :]
    form = form[: form.index("</form>")]
    values: dict = {}
    for tag in re.finditer(r"<input\b[^>]*>", form):
        attrs = dict(re.findall(r'(\w[\w.-]*)="([^"]*)"', tag.group(0)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in tag.group(0).split("value=")[1]:
                values.setdefault(attrs["name"], []).append(attrs["value"])
            continue
        values[attrs["name"]] = attrs.get("value", "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        values[name] = text
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r"<option(?: value=\"([^\"]*)\")? selected>([^<]*)", body)
        values[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    return values


async def test_the_page_corrects_and_the_request_page_shows_what_changed(client, staff):
    operator, request = await _new(staff)
    await login(client, staff.operator)
    detail = await client.get(f"/permohonan/{request['id']}")
    assert f'href="/permohonan/{request["id"]}/ubah"' in detail.text
    page = await client.get(f"/permohonan/{request['id']}/ubah")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert request["tracking_code"] in page.text
    values = _form_of(page.text)
    assert values["version"] == "1" and values["applicant_name"] == "Maria Ndun"
    assert values["data.keperluan"] == "Melamar pekerjaan"
    assert values["requirements_checked"] == ["Surat pengantar RT/RW"]

    # Bad input: the form again with 200 (htmx swaps it), the messages and everything typed.
    ticked = ["Surat pengantar RT/RW", "Kartu Keluarga (fotokopi)"]
    typed = values | {
        "applicant_name": "Maria Ndun Lay",
        "data.keperluan": "",
        "requirements_checked": ticked,
    }
    invalid = await client.post(f"/permohonan/{request['id']}/ubah", data=typed)
    assert invalid.status_code == 200
    assert "Keperluan wajib diisi." in invalid.text
    again = _form_of(invalid.text)
    assert again["applicant_name"] == "Maria Ndun Lay"
    assert again["requirements_checked"] == typed["requirements_checked"]
    assert again["version"] == "1"

    saved = await client.post(
        f"/permohonan/{request['id']}/ubah", data=again | {"data.keperluan": "Mendaftar sekolah"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/permohonan/{request['id']}"
    shown = await client.get(f"/permohonan/{request['id']}")
    assert "Perubahan data" in shown.text
    section = shown.text[shown.text.index('id="perubahan-data"') :]
    for label in ("Nama lengkap", "Keperluan", "Persyaratan yang sudah diperiksa"):
        assert label in section
    assert "applicant_name" not in section and "keperluan:" not in section
    assert request["tracking_code"] in shown.text

    # The page loaded before that correction is stale now: refused, what was typed kept.
    stale = await client.post(
        f"/permohonan/{request['id']}/ubah", data=again | {"applicant_name": "Nama Basi"}
    )
    assert stale.status_code == 409
    assert "baru saja diubah" in stale.text and "Muat ulang data terbaru" in stale.text
    assert _form_of(stale.text)["applicant_name"] == "Nama Basi"

    # htmx: the answer is a redirect it follows.
    token = csrf_from(shown.text)
    fresh = _form_of((await client.get(f"/permohonan/{request['id']}/ubah")).text)
    htmx = await client.post(
        f"/permohonan/{request['id']}/ubah",
        data=fresh | {"notes": "Dibawa kakaknya", "_csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"] == f"/permohonan/{request['id']}"


async def test_the_page_refuses_other_offices_finished_requests_and_readers(client, staff):
    operator, request = await _new(staff)
    await service.change_status(operator, request["id"], "cancelled", "Tidak jadi")
    await login(client, staff.operator)
    refused = await client.get(f"/permohonan/{request['id']}/ubah")
    assert refused.status_code == 409 and "tidak dapat diubah lagi" in refused.text
    detail = await client.get(f"/permohonan/{request['id']}")
    assert f"/permohonan/{request['id']}/ubah" not in detail.text

    _, open_request = await _new(staff)
    await client.post("/keluar", data={"_csrf_token": csrf_from(detail.text)})
    await login(client, staff.other_operator)
    assert (await client.get(f"/permohonan/{open_request['id']}/ubah")).status_code == 404
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    await login(client, staff.camat)
    assert (await client.get(f"/permohonan/{open_request['id']}/ubah")).status_code == 403


# ---------------------------------------------------------------------------------------------
# The API


@pytest.fixture
async def token(app):
    _, value = await tokens.create_token(None, "SIAK Kota", "53.71.04.1001")  # Oebobo
    return {"Authorization": f"Bearer {value}"}


async def test_patch_needs_the_version_it_corrects(client, staff, token):
    _, request = await _new(staff)
    url = f"/api/v1/permohonan/{request['id']}"
    read = await client.get(url, headers=token)
    assert read.headers["etag"] == '"1"' and read.json()["corrections"] == []
    body = {"applicant": {"name": "Maria Ndun Lay"}, "data": {"keperluan": "Mendaftar sekolah"}}

    missing = await client.patch(url, json=body, headers=token)
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    wildcard = await client.patch(url, json=body, headers=token | {"If-Match": "*"})
    assert wildcard.status_code == 428

    done = await client.patch(url, json=body, headers=token | {"If-Match": read.headers["etag"]})
    assert done.status_code == 200, done.text
    answer = done.json()
    assert done.headers["etag"] == '"2"' and answer["version"] == 2
    assert answer["tracking_code"] == request["tracking_code"]
    assert answer["applicant"]["name"] == "Maria Ndun Lay"
    assert answer["applicant"]["nik"] == request["applicant_nik"]  # not sent: unchanged
    assert answer["changed"] == ["Nama lengkap", "Keperluan"]
    assert answer["corrections"][0]["changes"][1]["label"] == "Keperluan"

    stale = await client.patch(url, json=body, headers=token | {"If-Match": '"1"'})
    assert stale.status_code == 412 and "baru saja diubah" in stale.json()["detail"]
    weak = await client.patch(
        url, json={"notes": "Dibawa kakaknya"}, headers=token | {"If-Match": 'W/"2"'}
    )
    assert weak.status_code == 200 and weak.json()["changed"] == ["Catatan petugas"]


async def test_patch_errors_in_words(client, staff, token):
    operator, request = await _new(staff)
    url = f"/api/v1/permohonan/{request['id']}"
    invalid = await client.patch(
        url,
        json={"applicant": {"nik": "123"}, "data": {"keperluan": ""}},
        headers=token | {"If-Match": '"1"'},
    )
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"applicant.nik", "data.keperluan"}
    shape = await client.patch(url, json={"applicant": "x"}, headers=token | {"If-Match": '"1"'})
    assert shape.status_code == 422

    await service.change_status(operator, request["id"], "awaiting_signature")
    forbidden = await client.patch(url, json={"notes": "x"}, headers=token | {"If-Match": '"2"'})
    assert forbidden.status_code == 409 and "tidak dapat diubah lagi" in forbidden.json()["detail"]

    _, other_office_token = await tokens.create_token(None, "SIAK", "53.71.01.1001")
    elsewhere = {"Authorization": f"Bearer {other_office_token}", "If-Match": '"2"'}
    assert (await client.patch(url, json={"notes": "x"}, headers=elsewhere)).status_code == 404
    no_match = {"Authorization": f"Bearer {other_office_token}"}
    assert (await client.patch(url, json={"notes": "x"}, headers=no_match)).status_code == 404


async def test_patch_with_a_session_needs_csrf_and_a_counter_role(client, staff):
    _, request = await _new(staff)
    url = f"/api/v1/permohonan/{request['id']}"
    await login(client, staff.operator)
    session = (await client.get("/sesi")).json()
    no_csrf = await client.patch(url, json={"notes": "x"}, headers={"If-Match": '"1"'})
    assert no_csrf.status_code == 403
    ok = await client.patch(
        url, json={"notes": "x"}, headers={"If-Match": '"1"', "X-CSRFToken": session["csrf_token"]}
    )
    assert ok.status_code == 200
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    await login(client, staff.camat)
    session = (await client.get("/sesi")).json()
    camat = await client.patch(
        url, json={"notes": "y"}, headers={"If-Match": '"2"', "X-CSRFToken": session["csrf_token"]}
    )
    assert camat.status_code == 403


async def test_the_patch_is_described_in_the_openapi_schema(client):
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/permohonan/{request_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in operation.get("parameters", [])}
    assert "412" in operation["description"] and "428" in operation["description"]
