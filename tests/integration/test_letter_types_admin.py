"""The admin's letter type pages: create, edit, (de)activate; roles, bad input, unknown codes."""

import html
import re

import pytest

from sodamolek.letters import service as letters
from sodamolek.letters.tables import LetterType
from tests.conftest import csrf_from, login

LIST = "/admin/jenis-surat"


def valid_form(**changes) -> dict:
    form = {
        "code": "ahli-waris",
        "name": "Surat Keterangan Ahli Waris",
        "classification_code": "474.4",
        "description": "Menerangkan ahli waris almarhum.",
        "requirements": "Surat pengantar RT/RW\n\nKTP-el ahli waris\n  Akta kematian  ",
        "service_days": "3",
        "cost": "0",
        "validity_days": "",
        "needs_camat": "1",
        "fields-0-name": "nama_almarhum",
        "fields-0-label": "Nama almarhum",
        "fields-0-type": "text",
        "fields-0-required": "1",
        "fields-0-options": "",
        "fields-1-name": "hubungan",
        "fields-1-label": "Hubungan dengan almarhum",
        "fields-1-type": "select",
        "fields-1-options": "Anak, Istri, Suami",
        # an empty row, as the form always offers a few: ignored
        "fields-2-name": "",
        "fields-2-label": "",
        "fields-2-type": "text",
        "fields-2-options": "",
        # The letter's blocks: a paragraph, a table under its own heading, the signature.
        "blocks-0-kind": "paragraph",
        "blocks-0-heading": "",
        "blocks-0-text": "{{ pemohon.nama }} adalah {{ data.hubungan or 'ahli waris' }} dari "
        "{{ data.nama_almarhum }}.",
        "blocks-1-kind": "table",
        "blocks-1-heading": "Yang meninggal:",
        "blocks-1-text": "Nama | {{ data.nama_almarhum }}\r\nNIK | {{ pemohon.nik or '' }}",
        "blocks-2-kind": "signature",
        "blocks-2-heading": "",
        "blocks-2-text": "",
        "blocks-3-kind": "",  # an empty block, as the form always offers one: ignored
        "blocks-3-heading": "",
        "blocks-3-text": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


async def admin_token(client, staff) -> str:
    await login(client, staff.admin)
    return csrf_from((await client.get(LIST)).text)


async def stored(code: str) -> dict | None:
    return await letters.get_letter_type(code)


async def test_admin_creates_a_letter_type(client, staff):
    token = await admin_token(client, staff)
    response = await client.post(LIST, data={**valid_form(), "_csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == f"{LIST}/ahli-waris?tersimpan=1"

    row = await stored("ahli-waris")
    assert row["name"] == "Surat Keterangan Ahli Waris"
    assert row["classification_code"] == "474.4"
    assert row["requirements"] == ["Surat pengantar RT/RW", "KTP-el ahli waris", "Akta kematian"]
    assert row["fields"] == [
        {"name": "nama_almarhum", "label": "Nama almarhum", "type": "text", "required": True},
        {
            "name": "hubungan",
            "label": "Hubungan dengan almarhum",
            "type": "select",
            "required": False,
            "options": ["Anak", "Istri", "Suami"],
        },
    ]
    assert (row["service_days"], row["cost"], row["validity_days"]) == (3, 0, None)
    assert row["needs_camat"] is True and row["is_active"] is True
    assert row["blocks"] == [
        {
            "kind": "paragraph",
            "text": "{{ pemohon.nama }} adalah {{ data.hubungan or 'ahli waris' }} dari "
            "{{ data.nama_almarhum }}.",
        },
        {
            "kind": "table",
            "heading": "Yang meninggal:",
            "rows": [
                {"label": "Nama", "value": "{{ data.nama_almarhum }}"},
                {"label": "NIK", "value": "{{ pemohon.nik or '' }}"},
            ],
        },
        {"kind": "signature"},
    ]

    page = await client.get(response.headers["location"])
    assert "Perubahan tersimpan" in page.text
    # The preview renders the blocks with sample values of every field type.
    assert "Maria Lado adalah Anak dari [Nama almarhum]." in page.text
    assert "<p>Yang meninggal:</p>" in page.text and "5371046506900001" in page.text
    listing = (await client.get(LIST)).text
    assert "Surat Keterangan Ahli Waris" in listing and "3 hari kerja" in listing


async def test_new_type_appears_on_the_counters_list(client, staff):
    token = await admin_token(client, staff)
    await client.post(LIST, data={**valid_form(), "_csrf_token": token})
    assert "ahli-waris" in {t["code"] for t in await letters.list_letter_types()}


async def test_admin_edits_a_letter_type_and_the_code_stays(client, staff):
    token = await admin_token(client, staff)
    page = await client.get(f"{LIST}/domisili")
    assert page.status_code == 200
    assert 'name="code"' not in page.text  # the code is shown, not editable
    assert 'value="alamat_domisili"' in page.text
    form = valid_form(
        code="lain",  # ignored: the code cannot change
        name="Surat Keterangan Domisili (baru)",
        service_days="2",
        cost="10.000",
        validity_days="90",
        needs_camat=None,
    )
    response = await client.post(f"{LIST}/domisili", data={**form, "_csrf_token": token})
    assert response.status_code == 303
    row = await stored("domisili")
    assert row["name"] == "Surat Keterangan Domisili (baru)"
    assert (row["service_days"], row["cost"], row["validity_days"]) == (2, 10_000, 90)
    assert row["needs_camat"] is False
    assert [f["name"] for f in row["fields"]] == ["nama_almarhum", "hubungan"]
    assert await stored("lain") is None


async def test_admin_deactivates_and_reactivates(client, staff):
    token = await admin_token(client, staff)
    response = await client.post(f"{LIST}/sktm/status", data={"aktif": "0", "_csrf_token": token})
    assert response.status_code == 303
    assert (await stored("sktm"))["is_active"] is False
    assert "sktm" not in {t["code"] for t in await letters.list_letter_types()}
    listing = await client.get(response.headers["location"])
    assert "sekarang nonaktif" in listing.text
    assert "Nonaktif" in listing.text

    await client.post(f"{LIST}/sktm/status", data={"aktif": "1", "_csrf_token": token})
    assert (await stored("sktm"))["is_active"] is True


async def test_editing_keeps_the_active_flag(client, staff):
    token = await admin_token(client, staff)
    await client.post(f"{LIST}/sktm/status", data={"aktif": "0", "_csrf_token": token})
    await client.post(f"{LIST}/sktm", data={**valid_form(), "_csrf_token": token})
    assert (await stored("sktm"))["is_active"] is False


async def test_list_shows_every_type_with_its_rules(client, staff):
    await admin_token(client, staff)
    page = (await client.get(LIST)).text
    for item in letters.default_catalogue():
        assert html.escape(item["name"]) in page
        assert f'action="{LIST}/{item["code"]}/status"' in page
    assert "Perlu" in page  # pindah needs the camat
    assert "Gratis" in page


async def test_admin_nav_links_to_letter_types(client, staff):
    await login(client, staff.admin)
    assert f'href="{LIST}"' in (await client.get("/")).text
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    await login(client, staff.operator)
    assert f'href="{LIST}"' not in (await client.get("/")).text


# --- Bad input: 422, every message by its field, what was typed kept, nothing written ---------


async def _all_rows() -> list[dict]:
    return await LetterType.select().order_by(LetterType.id)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "Ahli Waris"}, "code", "huruf kecil, angka atau tanda hubung"),
        ({"code": "x"}, "code", "2–32 karakter"),
        ({"code": "domisili"}, "code", "sudah dipakai"),
        ({"code": "baru"}, "code", "dipakai oleh sistem"),
        ({"name": "  "}, "name", "Wajib diisi"),
        ({"classification_code": "47a"}, "classification_code", "contoh: 470 atau 474.2"),
        ({"service_days": "0"}, "service_days", "1–60"),
        ({"service_days": "61"}, "service_days", "1–60"),
        ({"service_days": "dua"}, "service_days", "1–60"),
        ({"cost": "-5"}, "cost", "0 (gratis) atau lebih"),
        ({"validity_days": "3651"}, "validity_days", "1–3650"),
        ({"requirements": "\n  \n"}, "requirements", "paling sedikit satu persyaratan"),
        ({"fields-0-name": "Nama Almarhum"}, "fields.0.name", "huruf kecil, angka atau garis"),
        ({"fields-1-name": "nama_almarhum"}, "fields.1.name", "sudah dipakai di baris lain"),
        ({"fields-0-label": ""}, "fields.0.label", "Wajib diisi"),
        ({"fields-0-type": "file"}, "fields.0.type", "Pilih jenis isian"),
        ({"fields-1-options": " , "}, "fields.1.options", "paling sedikit satu pilihan"),
        (
            {"blocks-0-text": "{{ data.alamat }}"},
            "blocks",
            "Blok 1 (Paragraf): baris 1: data.alamat: “alamat” bukan isian jenis surat ini",
        ),
        ({"blocks-0-text": "{{ rahasia }}"}, "blocks", "variabel “rahasia” tidak dikenal"),
        ({"blocks-0-text": "{% if %}"}, "blocks", "baris 1: susunan templat salah"),
        (
            {"blocks-1-text": "Nama | {{ 10**5000 }}"},
            "blocks",
            "Blok 2 (Tabel “Yang meninggal:”), baris 1, isi: baris 1: pangkat (**)",
        ),
        ({"blocks-1-text": "Nama | {{ pemohon.nama * 20000000 }}"}, "blocks", "perkalian (*)"),
        ({"blocks-2-kind": ""}, "blocks", "Blok tanda tangan harus ada tepat satu"),
    ],
)
async def test_invalid_create_is_422_with_the_message_by_its_field(
    client, staff, changes, field, message
):
    token = await admin_token(client, staff)
    before = await _all_rows()
    form = valid_form(**changes)
    response = await client.post(LIST, data={**form, "_csrf_token": token})
    assert response.status_code == 422
    error = re.search(
        rf'<p class="field-error" id="err-{re.escape(_dom_id(field))}">([^<]*)</p>', response.text
    )
    if field == "blocks":  # one line per problem, each naming its block and line
        error = re.search(
            r'<ul class="field-error" id="err-blocks">(.*?)</ul>', response.text, re.S
        )
    assert error, f"no message next to {field}"
    assert message in html.unescape(error[1])
    # Everything typed comes back, and nothing was written.
    assert html.escape(form["name"]) in response.text
    assert html.escape(form["blocks-0-text"][:40]) in response.text
    assert "Nama | {{ data.nama_almarhum }}" in response.text
    assert await _all_rows() == before


def _dom_id(field: str) -> str:
    # Row errors sit under the row's input: fields.1.name -> fields-1-name
    return field.replace(".", "-") if field.startswith("fields.") else field


async def test_several_errors_show_together(client, staff):
    token = await admin_token(client, staff)
    form = valid_form(name="", cost="gratis", **{"fields-0-label": ""})
    response = await client.post(LIST, data={**form, "_csrf_token": token})
    assert response.status_code == 422
    for dom_id in ("name", "cost", "fields-0-label"):
        assert f'id="err-{dom_id}"' in response.text
    assert "Ada 3 isian yang belum benar" in response.text
    assert 'value="gratis"' in response.text  # typed values are kept


async def test_invalid_edit_is_422_and_changes_nothing(client, staff):
    token = await admin_token(client, staff)
    before = await stored("domisili")
    form = valid_form(name="Nama baru", **{"blocks-0-text": "{{ data.tidak_ada }}"})
    response = await client.post(f"{LIST}/domisili", data={**form, "_csrf_token": token})
    assert response.status_code == 422
    assert "“tidak_ada” bukan isian jenis surat ini" in html.unescape(response.text)
    assert 'value="Nama baru"' in response.text
    assert await stored("domisili") == before


async def test_markup_typed_by_the_admin_is_shown_as_text(client, staff):
    token = await admin_token(client, staff)
    form = valid_form(
        name="<script>alert(1)</script>",
        **{"blocks-0-text": "<b>{{ pemohon.nama }}</b> {{ data.nama_almarhum }}"},
    )
    await client.post(LIST, data={**form, "_csrf_token": token})
    page = (await client.get(f"{LIST}/ahli-waris")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    preview = re.search(r'<div class="letter-preview" id="pratinjau-isi">(.*?)</div>', page, re.S)[
        1
    ]
    assert "<p>&lt;b&gt;Maria Lado&lt;/b&gt; [Nama almarhum]</p>" in preview


async def test_status_needs_a_clear_choice(client, staff):
    token = await admin_token(client, staff)
    response = await client.post(f"{LIST}/sktm/status", data={"aktif": "ya", "_csrf_token": token})
    assert response.status_code == 422
    assert (await stored("sktm"))["is_active"] is True


async def test_htmx_adds_a_field_row_with_the_next_button(client, staff):
    await admin_token(client, staff)
    response = await client.get(f"{LIST}/baris/7", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'name="fields-7-name"' in response.text
    assert 'hx-get="/admin/jenis-surat/baris/8"' in response.text
    assert "<html" not in response.text
    assert (await client.get(f"{LIST}/baris/100")).status_code == 404


async def test_form_offers_empty_rows_and_an_add_button(client, staff):
    await admin_token(client, staff)
    page = (await client.get(f"{LIST}/baru")).text
    assert all(f'name="fields-{i}-name"' in page for i in range(3))
    assert 'hx-get="/admin/jenis-surat/baris/3"' in page
    edit = (await client.get(f"{LIST}/kelahiran")).text  # 11 fields + 3 empty rows
    assert 'name="fields-13-name"' in edit and 'hx-get="/admin/jenis-surat/baris/14"' in edit
    assert 'value="Laki-laki, Perempuan"' in edit
    # Its 8 blocks, then empty ones to add a block without script; a new type starts from the
    # usual shape of a surat keterangan.
    assert 'name="blocks-7-kind"' in edit and 'name="blocks-9-kind"' in edit
    assert "Telah lahir seorang anak:" in edit
    new = (await client.get(f"{LIST}/baru")).text
    assert "menerangkan bahwa:" in new and '<option value="signature" selected>' in new


async def test_letter_type_pages_have_no_inline_script_or_style(client, staff):
    await admin_token(client, staff)
    for path in [LIST, f"{LIST}/baru", f"{LIST}/pindah", f"{LIST}/baris/3"]:
        page = (await client.get(path)).text
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page)), path
        assert not re.search(r"<[^>]+ (on[a-z]+|style)=", page), path


# --- Unknown codes and roles --------------------------------------------------------------------


async def test_unknown_code_is_404_everywhere(client, staff):
    token = await admin_token(client, staff)
    assert (await client.get(f"{LIST}/tidak-ada")).status_code == 404
    response = await client.post(f"{LIST}/tidak-ada", data={**valid_form(), "_csrf_token": token})
    assert response.status_code == 404
    assert "Jenis surat tidak ditemukan" in response.text
    response = await client.post(
        f"{LIST}/tidak-ada/status", data={"aktif": "0", "_csrf_token": token}
    )
    assert response.status_code == 404
    assert await stored("tidak-ada") is None


ROUTES = [
    ("GET", LIST),
    ("GET", f"{LIST}/baru"),
    ("POST", LIST),
    ("GET", f"{LIST}/baris/3"),
    ("GET", f"{LIST}/domisili"),
    ("POST", f"{LIST}/domisili"),
    ("POST", f"{LIST}/domisili/status"),
]


@pytest.mark.parametrize("who", ["operator", "lurah", "camat"])
async def test_staff_who_are_not_admin_get_403_on_every_route(client, staff, who):
    await login(client, getattr(staff, who))
    token = csrf_from((await client.get("/")).text)
    before = await _all_rows()
    for method, path in ROUTES:
        if method == "GET":
            response = await client.get(path)
        else:
            data = {**valid_form(), "aktif": "0", "_csrf_token": token}
            response = await client.post(path, data=data)
        assert response.status_code == 403, (method, path)
        assert "Akses ditolak" in response.text
    assert await _all_rows() == before


async def test_anonymous_is_sent_to_login(client):
    response = await client.get(f"{LIST}/domisili")
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/masuk")


# --- The service functions other parts call -----------------------------------------------------


def service_input(**changes) -> letters.LetterTypeInput:
    values = {
        "code": "ahli-waris",
        "name": "Surat Keterangan Ahli Waris",
        "classification_code": "474.4",
        "requirements": ["Surat pengantar RT/RW"],
        "fields": [letters.FieldInput("hubungan", "Hubungan", "text", True)],
        "blocks": [
            {"kind": "paragraph", "text": "{{ pemohon.nama }}, {{ data.hubungan }}"},
            {"kind": "signature"},
        ],
    }
    return letters.LetterTypeInput(**{**values, **changes})


async def test_service_create_then_read_back(app):
    new_id = await letters.create_letter_type(service_input(validity_days="30"))
    row = await letters.get_letter_type("ahli-waris")
    assert row["id"] == new_id and row["validity_days"] == 30 and row["is_active"] is True
    assert row["fields"] == [
        {"name": "hubungan", "label": "Hubungan", "type": "text", "required": True}
    ]
    assert await letters.get_letter_type("tidak-ada") is None


async def test_service_refuses_a_taken_code_even_when_two_race(app):
    import asyncio

    results = await asyncio.gather(
        letters.create_letter_type(service_input()),
        letters.create_letter_type(service_input(description="kedua")),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 1
    refused = [r for r in results if isinstance(r, letters.LetterTypeError)]
    assert len(refused) == 1 and "sudah dipakai" in refused[0].errors["code"]
    assert await LetterType.count().where(LetterType.code == "ahli-waris") == 1


async def test_service_update_keeps_the_code(app):
    with pytest.raises(letters.LetterTypeError) as caught:
        await letters.update_letter_type("domisili", service_input(code="domisili-baru"))
    assert caught.value.errors == {"code": "Kode tidak dapat diubah setelah jenis surat dibuat."}
    assert await letters.get_letter_type("domisili-baru") is None
    await letters.update_letter_type("domisili", service_input(code="domisili"))
    assert (await letters.get_letter_type("domisili"))["name"] == "Surat Keterangan Ahli Waris"


async def test_service_unknown_code(app):
    with pytest.raises(letters.LetterTypeNotFound):
        await letters.update_letter_type("tidak-ada", service_input(code="tidak-ada"))
    with pytest.raises(letters.LetterTypeNotFound):
        await letters.set_letter_type_active("tidak-ada", False)
    assert await stored("tidak-ada") is None


async def test_stored_catalogue_passes_every_rule(app):
    for row in await letters.list_letter_types(active_only=False):
        letters.clean_letter_type(letters.LetterTypeInput.from_dict(row))


# --- The live preview -----------------------------------------------------------------------------


async def test_live_preview_follows_what_is_typed(client, staff):
    token = await admin_token(client, staff)
    form = {**valid_form(), "_csrf_token": token}
    response = await client.post(f"{LIST}/pratinjau", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "Maria Lado adalah Anak dari [Nama almarhum]." in response.text
    assert "<p>Yang meninggal:</p>" in response.text
    # A problem is named with its block and line, never a 500.
    for text, message in (
        ("Nama | {{ 10**5000 }}", "pangkat (**)"),
        ("Nama | {{ pemohon.nama * 20000000 }}", "perkalian (*)"),
        ("Nama | {{ data.tidak_ada }}", "“tidak_ada” bukan isian jenis surat ini"),
    ):
        bad = {**form, "blocks-1-text": text}
        response = await client.post(f"{LIST}/pratinjau", data=bad)
        assert response.status_code == 200
        problems = html.unescape(response.text)
        assert "Blok 2 (Tabel “Yang meninggal:”), baris 1, isi" in problems and message in problems


async def test_preview_as_pdf(client, staff):
    from tests.unit.test_letter_pdf import text_of

    token = await admin_token(client, staff)
    form = {**valid_form(), "_csrf_token": token}
    response = await client.post(f"{LIST}/pratinjau.pdf", data=form)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = text_of(response.content)
    assert "SURAT KETERANGAN AHLI WARIS" in text and "PRATINJAU" in text
    assert text.index("Yang meninggal:") < text.index(
        "[Nama almarhum]", text.index("Yang meninggal:")
    )
    bad = await client.post(f"{LIST}/pratinjau.pdf", data={**form, "blocks-0-text": "{{ x }}"})
    assert bad.status_code == 422 and "variabel “x” tidak dikenal" in html.unescape(bad.text)


async def test_only_the_admin_previews(client, staff):
    await login(client, staff.operator)
    token = csrf_from((await client.get("/permohonan")).text)
    response = await client.post(f"{LIST}/pratinjau", data={**valid_form(), "_csrf_token": token})
    assert response.status_code in (401, 403)
