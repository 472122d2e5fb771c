"""Letter type rules, template checks and rendering, and a request's type-specific answers."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sodamolek.letters.blocks import body_text
from sodamolek.letters.service import (
    FieldInput,
    LetterTemplateError,
    LetterTypeError,
    LetterTypeInput,
    MissingTemplateValue,
    clean_letter_type,
    default_catalogue,
    preview_letter_body,
    render_letter_body,
    render_text,
    template_problems,
    validate_request_data,
)


def body(text: str) -> list[dict]:
    """Blocks of one paragraph and the signature."""
    return [{"kind": "paragraph", "text": text}, {"kind": "signature"}]


def valid_input(**changes) -> LetterTypeInput:
    base = LetterTypeInput(
        code="ahli-waris",
        name="Surat Keterangan Ahli Waris",
        classification_code="474.4",
        requirements=["Surat pengantar RT/RW", "KTP-el"],
        fields=[
            FieldInput("nama_almarhum", "Nama almarhum", "text", True),
            FieldInput("hubungan", "Hubungan", "select", True, ["Anak", "Istri"]),
        ],
        blocks=body("{{ pemohon.nama }} {{ data.hubungan or '' }} {{ data.nama_almarhum }}"),
        service_days=3,
        cost=0,
        validity_days=None,
        needs_camat=False,
    )
    return replace(base, **changes)


def errors_of(data: LetterTypeInput) -> dict[str, str]:
    with pytest.raises(LetterTypeError) as caught:
        clean_letter_type(data)
    assert isinstance(caught.value, ValueError)
    return caught.value.errors


def test_a_valid_type_is_cleaned_into_column_values():
    values = clean_letter_type(
        valid_input(
            name="  Surat   Ahli Waris ",
            requirements=["  KTP-el ", "", "   ", "KK"],
            fields=[
                FieldInput("nama_almarhum", " Nama  almarhum ", "text", True, ["dibuang"]),
                FieldInput("", "", "text", False, [""]),  # an empty form row
                FieldInput("hubungan", "Hubungan", "select", False, [" Anak ", "Istri", " "]),
            ],
            service_days="2",
            cost="15.000",
            validity_days="",
        )
    )
    assert values["name"] == "Surat Ahli Waris"
    assert values["requirements"] == ["KTP-el", "KK"]
    assert values["fields"] == [
        {"name": "nama_almarhum", "label": "Nama almarhum", "type": "text", "required": True},
        {
            "name": "hubungan",
            "label": "Hubungan",
            "type": "select",
            "required": False,
            "options": ["Anak", "Istri"],
        },
    ]
    assert (values["service_days"], values["cost"], values["validity_days"]) == (2, 15_000, None)


@pytest.mark.parametrize("code", ["ab", "a" * 32, "sk-123", "domisili-2"])
def test_good_codes(code):
    assert clean_letter_type(valid_input(code=code))["code"] == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Wajib diisi"),
        ("a", "2–32 karakter"),
        ("a" * 33, "2–32 karakter"),
        ("Domisili", "huruf kecil"),
        ("surat_domisili", "huruf kecil"),
        ("surat domisili", "huruf kecil"),
        ("baru", "dipakai oleh sistem"),
        ("baris", "dipakai oleh sistem"),
    ],
)
def test_bad_codes(code, message):
    assert message in errors_of(valid_input(code=code))["code"]


def test_name_is_required_and_limited():
    assert errors_of(valid_input(name="   "))["name"] == "Wajib diisi."
    assert "150" in errors_of(valid_input(name="x" * 151))["name"]


@pytest.mark.parametrize("code", ["470", "474.2", "503.1.2", "0"])
def test_good_classification_codes(code):
    assert clean_letter_type(valid_input(classification_code=code))["classification_code"] == code


@pytest.mark.parametrize("code", ["", "47a", "470.", ".470", "4 70", "474,2", "1.2.3.4.5.6.7.8.9"])
def test_bad_classification_codes(code):
    assert "classification_code" in errors_of(valid_input(classification_code=code))


@pytest.mark.parametrize(
    ("days", "ok"),
    [
        (1, True),
        (60, True),
        ("7", True),
        (0, False),
        (61, False),
        ("", False),
        ("satu", False),
        ("1,5", False),
        (True, False),
        ("-3", False),
    ],
)
def test_service_days_between_1_and_60(days, ok):
    data = valid_input(service_days=days)
    if ok:
        assert clean_letter_type(data)["service_days"] == int(days)
    else:
        assert "1–60" in errors_of(data)["service_days"]


@pytest.mark.parametrize(
    ("cost", "expected"),
    [(0, 0), ("0", 0), ("25000", 25_000), ("1.500.000", 1_500_000), ("10 000", 10_000)],
)
def test_cost_in_rupiah(cost, expected):
    assert clean_letter_type(valid_input(cost=cost))["cost"] == expected


@pytest.mark.parametrize("cost", [-1, "-500", "1,5", "Rp 5000", "gratis", "1.50", 10**9])
def test_bad_cost(cost):
    assert "rupiah" in errors_of(valid_input(cost=cost))["cost"]


@pytest.mark.parametrize(
    ("days", "expected"), [(None, None), ("", None), ("  ", None), (1, 1), ("3650", 3650)]
)
def test_validity_empty_or_1_to_3650(days, expected):
    assert clean_letter_type(valid_input(validity_days=days))["validity_days"] == expected


@pytest.mark.parametrize("days", [0, 3651, "setahun", "-1"])
def test_bad_validity(days):
    assert "1–3650" in errors_of(valid_input(validity_days=days))["validity_days"]


@pytest.mark.parametrize("requirements", [[], [""], ["  ", "\t"]])
def test_at_least_one_requirement(requirements):
    assert (
        "paling sedikit satu" in errors_of(valid_input(requirements=requirements))["requirements"]
    )


def test_requirement_lines_are_limited():
    assert "200" in errors_of(valid_input(requirements=["x" * 201]))["requirements"]
    assert (
        "30"
        in errors_of(valid_input(requirements=[f"syarat {i}" for i in range(31)]))["requirements"]
    )


@pytest.mark.parametrize("name", ["keperluan", "_catatan", "alamat_2", "a"])
def test_good_field_names(name):
    data = valid_input(
        fields=[FieldInput(name, "Label", "text")], blocks=body("{{ pemohon.nama }}")
    )
    assert clean_letter_type(data)["fields"][0]["name"] == name


@pytest.mark.parametrize(
    "name", ["Keperluan", "2alamat", "alamat-usaha", "alamat usaha", "nama.depan", "x" * 41]
)
def test_bad_field_names(name):
    data = valid_input(
        fields=[FieldInput(name, "Label", "text")], blocks=body("{{ pemohon.nama }}")
    )
    assert "huruf kecil" in errors_of(data)["fields.0.name"]


def test_field_rules_name_each_row():
    errors = errors_of(
        valid_input(
            fields=[
                FieldInput("nama", "Nama", "text"),
                FieldInput("", "", "text"),  # empty row: skipped, but keeps its index
                FieldInput("nama", "Nama lagi", "text"),
                FieldInput("lampiran", "", "file"),
                FieldInput("pilihan", "Pilihan", "select", False, [" ", ""]),
                FieldInput("", "Tanpa nama", "text"),
            ],
            blocks=body("{{ pemohon.nama }}"),
        )
    )
    assert errors == {
        "fields.2.name": "Nama isian “nama” sudah dipakai di baris lain.",
        "fields.3.label": "Wajib diisi.",
        "fields.3.type": "Pilih jenis isian: Teks singkat, Teks panjang, Angka, Tanggal, Pilihan.",
        "fields.4.options": "Isian pilihan perlu paling sedikit satu pilihan.",
        "fields.5.name": "Wajib diisi.",
    }


def test_fields_may_be_given_as_stored_dicts():
    fields = [{"name": "alasan", "label": "Alasan", "type": "select", "options": ["A", "B"]}]
    values = clean_letter_type(valid_input(fields=fields, blocks=body("{{ data.alasan or '-' }}")))
    assert values["fields"] == [{**fields[0], "required": False}]


def test_select_options_must_differ_and_fields_are_limited():
    data = valid_input(
        fields=[FieldInput("a", "A", "select", False, ["Ya", "Ya"])],
        blocks=body("{{ pemohon.nama }}"),
    )
    assert "dua kali" in errors_of(data)["fields.0.options"]
    many = [FieldInput(f"f{i}", f"F{i}", "text") for i in range(31)]
    assert "30" in errors_of(valid_input(fields=many, blocks=body("{{ pemohon.nama }}")))["fields"]


def test_every_problem_is_reported_at_once():
    errors = errors_of(valid_input(code="X", name="", cost=-1, blocks=[]))
    assert set(errors) == {"code", "name", "cost", "blocks"}


# --- Template checks ---------------------------------------------------------------------------

FIELDS = ["keperluan", "alamat_tujuan"]


@pytest.mark.parametrize(
    "template",
    [
        "{{ pemohon.nama }}, NIK {{ pemohon.nik }}, untuk {{ data.keperluan }}.",
        "{{ kelurahan.nama }} {{ kecamatan.nama }} {{ penandatangan.jabatan }} {{ surat.nomor }}",
        "{{ data['alamat_tujuan'] }}",
        "{% if data.keperluan %}untuk {{ data.keperluan | upper }}{% endif %}",
        "{{ pemohon.agama }} {{ pemohon.pekerjaan }} {{ pemohon.status_perkawinan }} "
        "{{ pemohon.kewarganegaraan }}",
        "{{ surat.tanggal | tanggal }} {{ data.keperluan | tengah_kalimat }}",
        "{{ data.keperluan or '-' }} {{ 'a' if data.keperluan == 'b' else 'c' }} {{ 'x' ~ 'y' }}",
        "Teks tanpa variabel.",
    ],
)
def test_templates_that_pass(template):
    assert template_problems(template, FIELDS) == []


# The payloads that once took the server down or passed unnoticed, and their relatives.
@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 10**5000 }}", "Baris 1: pangkat (**) tidak dapat dipakai"),
        ("{{ 10**10**10 }}", "pangkat (**) tidak dapat dipakai"),
        ("{{ pemohon.nama * 20000000 }}", "Baris 1: perkalian (*) tidak dapat dipakai"),
        ("{{ 99999999999999999999 }}", "angka paling besar"),
        ("{{ '" + "x" * 600 + "' }}", "paling banyak 500 karakter"),
        ("{% for i in pemohon.nama %}{{ i }}{% endfor %}", "perulangan {% for %}"),
        ("{% set k = data.keperluan %}{{ k }}", "{% set %} tidak dapat dipakai"),
        ("{{ pemohon.nama | center(100000000) }}", "filter “center” tidak dikenal"),
        ("{{ pemohon.nama | upper(1) }}", "tidak memakai nilai tambahan"),
        ("{{ range(3) }}", "pemanggilan fungsi tidak dapat dipakai"),
        ("{{ pemohon.nama.upper() }}", "pemanggilan fungsi tidak dapat dipakai"),
        ("{{ data.alamat }}", "data.alamat: “alamat” bukan isian jenis surat ini."),
        ("{{ data['nama'] }}", "“nama” bukan isian jenis surat ini"),
        ("{{ nama }}", "Baris 1: variabel “nama” tidak dikenal"),
        ("{{ pemohon.umur }}", "pemohon.umur tidak dikenal; yang ada: pemohon.nama"),
        ("{{ pemohon.__class__ }}", "atribut “__class__” tidak diizinkan."),
        ("{{ pemohon._nik }}", "atribut “_nik” tidak diizinkan."),
        ("{{ data }}", "gunakan data.<nama>, bukan data saja."),
        ("{{ pemohon }}", "gunakan pemohon.<nama>"),
        ("{{ data[pemohon.nama] }}", "bukan [...] dengan nilai hitungan"),
        ("{{ pemohon.nama", "Baris 1: susunan templat salah"),
        ("baris satu\n{% if pemohon.nama %}", "Baris 2: susunan templat salah"),
        ("baris satu\nbaris dua\n{{ pemohon.nama | hapus }}", "Baris 3: filter “hapus” tidak"),
        ("{% include 'x' %}", "{% include %} tidak dapat dipakai"),
        ("x" * 5000, "paling banyak 4000 karakter"),
    ],
)
def test_templates_that_fail(template, message):
    problems = template_problems(template, FIELDS)
    assert any(message in p for p in problems), problems


def test_template_errors_reach_the_blocks_field_naming_block_and_line():
    errors = errors_of(valid_input(blocks=body("Nama:\n{{ data.umur }}")))
    assert errors["blocks"] == (
        "Blok 1 (Paragraf): baris 2: data.umur: “umur” bukan isian jenis surat ini."
    )
    table = {
        "kind": "table",
        "heading": "Pelapor:",
        "rows": [
            {"label": "Nama", "value": "{{ pemohon.nama }}"},
            {"label": "Umur", "value": "{{ pemohon.nama * 3 }}"},
        ],
    }
    errors = errors_of(valid_input(blocks=[table, {"kind": "signature"}]))
    assert errors["blocks"].startswith(
        "Blok 1 (Tabel “Pelapor:”), baris 2, isi: baris 1: perkalian"
    )
    assert "Isi surat perlu" in errors_of(valid_input(blocks=[]))["blocks"]
    assert "tepat satu" in errors_of(valid_input(blocks=body("a")[:1]))["blocks"]
    assert "tepat satu" in errors_of(valid_input(blocks=body("a")[::-1]))["blocks"]


def test_a_type_that_saves_renders_with_sample_data_of_every_field_type():
    # rupiah on a text field: refused when saved, not a 500 on the edit page afterwards.
    fields = [FieldInput("x", "X", "text", True), FieldInput("n", "N", "number", False)]
    errors = errors_of(valid_input(fields=fields, blocks=body("{{ data.x | rupiah }}")))
    assert "Filter rupiah hanya untuk isian jenis Angka" in errors["blocks"]
    # An optional field printed as it is would stop the signing of a request that left it empty.
    errors = errors_of(valid_input(fields=fields, blocks=body("{{ data.n | rupiah }}")))
    assert "Isian tidak wajib data.n bisa kosong" in errors["blocks"]
    values = clean_letter_type(
        valid_input(
            fields=fields,
            blocks=body("{{ data.x }} {% if data.n %}{{ data.n | rupiah }}{% endif %}"),
        )
    )
    text, problem = preview_letter_body(values)
    assert problem is None and text[0].text == "[X] Rp850.000"


# --- The seeded catalogue ------------------------------------------------------------------------


@pytest.mark.parametrize("item", default_catalogue(), ids=lambda item: item["code"])
def test_every_seeded_type_passes_every_rule(item):
    values = clean_letter_type(LetterTypeInput.from_dict(item))
    assert values["blocks"] == item["blocks"]
    # Stored as seeded: the rules do not rewrite the catalogue.
    for key in ("code", "name", "classification_code", "requirements", "service_days", "cost"):
        assert values[key] == item[key]
    assert values["fields"] == item["fields"]
    blocks, problem = preview_letter_body(item)
    assert problem is None
    assert any("Maria Lado" in value for b in blocks for _, value in b.rows)
    assert blocks[-1].kind == "signature"


# --- Rendering ----------------------------------------------------------------------------------

CONTEXT = {
    "pemohon": {"nama": "Yohana Ndoen", "nik": "5371045006950002"},
    "kelurahan": {"nama": "Oebobo"},
    "data": {"keperluan": "melamar kerja", "catatan": None},
}


def test_render_fills_the_template():
    body = render_text(
        "{{ pemohon.nama }} ({{ pemohon.nik }}) dari {{ kelurahan.nama }}, {{ data.keperluan }}.",
        CONTEXT,
    )
    assert body == "Yohana Ndoen (5371045006950002) dari Oebobo, melamar kerja."


def test_a_missing_value_is_named():
    with pytest.raises(MissingTemplateValue) as caught:
        render_text("{{ pemohon.nama }} beralamat di {{ pemohon.alamat }}", CONTEXT)
    assert caught.value.missing == ["pemohon.alamat"]
    assert "pemohon.alamat" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_missing_value_is_named_at_once():
    template = "{{ data.tujuan }} {{ surat.nomor }} {{ surat.tanggal }} {{ pemohon.nama }}"
    with pytest.raises(MissingTemplateValue) as caught:
        render_text(template, CONTEXT)
    assert caught.value.missing == ["data.tujuan", "surat"]


def test_a_none_value_is_missing_when_printed_but_false_in_a_condition():
    with pytest.raises(MissingTemplateValue) as caught:
        render_text("Catatan: {{ data.catatan }}", CONTEXT)
    assert caught.value.missing == ["data.catatan"]
    body = render_text("A{% if data.catatan %}, {{ data.catatan }}{% endif %}.", CONTEXT)
    assert body == "A."


def test_render_refuses_what_the_whitelist_refuses():
    # A template stored before the rules (or written into the database by hand) is refused at
    # render time too: never compiled, never evaluated.
    for template in (
        "{{ 10**5000 }}",
        "{{ pemohon.nama * 20000000 }}",
        "{% for a in x %}{% endfor %}",
    ):
        with pytest.raises(LetterTemplateError, match="tidak dapat dipakai"):
            render_text(template, CONTEXT)


def test_rendering_is_bounded_in_output_and_time(monkeypatch):
    from sodamolek.letters import templates

    big = {"data": {"x": "a" * 3000}}
    template = "{{ data.x }}" * 8  # 24,000 characters out of a short template
    with pytest.raises(LetterTemplateError, match="terlalu panjang"):
        render_text(template, big)
    monkeypatch.setattr(templates, "RENDER_BUDGET_S", -1.0)  # any work is over budget
    with pytest.raises(LetterTemplateError, match="terlalu lama"):
        render_text("{{ pemohon.nama }} {{ pemohon.nik }}", CONTEXT)


def test_markup_in_values_is_not_executed():
    values = {"keperluan": "{{ pemohon.nik }} {% for x in range(9) %}x{% endfor %} <b>tebal</b>"}
    body = render_text("Untuk {{ data.keperluan }}.", {**CONTEXT, "data": values})
    # Inserted as text: no template code run, and no HTML escaping (the PDF gets plain text);
    # HTML pages print it with autoescape on.
    assert body == f"Untuk {values['keperluan']}."


def test_the_sandbox_refuses_internals():
    with pytest.raises(LetterTemplateError):
        render_text("{{ pemohon.nama.__class__.__mro__ }}", CONTEXT)
    with pytest.raises(LetterTemplateError):
        render_text("{{ pemohon.nama.format.__globals__ }}", CONTEXT)


def test_no_globals_in_the_sandbox():
    with pytest.raises(LetterTemplateError):
        render_text("{{ range(3) }}{{ cycler }}", CONTEXT)


def test_a_broken_template_is_a_letter_template_error():
    with pytest.raises(LetterTemplateError, match="susunan templat salah"):
        render_text("{{ pemohon.nama", CONTEXT)


def test_date_and_money_filters():
    context = {"data": {"tanggal": "2026-11-29", "biaya": 1_500_000}}
    body = render_text("{{ data.tanggal | tanggal }}, {{ data.biaya | rupiah }}", context)
    assert body == "29 November 2026, Rp1.500.000"


@pytest.mark.parametrize(
    ("template", "value", "printed"),
    [
        ("{{ data.x | rupiah }}", 850_000, "Rp850.000"),
        ("{{ data.x | rupiah }}", 0, "Rp0"),  # a figure, never "Gratis"
        ("{{ data.x | angka }}", 1250.5, "1.250,5"),
        ("{{ data.x | angka }}", 1_234_567, "1.234.567"),
        (
            "untuk keperluan {{ data.x | tengah_kalimat }}",
            "Persyaratan kerja",
            "untuk keperluan persyaratan kerja",
        ),
        ("untuk {{ data.x | tengah_kalimat }}", "SKCK baru", "untuk SKCK baru"),
        ("untuk {{ data.x | tengah_kalimat }}", "KTP-el hilang", "untuk KTP-el hilang"),
    ],
)
def test_indonesian_number_and_sentence_filters(template, value, printed):
    assert render_text(template, {"data": {"x": value}}) == printed


@given(st.text())
def test_any_text_value_comes_out_verbatim(value):
    assert render_text("{{ data.x }}", {"data": {"x": value}}) == value


# --- A request's type-specific answers ---------------------------------------------------------

TYPE = {
    "code": "contoh",
    "fields": [
        {"name": "keperluan", "label": "Keperluan", "type": "text", "required": True},
        {"name": "alamat", "label": "Alamat", "type": "textarea", "required": False},
        {"name": "jumlah", "label": "Jumlah tanggungan", "type": "number", "required": False},
        {"name": "tanggal", "label": "Tanggal nikah", "type": "date", "required": False},
        {
            "name": "alasan",
            "label": "Alasan",
            "type": "select",
            "required": False,
            "options": ["Pekerjaan", "Pendidikan"],
        },
    ],
}


def test_clean_answers():
    clean, errors = validate_request_data(
        TYPE,
        {
            "keperluan": "  melamar   kerja ",
            "alamat": "Jl. Timor Raya\r\nRT 01  \r\n",
            "jumlah": "3",
            "tanggal": "2026-12-24",
            "alasan": "Pendidikan",
            "nik": "tidak dipakai di sini",
        },
    )
    assert errors == {}
    assert clean == {
        "keperluan": "melamar kerja",
        "alamat": "Jl. Timor Raya\nRT 01",
        "jumlah": 3,
        "tanggal": "2026-12-24",
        "alasan": "Pendidikan",
    }


def test_required_and_optional_fields():
    clean, errors = validate_request_data(TYPE, {"keperluan": "   "})
    assert errors == {"keperluan": "Keperluan wajib diisi."}
    assert clean == {k: None for k in ("keperluan", "alamat", "jumlah", "tanggal", "alasan")}


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("12", 12), ("1.500.000", 1_500_000)])
def test_numbers(raw, value):
    clean, errors = validate_request_data(TYPE, {"keperluan": "x", "jumlah": raw})
    assert (clean["jumlah"], errors) == (value, {})


@pytest.mark.parametrize("raw", ["-1", "1,5", "2.5", "tiga", "3 orang", "١٢", "9" * 16])
def test_bad_numbers(raw):
    _, errors = validate_request_data(TYPE, {"keperluan": "x", "jumlah": raw})
    assert errors["jumlah"].startswith("Jumlah tanggungan: isi dengan bilangan bulat")


@pytest.mark.parametrize(
    "raw", ["2026-02-30", "24-12-2026", "2026/12/24", "2026-1-5", "besok", "20261224", "1899-12-31"]
)
def test_bad_dates(raw):
    _, errors = validate_request_data(TYPE, {"keperluan": "x", "tanggal": raw})
    assert errors["tanggal"].startswith("Tanggal nikah: ")


def test_select_must_be_one_of_the_options():
    _, errors = validate_request_data(TYPE, {"keperluan": "x", "alasan": "Lainnya"})
    assert errors == {"alasan": "Alasan: pilih salah satu pilihan yang tersedia."}


def test_text_lengths():
    ok, errors = validate_request_data(TYPE, {"keperluan": "k" * 500, "alamat": "a" * 2000})
    assert errors == {} and len(ok["keperluan"]) == 500
    _, errors = validate_request_data(TYPE, {"keperluan": "k" * 501, "alamat": "a" * 2001})
    assert "500 karakter" in errors["keperluan"] and "2000 karakter" in errors["alamat"]


@given(
    st.dictionaries(
        st.sampled_from(["keperluan", "alamat", "jumlah", "tanggal", "alasan"]), st.text()
    )
)
def test_any_input_gives_clean_data_or_messages_never_a_crash(form):
    clean, errors = validate_request_data(TYPE, form)
    assert set(clean) == {f["name"] for f in TYPE["fields"]}
    assert set(errors) <= set(clean)
    for name, value in clean.items():
        if name not in errors and value is not None:
            assert value == validate_request_data(TYPE, {**form, name: str(value)})[0][name]


@pytest.mark.parametrize("item", default_catalogue(), ids=lambda item: item["code"])
def test_seeded_forms_accept_sensible_answers(item):
    sample = {
        "text": "contoh isian",
        "textarea": "Jl. Soeharto No. 1",
        "number": "2",
        "date": "2026-12-01",
    }
    form = {
        f["name"]: f["options"][0] if f["type"] == "select" else sample[f["type"]]
        for f in item["fields"]
    }
    clean, errors = validate_request_data(item, form)
    assert errors == {}
    from sodamolek.issuing.service import _value

    data = {k: _value(v) for k, v in clean.items()}
    text = body_text(render_letter_body(item, {**_sample_context(), "data": data}))
    assert "contoh isian" in text or "Jl. Soeharto" in text or "1 Desember 2026" in text


def _sample_context() -> dict:
    from sodamolek.letters.blocks import SAMPLE_CONTEXT

    return SAMPLE_CONTEXT
