"""Letter type rules, template checks and rendering, and a request's type-specific answers."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    template_problems,
    validate_request_data,
)


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
        template="{{ pemohon.nama }} {{ data.hubungan }} {{ data.nama_almarhum }}",
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
    data = valid_input(fields=[FieldInput(name, "Label", "text")], template="{{ pemohon.nama }}")
    assert clean_letter_type(data)["fields"][0]["name"] == name


@pytest.mark.parametrize(
    "name", ["Keperluan", "2alamat", "alamat-usaha", "alamat usaha", "nama.depan", "x" * 41]
)
def test_bad_field_names(name):
    data = valid_input(fields=[FieldInput(name, "Label", "text")], template="{{ pemohon.nama }}")
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
            template="{{ pemohon.nama }}",
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
    values = clean_letter_type(valid_input(fields=fields, template="{{ data.alasan }}"))
    assert values["fields"] == [{**fields[0], "required": False}]


def test_select_options_must_differ_and_fields_are_limited():
    data = valid_input(
        fields=[FieldInput("a", "A", "select", False, ["Ya", "Ya"])], template="{{ pemohon.nama }}"
    )
    assert "dua kali" in errors_of(data)["fields.0.options"]
    many = [FieldInput(f"f{i}", f"F{i}", "text") for i in range(31)]
    assert "30" in errors_of(valid_input(fields=many, template="{{ pemohon.nama }}"))["fields"]


def test_every_problem_is_reported_at_once():
    errors = errors_of(valid_input(code="X", name="", cost=-1, template=""))
    assert set(errors) == {"code", "name", "cost", "template"}


# --- Template checks ---------------------------------------------------------------------------

FIELDS = ["keperluan", "alamat_tujuan"]


@pytest.mark.parametrize(
    "template",
    [
        "{{ pemohon.nama }}, NIK {{ pemohon.nik }}, untuk {{ data.keperluan }}.",
        "{{ kelurahan.nama }} {{ kecamatan.nama }} {{ penandatangan.jabatan }} {{ surat.nomor }}",
        "{{ data['alamat_tujuan'] }}",
        "{% if data.keperluan %}untuk {{ data.keperluan | upper }}{% endif %}",
        "{% for x in pemohon.anak %}{{ x.nama }}{% endfor %}",
        "{% set k = data.keperluan %}{{ k }}",
        "{{ surat.tanggal | tanggal }} {{ data.keperluan | rupiah }}",
        "Teks tanpa variabel.",
    ],
)
def test_templates_that_pass(template):
    assert template_problems(template, FIELDS) == []


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ data.alamat }}", "data.alamat: “alamat” bukan isian jenis surat ini."),
        ("{{ data['nama'] }}", "“nama” bukan isian jenis surat ini"),
        ("{{ nama }}", "Variabel “nama” tidak dikenal"),
        ("{{ range(3) }}", "Variabel “range” tidak dikenal"),
        ("{{ pemohon.__class__ }}", "Atribut “__class__” tidak diizinkan."),
        ("{{ pemohon._nik }}", "Atribut “_nik” tidak diizinkan."),
        ("{{ data }}", "Gunakan data.<nama>, bukan data saja."),
        ("{{ pemohon }}", "Gunakan pemohon.<nama>"),
        ("{{ data[pemohon.nama] }}", "bukan data[...]"),
        ("{{ pemohon.nama", "Susunan templat salah di baris 1"),
        ("baris satu\n{% if pemohon.nama %}", "Susunan templat salah di baris 2"),
        ("{{ pemohon.nama | hapus }}", "Filter “hapus” tidak dikenal"),
    ],
)
def test_templates_that_fail(template, message):
    problems = template_problems(template, FIELDS)
    assert any(message in p for p in problems), problems


def test_template_errors_reach_the_template_field():
    errors = errors_of(valid_input(template="{{ data.umur }}"))
    assert errors["template"] == "data.umur: “umur” bukan isian jenis surat ini."
    assert "Wajib diisi" in errors_of(valid_input(template="  "))["template"]


# --- The seeded catalogue ------------------------------------------------------------------------


@pytest.mark.parametrize("item", default_catalogue(), ids=lambda item: item["code"])
def test_every_seeded_type_passes_every_rule(item):
    values = clean_letter_type(LetterTypeInput.from_dict(item))
    assert template_problems(item["template"], [f["name"] for f in item["fields"]]) == []
    # Stored as seeded: the rules do not rewrite the catalogue.
    for key in ("code", "name", "classification_code", "requirements", "service_days", "cost"):
        assert values[key] == item[key]
    assert values["fields"] == item["fields"]
    text, problem = preview_letter_body(item)
    assert problem is None and "Maria Lado" in text


# --- Rendering ----------------------------------------------------------------------------------

CONTEXT = {
    "pemohon": {"nama": "Yohana Ndoen", "nik": "5371045006950002"},
    "kelurahan": {"nama": "Oebobo"},
    "data": {"keperluan": "melamar kerja", "catatan": None},
}


def test_render_fills_the_template():
    body = render_letter_body(
        "{{ pemohon.nama }} ({{ pemohon.nik }}) dari {{ kelurahan.nama }}, {{ data.keperluan }}.",
        CONTEXT,
    )
    assert body == "Yohana Ndoen (5371045006950002) dari Oebobo, melamar kerja."


def test_a_missing_value_is_named():
    with pytest.raises(MissingTemplateValue) as caught:
        render_letter_body("{{ pemohon.nama }} beralamat di {{ pemohon.alamat }}", CONTEXT)
    assert caught.value.missing == ["pemohon.alamat"]
    assert "pemohon.alamat" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_missing_value_is_named_at_once():
    template = "{{ data.tujuan }} {{ surat.nomor }} {{ surat.tanggal }} {{ pemohon.nama }}"
    with pytest.raises(MissingTemplateValue) as caught:
        render_letter_body(template, CONTEXT)
    assert caught.value.missing == ["data.tujuan", "surat"]


def test_a_none_value_is_missing_when_printed_but_false_in_a_condition():
    with pytest.raises(MissingTemplateValue) as caught:
        render_letter_body("Catatan: {{ data.catatan }}", CONTEXT)
    assert caught.value.missing == ["data.catatan"]
    body = render_letter_body("A{% if data.catatan %}, {{ data.catatan }}{% endif %}.", CONTEXT)
    assert body == "A."


def test_a_missing_value_inside_a_loop_is_named_too():
    context = {"pemohon": {"anak": [{"nama": "Ana"}, {"umur": 3}]}}
    with pytest.raises(MissingTemplateValue) as caught:
        render_letter_body("{% for a in pemohon.anak %}{{ a.nama }} {% endfor %}", context)
    assert caught.value.missing == ["nama"]


def test_markup_in_values_is_not_executed():
    values = {"keperluan": "{{ pemohon.nik }} {% for x in range(9) %}x{% endfor %} <b>tebal</b>"}
    body = render_letter_body("Untuk {{ data.keperluan }}.", {**CONTEXT, "data": values})
    # Inserted as text: no template code run, and no HTML escaping (the PDF gets plain text);
    # HTML pages print it with autoescape on.
    assert body == f"Untuk {values['keperluan']}."


def test_the_sandbox_refuses_internals():
    with pytest.raises(LetterTemplateError):
        render_letter_body("{{ pemohon.nama.__class__.__mro__ }}", CONTEXT)
    with pytest.raises(LetterTemplateError):
        render_letter_body("{{ pemohon.nama.format.__globals__ }}", CONTEXT)


def test_no_globals_in_the_sandbox():
    with pytest.raises(MissingTemplateValue):
        render_letter_body("{{ range(3) }}{{ cycler }}", CONTEXT)


def test_a_broken_template_is_a_letter_template_error():
    with pytest.raises(LetterTemplateError, match="tidak valid"):
        render_letter_body("{{ pemohon.nama", CONTEXT)


def test_date_and_money_filters():
    context = {"data": {"tanggal": "2026-11-29", "biaya": 1_500_000}}
    body = render_letter_body("{{ data.tanggal | tanggal }}, {{ data.biaya | rupiah }}", context)
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
    assert render_letter_body(template, {"data": {"x": value}}) == printed


@given(st.text())
def test_any_text_value_comes_out_verbatim(value):
    assert render_letter_body("{{ data.x }}", {"data": {"x": value}}) == value


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
    body = render_letter_body(item["template"], {**_sample_context(), "data": clean})
    assert "contoh isian" in body or "Jl. Soeharto" in body or "2026-12-01" in body


def _sample_context() -> dict:
    from sodamolek.letters.service import SAMPLE_CONTEXT

    return SAMPLE_CONTEXT
