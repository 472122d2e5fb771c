"""/ajukan: a resident applies from home. Identified by NIK, KK and birth date against the
registry (local table and the HTTP client), photos checked by content and re-encoded, stored by
hash in the data folder and seen only by the office's staff; bad input refused in Indonesian
with nothing stored."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import httpx
import pytest

from sodamolek.attachments import service as attachments
from sodamolek.attachments.tables import Attachment
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.residents import service as residents_service
from tests import images
from tests.conftest import csrf_from, login

NO_MATCH = residents_service.NO_MATCH


@pytest.fixture
async def person(app) -> dict:
    """A resident of the local registry, with the office they live in."""
    from sodamolek.people.service import seed_demo_residents
    from sodamolek.people.tables import Resident
    from sodamolek.regions.tables import Kelurahan

    await seed_demo_residents(10)
    row = await Resident.select().order_by(Resident.id).first()
    office = await Kelurahan.select().where(Kelurahan.id == row["kelurahan"]).first()
    return row | {"office_code": office["code"], "office_id": office["id"]}


def identity(person: dict, **overrides) -> dict:
    birth = person["birth_date"]
    birth = birth.date() if isinstance(birth, dt.datetime) else birth
    return {
        "nik": person["nik"],
        "kk": person["kk"],
        "tanggal_lahir": birth.isoformat(),
        "applicant_phone": "0812 3456 7890",
        "data.keperluan": "Melamar pekerjaan",
        "data.alamat_domisili": "Jl. El Tari No. 5",
    } | overrides


async def apply(client, form: dict, files=None, code: str = "domisili") -> httpx.Response:
    page = await client.get(f"/ajukan/{code}")
    assert page.status_code == 200
    client_id = re.search(r'name="client_request_id" value="([0-9a-f-]{36})"', page.text)
    data = {"_csrf_token": csrf_from(page.text), "client_request_id": client_id.group(1)}
    return await client.post(f"/ajukan/{code}", data=data | form, files=files or {})


def photo(name: str = "ktp.jpg", data: bytes | None = None, index: int = 0):
    return (
        f"foto_{index}",
        (name, data if data is not None else images.photo_with_gps(), "image/jpeg"),
    )


async def stored_files(settings) -> list:
    folder = settings.data_dir / attachments.FOLDER
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def nothing_stored(settings) -> bool:
    return (
        await LetterRequest.count() == 0
        and await Attachment.count() == 0
        and await stored_files(settings) == []
    )


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_pages_offer_every_type_and_a_camera_input_per_requirement(client):
    choose = await client.get("/ajukan")
    assert choose.status_code == 200
    assert 'href="/ajukan/domisili"' in choose.text and 'href="/ajukan/sktm"' in choose.text
    form = await client.get("/ajukan/domisili")
    assert form.headers["cache-control"] == "no-store"
    assert 'enctype="multipart/form-data"' in form.text
    inputs = re.findall(r'<input id="foto-\d" name="foto_\d" type="file"[^>]*>', form.text)
    assert len(inputs) == 3  # domisili's three requirements
    assert all('accept="image/*" capture="environment" data-shrink' in i for i in inputs)
    assert "photo-shrink" in form.text
    for name in ("nik", "kk", "tanggal_lahir", "applicant_phone", "data.keperluan"):
        assert f'name="{name}"' in form.text
    assert (await client.get("/ajukan/tidak-ada")).status_code == 404


async def test_apply_with_a_gps_photo_lands_in_the_office_queue_without_exif(
    client, app, staff, person, settings
):
    original = images.photo_with_gps()
    assert images.has_gps(original)
    response = await apply(client, identity(person), files=[photo(data=original)])
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    code = re.fullmatch(r"/lacak/(KPG-[0-9A-Z-]+)\?baru=1", location).group(1)

    request = await LetterRequest.select().first()
    assert request["channel"] == "resident"
    assert request["kelurahan"] == person["office_id"]
    assert request["applicant_name"] == person["name"]
    assert request["applicant_verified"] is True
    assert request["applicant_phone"] == "081234567890"
    assert request["created_by"] is None

    [row] = await Attachment.select()
    assert row["media_type"] == "image/jpeg" and row["channel"] == "resident"
    assert max(row["width"], row["height"]) == 1600
    [path] = await stored_files(settings)
    assert path.name == row["sha256"] and path.parent.name == row["sha256"][:2]
    stored = path.read_bytes()
    assert not images.has_gps(stored)
    assert images.CAMERA.encode() not in stored and b"GPS" not in stored
    assert len(stored) <= attachments.TARGET_BYTES

    tracking = await client.get(location)
    assert tracking.status_code == 200
    assert code in tracking.text and "sudah masuk ke antrean" in tracking.text
    assert 'id="notifikasi"' in tracking.text  # push offered at once
    assert person["name"] not in tracking.text and person["nik"] not in tracking.text

    # The office's operator: marked in the queue, the photo on the request page, no-store.
    from sodamolek.accounts.service import create_account

    await create_account(
        username="op.rumah",
        full_name="Operator Rumah",
        role="operator",
        password="kata-sandi-uji-123",
        kelurahan=person["office_code"],
    )
    await login(client, "op.rumah", "kata-sandi-uji-123")
    queue = await client.get("/permohonan")
    assert code in queue.text and "Diajukan warga" in queue.text
    detail = await client.get(f"/permohonan/{request['id']}")
    link = f"/permohonan/{request['id']}/lampiran/{row['id']}"
    assert link in detail.text and "dari warga" in detail.text
    served = await client.get(link)
    assert served.status_code == 200 and served.content == stored
    assert served.headers["cache-control"] == "no-store"
    assert served.headers["content-type"] == "image/jpeg"
    assert "sandbox" in served.headers["content-security-policy"]


async def test_attachments_are_hidden_from_other_offices_and_the_public(
    client, app, staff, person, settings
):
    await apply(client, identity(person), files=[photo()])
    request = await LetterRequest.select().first()
    row = await Attachment.select().first()
    link = f"/permohonan/{request['id']}/lampiran/{row['id']}"
    anonymous = await client.get(link)
    assert anonymous.status_code in (302, 303, 401) and not anonymous.content.startswith(b"\xff")
    other = staff.other_operator if person["office_code"] != "53.71.01.1001" else staff.operator
    await login(client, other)
    refused = await client.get(link)
    assert refused.status_code == 404 and not refused.content.startswith(b"\xff\xd8")
    # No URL under /static or elsewhere serves the file by its hash.
    assert (await client.get(f"/static/{row['sha256']}")).status_code == 404


@pytest.mark.parametrize(
    "wrong",
    [
        {"kk": "5371040101200001"},  # another KK
        {"tanggal_lahir": "1990-01-01"},  # another birth date
        {"nik": "5371010101990001", "kk": "5371010101200001"},  # not registered
    ],
    ids=["kk", "birth-date", "unknown-nik"],
)
async def test_a_mismatch_gets_one_refusal_that_reveals_nothing(client, person, settings, wrong):
    response = await apply(client, identity(person, **wrong), files=[photo()])
    assert response.status_code == 422
    assert NO_MATCH in response.text
    assert person["name"] not in response.text
    assert await nothing_stored(settings)
    assert 'value="Melamar pekerjaan"' in response.text  # what was typed is kept


async def test_shape_errors_are_named_beside_their_field(client, person, settings):
    response = await apply(
        client, identity(person, nik="12345", kk="abc", tanggal_lahir="", applicant_phone="")
    )
    assert response.status_code == 422
    assert "NIK harus 16 angka" in response.text
    assert "Nomor KK harus 16 angka" in response.text
    assert "Isi tanggal lahir" in response.text
    assert "Nomor HP wajib diisi" in response.text
    bad_phone = await apply(client, identity(person, applicant_phone="12345"))
    assert "Nomor HP tidak sah" in bad_phone.text
    missing_field = await apply(client, identity(person, **{"data.keperluan": ""}))
    assert missing_field.status_code == 422 and "Keperluan wajib diisi." in missing_field.text
    assert await nothing_stored(settings)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("ktp.jpg", images.SCRIPT_AS_JPG, "bukan foto (JPEG, PNG, WebP) atau PDF"),
        ("kk.pdf", images.pdf_html_polyglot(), "bukan foto (JPEG, PNG, WebP) atau PDF"),
        ("kk.pdf", images.pdf_with_javascript(), "berisi skrip"),
        ("bom.png", images.decompression_bomb(), "terlalu besar (lebih dari 40 juta piksel)"),
        ("rusak.jpg", images.photo_with_gps()[:2000], "tidak dapat dibaca sebagai foto"),
        ("kosong.jpg", b"", "berkasnya kosong"),
    ],
    ids=["script-as-jpg", "html-pdf-polyglot", "pdf-javascript", "bomb", "truncated", "empty"],
)
async def test_files_that_lie_are_refused_and_nothing_is_stored(
    client, person, settings, name, data, words
):
    response = await apply(client, identity(person), files=[photo(name, data)])
    assert response.status_code == 422
    assert "Surat pengantar RT/RW" in response.text and words in response.text
    assert "<script>alert" not in response.text
    assert await nothing_stored(settings)


async def test_a_jpeg_polyglot_is_stored_as_a_clean_new_jpeg(client, person, settings):
    polyglot = photo("x.jpg", images.jpeg_with_payload())
    response = await apply(client, identity(person), files=[polyglot])
    assert response.status_code == 303
    [path] = await stored_files(settings)
    stored = path.read_bytes()
    assert stored.startswith(b"\xff\xd8") and stored.rstrip(b"\x00").endswith(b"\xff\xd9")
    for payload in (b"<script", b"<html", b"evil.php", b"<?php", images.CAMERA.encode()):
        assert payload not in stored


async def test_a_plain_pdf_and_a_png_are_kept(client, person, settings):
    png = images.photo_with_gps(800, 600, "PNG")
    response = await apply(
        client,
        identity(person),
        files=[
            ("foto_0", ("pengantar.pdf", images.plain_pdf(), "application/pdf")),
            ("foto_1", ("ktp.png", png, "image/png")),
        ],
    )
    assert response.status_code == 303
    rows = await Attachment.select().order_by(Attachment.id)
    assert [r["media_type"] for r in rows] == ["application/pdf", "image/jpeg"]
    assert [r["requirement"] for r in rows] == ["Surat pengantar RT/RW", "KTP-el asli dan fotokopi"]


async def test_a_50_mb_upload_is_refused_at_the_door(client, person, settings):
    huge = b"\xff\xd8\xff\xe0" + b"\x00" * (50 * 1024 * 1024)
    response = await apply(client, identity(person), files=[photo("besar.jpg", huge)])
    assert response.status_code == 413
    assert "Data terlalu besar" in response.text
    assert await nothing_stored(settings)


async def test_a_file_over_the_per_file_limit_is_named(client, person, settings):
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (attachments.MAX_FILE_BYTES + 10)
    response = await apply(client, identity(person), files=[photo("besar.jpg", big)])
    assert response.status_code == 422
    assert "terlalu besar (paling besar 5 MB)" in response.text
    assert await nothing_stored(settings)


async def test_a_flood_from_one_address_is_stopped(app, person, settings):
    async with client_at(app, "198.51.100.20") as flood:
        answers = []
        for _ in range(residents_service.ADDRESS_LIMIT.hits + 1):
            # Another NIK each time (the per-NIK limit is not what stops it here).
            wrong = identity(person, nik=person["nik"][:12] + f"{9000 + len(answers):04d}")
            answers.append(await apply(flood, wrong))
    assert [a.status_code for a in answers[:-1]] == [422] * residents_service.ADDRESS_LIMIT.hits
    assert answers[-1].status_code == 429
    assert "Terlalu banyak pengajuan" in answers[-1].text
    assert int(answers[-1].headers["retry-after"]) > 0
    assert await nothing_stored(settings)
    async with client_at(app, "198.51.100.21") as neighbour:  # another address goes on
        assert (await apply(neighbour, identity(person))).status_code == 303


async def test_guessing_one_nik_from_many_addresses_is_stopped(app, person, settings):
    statuses = []
    for n in range(residents_service.NIK_LIMIT.hits + 1):
        async with client_at(app, f"198.51.100.{100 + n}") as guesser:
            response = await apply(guesser, identity(person, tanggal_lahir=f"1980-01-{n + 1:02d}"))
            statuses.append(response.status_code)
    assert statuses == [422] * residents_service.NIK_LIMIT.hits + [429]
    assert await nothing_stored(settings)
    from sodamolek.core import ratelimit
    from sodamolek.core.tables import RateLimitWindow

    if settings.engine == "sqlite":  # the counts live in a side file beside the database
        side = ratelimit.side_file(str(settings.sqlite_path))
        keys = [row[0] for row in side.execute("SELECT key FROM rate_limit_window")]
    else:
        keys = [r["key"] for r in await RateLimitWindow.select(RateLimitWindow.key)]
    assert keys and not any(person["nik"] in key for key in keys)  # the counts hold no NIK


async def test_the_registry_down_keeps_the_form(app, client, person, settings):
    from sodamolek.people.registry import RegistryUnavailable

    class Down:
        async def lookup(self, nik):
            raise RegistryUnavailable()

        async def aclose(self):
            return None

    app.state.registry = Down()
    response = await apply(client, identity(person))
    assert response.status_code == 503
    assert "tidak dapat dihubungi" in response.text
    assert 'value="Melamar pekerjaan"' in response.text
    assert await nothing_stored(settings)


async def test_through_the_http_registry_and_the_fake_service(app, client, settings):
    from sodamolek.people.fake_registry import create_fake_registry, demo_people
    from sodamolek.people.registry import HttpRegistry

    app.state.registry = HttpRegistry(
        "http://fake", "u", "p", transport=httpx.ASGITransport(app=create_fake_registry("u", "p"))
    )
    someone = demo_people(5)[1]
    try:
        good = await apply(client, identity(someone))
        bad = await apply(client, identity(someone, tanggal_lahir="1950-05-05"))
    finally:
        await app.state.registry.aclose()
    assert good.status_code == 303, good.text
    assert bad.status_code == 422 and NO_MATCH in bad.text
    request = await LetterRequest.select().first()
    assert request["applicant_nik"] == someone["nik"] and request["channel"] == "resident"


async def test_the_same_form_sent_twice_is_one_request_with_one_photo(client, person, settings):
    page = await client.get("/ajukan/domisili")
    form = {"_csrf_token": csrf_from(page.text), "client_request_id": str(uuid.uuid4())}
    form |= identity(person)
    first = await client.post("/ajukan/domisili", data=form, files=[photo()])
    second = await client.post("/ajukan/domisili", data=form, files=[photo()])
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await LetterRequest.count() == 1 and await Attachment.count() == 1


async def test_without_csrf_token_nothing_is_taken(client, person, settings):
    await client.get("/ajukan/domisili")
    response = await client.post("/ajukan/domisili", data=identity(person), files=[photo()])
    assert response.status_code == 403
    assert await nothing_stored(settings)


async def test_the_operator_attaches_photos_at_the_counter(app, client, staff, settings):
    from tests.integration.test_request_views import create, request_id_from

    await login(client, staff.operator)
    request_id = request_id_from(await create(client))
    page = await client.get(f"/permohonan/{request_id}")
    assert 'capture="environment"' in page.text and "Tambah foto persyaratan" in page.text
    token = csrf_from(page.text)
    refused = await client.post(
        f"/permohonan/{request_id}/lampiran",
        data={"_csrf_token": token},
        files=[photo("ktp.jpg", images.SCRIPT_AS_JPG, index=1)],
    )
    assert refused.status_code == 422 and "bukan foto" in refused.text
    assert await Attachment.count() == 0
    saved = await client.post(
        f"/permohonan/{request_id}/lampiran",
        data={"_csrf_token": token},
        files=[photo(index=1)],
    )
    assert saved.status_code == 303
    [row] = await Attachment.select()
    assert row["channel"] == "counter" and row["requirement"] == "KTP-el asli dan fotokopi"
    assert not images.has_gps((await stored_files(settings))[0].read_bytes())
    async with client_at(app, "203.0.113.8") as elsewhere:
        await login(elsewhere, staff.other_operator)
        page = await elsewhere.get("/permohonan/baru/domisili")
        other = await elsewhere.post(
            f"/permohonan/{request_id}/lampiran",
            data={"_csrf_token": csrf_from(page.text)},
            files=[photo(index=1)],
        )
    assert other.status_code == 404
    assert await Attachment.count() == 1


async def test_the_camat_and_the_city_see_that_there_are_photos_not_the_photos(
    app, client, staff, settings
):
    from tests.integration.test_request_views import create, request_id_from

    await login(client, staff.operator)
    request_id = request_id_from(await create(client))
    page = await client.get(f"/permohonan/{request_id}")
    await client.post(
        f"/permohonan/{request_id}/lampiran",
        data={"_csrf_token": csrf_from(page.text)},
        files=[photo(index=1)],
    )
    [row] = await Attachment.select()
    link = f"/permohonan/{request_id}/lampiran/{row['id']}"
    assert (await client.get(link)).status_code == 200
    for who, address in ((staff.camat, "203.0.113.30"), (staff.admin, "203.0.113.31")):
        async with client_at(app, address) as overview:
            await login(overview, who)
            detail = await overview.get(f"/permohonan/{request_id}")
            assert detail.status_code == 200 and "KTP-el asli dan fotokopi" in detail.text
            assert link not in detail.text
            refused = await overview.get(link)
            assert refused.status_code == 403 and not refused.content.startswith(b"\xff\xd8")
