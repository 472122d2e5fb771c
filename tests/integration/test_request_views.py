"""The counter over HTTP: new request form, create, queue, request page, moves, receipt."""

import re
import uuid

import pytest

from tests.conftest import csrf_from, login


def form_data(token, **overrides):
    data = {
        "_csrf_token": token,
        "client_request_id": str(uuid.uuid4()),
        "letter_type": "domisili",
        "applicant_nik": "5371045708900003",
        "applicant_name": "Maria Ndun",
        "applicant_address": "Jl. El Tari No. 5",
        "data.keperluan": "Melamar pekerjaan",
        "data.alamat_domisili": "Jl. El Tari No. 5, Oebobo",
        "requirements_checked": ["Surat pengantar RT/RW", "KTP-el asli dan fotokopi"],
    }
    data.update(overrides)
    return data


async def create(client, **overrides):
    page = await client.get("/permohonan/baru/domisili")
    assert page.status_code == 200
    response = await client.post("/permohonan", data=form_data(csrf_from(page.text), **overrides))
    return response


def request_id_from(response) -> int:
    return int(re.search(r"/permohonan/(\d+)/tanda-terima", response.headers["location"]).group(1))


async def test_form_is_rendered_from_the_letter_type(client, staff):
    await login(client, staff.operator)
    page = await client.get("/permohonan/baru/pindah")
    assert page.status_code == 200
    for field in ["data.alamat_tujuan", "data.alasan_pindah", "data.jumlah_pengikut"]:
        assert f'name="{field}"' in page.text
    assert "Kartu Keluarga asli" in page.text  # requirements checklist
    assert re.search(r'name="client_request_id" value="[0-9a-f-]{36}"', page.text)
    assert (await client.get("/permohonan/baru/tidak-ada")).status_code == 404


async def test_create_then_receipt_then_queue(client, staff):
    await login(client, staff.operator)
    response = await create(client, applicant_name="Maria <b>Ndun</b>")
    assert response.status_code == 303
    receipt = await client.get(response.headers["location"])
    assert receipt.status_code == 200
    code = re.search(r"KPG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt.text).group(0)
    assert "<svg" in receipt.text  # the QR to the tracking page
    assert "Maria &lt;b&gt;Ndun&lt;/b&gt;" in receipt.text  # markup shown as text
    queue = await client.get("/permohonan")
    assert queue.headers["content-type"] == "text/html; charset=utf-8"
    assert code in queue.text
    assert "Sedang Diperiksa" in queue.text


async def test_replayed_form_post_creates_one_request(client, staff):
    await login(client, staff.operator)
    page = await client.get("/permohonan/baru/domisili")
    data = form_data(csrf_from(page.text))
    first = await client.post("/permohonan", data=data)
    second = await client.post("/permohonan", data=data)
    assert first.headers["location"] == second.headers["location"]
    conflict = await client.post("/permohonan", data=data | {"notes": "isi lain"})
    assert conflict.status_code == 409
    assert "isi berbeda" in conflict.text


async def test_invalid_form_is_rerendered_with_messages_and_input_kept(client, staff):
    await login(client, staff.operator)
    response = await create(client, applicant_nik="5371043201900001", **{"data.keperluan": ""})
    assert response.status_code == 422
    assert "Tanggal lahir pada NIK" in response.text
    assert "Keperluan wajib diisi." in response.text
    assert 'value="Maria Ndun"' in response.text  # nothing typed is lost
    assert 'value="5371043201900001"' in response.text
    queue = await client.post("/permohonan/daftar", data={"_csrf_token": csrf_from(response.text)})
    assert "0 permohonan" in queue.text


async def test_moves_on_the_request_page(client, staff):
    await login(client, staff.operator)
    rid = request_id_from(await create(client))
    page = await client.get(f"/permohonan/{rid}")
    token = csrf_from(page.text)
    no_reason = await client.post(
        f"/permohonan/{rid}/status", data={"_csrf_token": token, "to": "incomplete", "reason": ""}
    )
    assert no_reason.status_code == 422
    assert "Alasan wajib diisi" in no_reason.text
    moved = await client.post(
        f"/permohonan/{rid}/status",
        data={"_csrf_token": token, "to": "incomplete", "reason": "Pengantar RT belum ada"},
    )
    assert moved.status_code == 303
    page = await client.get(f"/permohonan/{rid}")
    assert "Belum Lengkap" in page.text and "Pengantar RT belum ada" in page.text
    refused = await client.post(
        f"/permohonan/{rid}/status", data={"_csrf_token": token, "to": "collected"}
    )
    assert refused.status_code == 409
    assert "tidak dapat diubah menjadi Sudah Diambil" in refused.text


async def test_stale_page_gets_409(client, staff):
    await login(client, staff.operator)
    rid = request_id_from(await create(client))
    token = csrf_from((await client.get(f"/permohonan/{rid}")).text)
    data = {"_csrf_token": token, "to": "awaiting_signature", "version": "1"}
    assert (await client.post(f"/permohonan/{rid}/status", data=data)).status_code == 303
    stale = await client.post(f"/permohonan/{rid}/status", data=data | {"to": "cancelled"})
    assert stale.status_code == 409
    assert "baru saja diubah" in stale.text


async def test_htmx_search_posts_keep_nik_out_of_urls(client, staff):
    await login(client, staff.operator)
    await create(client)
    page = await client.get("/permohonan")
    assert 'hx-post="/permohonan/daftar"' in page.text
    found = await client.post(
        "/permohonan/daftar",
        data={"_csrf_token": csrf_from(page.text), "q": "5371045708900003"},
        headers={"HX-Request": "true"},
    )
    assert found.status_code == 200
    assert "Maria Ndun" in found.text and "<html" not in found.text


@pytest.mark.parametrize("who", ["camat", "admin"])
async def test_camat_and_admin_read_but_cannot_act(client, staff, who):
    await login(client, staff.operator)
    rid = request_id_from(await create(client))
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    await login(client, getattr(staff, who))
    page = await client.get(f"/permohonan/{rid}")
    assert page.status_code == 200
    assert "Teruskan ke lurah" not in page.text
    token = csrf_from(page.text)
    # The page is open to them (the camat sends back, the admin revokes); the lifecycle
    # refuses the rest in words.
    response = await client.post(
        f"/permohonan/{rid}/status",
        data={"_csrf_token": token, "to": "cancelled", "reason": "x", "confirmed": "1"},
    )
    assert response.status_code == 409 and "tidak dapat mengubah status" in response.text
    assert (await client.get("/permohonan/baru/domisili")).status_code == 403


async def test_request_page_offers_whatsapp_to_the_applicants_number(client, staff):
    await login(client, staff.operator)
    with_phone = request_id_from(await create(client, applicant_phone="0812 3456 7890"))
    page = await client.get(f"/permohonan/{with_phone}")
    link = re.search(r'href="(https://wa\.me/[^"]+)"[^>]*>Kabari lewat WhatsApp', page.text)
    assert link, "no WhatsApp button"
    assert link.group(1).startswith("https://wa.me/6281234567890?text=Halo%20Maria%2C")
    assert "Ndun" not in link.group(1) and "5371045708900003" not in link.group(1)
    without = request_id_from(await create(client))
    assert "Kabari lewat WhatsApp" not in (await client.get(f"/permohonan/{without}")).text
