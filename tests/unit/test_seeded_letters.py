"""Every seeded letter type, rendered as the signing step renders it, on A4 and F4, read back from
the PDF: each answer sits in the block it belongs to, under that block's own heading."""

import datetime as dt

import pytest

from sodamolek.documents.pdf import LetterDocument, Signer, render_letter_pdf
from sodamolek.issuing.service import template_context
from sodamolek.letters.service import default_catalogue, render_letter_body, validate_request_data
from tests.unit.test_letter_pdf import text_of

WHEN = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
OFFICE = {
    "name": "Oebobo",
    "code": "53.71.04.1001",
    "address": "Jl. W. J. Lalamentik",
    "kecamatan_name": "Oebobo",
    "kecamatan_code": "53.71.04",
    "phone": "(0380) 821234",
}
APPLICANT = {
    "applicant_name": "Maria Ōmatu Ŋgala",
    "applicant_nik": "5371046506900001",
    "applicant_birth_place": "Kupang",
    "applicant_birth_date": dt.date(1990, 6, 25),
    "applicant_sex": "P",
    "applicant_address": "Jl. Frans Seda No. 12",
    "applicant_rt": "003",
    "applicant_rw": "001",
    "applicant_religion": "KRISTEN",
    "applicant_occupation": "WIRASWASTA",
    "applicant_marital_status": "BELUM KAWIN",
    "applicant_citizenship": "WNI",
}
CATALOGUE = {item["code"]: item for item in default_catalogue()}


def answers(item: dict) -> dict:
    """A distinct, recognisable answer for every field (text fields print as <name>-isi)."""
    form = {}
    for n, f in enumerate(item["fields"]):
        form[f["name"]] = {
            "text": f"{f['name']}-isi",
            "textarea": f"{f['name']}-isi",
            "number": str(11 + n),
            "date": f"2026-0{1 + n % 9}-1{n % 10}",
            "select": (f.get("options") or [""])[-1],
        }[f["type"]]
    return form


def rendered(code: str, paper: str) -> tuple[str, dict, tuple]:
    item = CATALOGUE[code]
    clean, errors = validate_request_data(item, answers(item))
    assert errors == {}
    request = {**APPLICANT, "data": clean}
    signer = {"nama": "Markus Ndun, S.Sos.", "jabatan": "Lurah", "nip": "197805122005011003"}
    context = template_context(
        request, OFFICE, signer, "470/001/X/2026", WHEN, item["validity_days"]
    )
    blocks = render_letter_body(item, context)
    document = LetterDocument(
        kecamatan="Oebobo",
        kelurahan="Oebobo",
        office_address=OFFICE["address"],
        title=item["name"],
        number="470/001/X/2026",
        blocks=blocks,
        place_date="Kupang, 29 November 2026",
        signer=Signer("Lurah Oebobo", signer["nama"], signer["nip"]),
        paper_size=paper,
        verification_url="https://surat.example/verifikasi/AbCdEfGhIjKlMnOpQrStUvWx",
    )
    return text_of(render_letter_pdf(document)), clean, blocks


@pytest.mark.parametrize("paper", ["A4", "F4"])
@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_seeded_type_prints_each_answer_in_its_block(code, paper):
    text, clean, blocks = rendered(code, paper)
    assert "Maria Ōmatu Ŋgala" in text  # the embedded font prints the name as typed
    # Blocks in order; each table's rows after its own heading, before the next block.
    cursor = 0
    for block in blocks:
        if block.kind == "signature":
            break
        for piece in [block.heading, block.text, *(v for _, v in block.rows), *block.items]:
            piece = " ".join(piece.split())
            if piece:
                found = text.find(piece, cursor)
                assert found >= 0, (piece, text[cursor : cursor + 200])
                cursor = found
    assert text.find("Kupang, 29 November 2026", cursor) > 0  # then the signature block
    # Every text answer is printed somewhere in the body.
    for field in CATALOGUE[code]["fields"]:
        if field["type"] in ("text", "textarea"):
            assert f"{field['name']}-isi" in text, field["name"]


def _section(text: str, heading: str, end: str) -> str:
    start = text.index(heading)
    return text[start : text.index(end, start + len(heading))]


def test_kematian_puts_the_deceased_and_the_reporter_under_their_headings():
    text, _, _ = rendered("kematian", "F4")
    deceased = _section(text, "Yang meninggal:", "Telah meninggal dunia pada:")
    assert "nama_almarhum-isi" in deceased and "nik_almarhum-isi" in deceased
    assert "Maria Ōmatu Ŋgala" not in deceased
    death = _section(text, "Telah meninggal dunia pada:", "Pelapor:")
    assert "tempat_meninggal-isi" in death and "sebab-isi" in death
    reporter = _section(text, "Pelapor:", "Surat keterangan ini diberikan")
    assert "Maria Ōmatu Ŋgala" in reporter and "5371046506900001" in reporter
    assert "hubungan_pelapor-isi" in reporter and "nama_almarhum-isi" not in reporter


def test_kelahiran_puts_child_parents_and_reporter_under_their_headings():
    text, _, _ = rendered("kelahiran", "A4")
    child = _section(text, "Telah lahir seorang anak:", "Dari seorang ibu:")
    assert "nama_bayi-isi" in child and "tempat_lahir_bayi-isi" in child
    mother = _section(text, "Dari seorang ibu:", "Dan seorang ayah:")
    assert "nama_ibu-isi" in mother and "nik_ibu-isi" in mother and "nama_ayah" not in mother
    father = _section(text, "Dan seorang ayah:", "Pelapor:")
    assert "nama_ayah-isi" in father and "nik_ayah-isi" in father
    reporter = _section(text, "Pelapor:", "Surat keterangan ini diberikan")
    assert "Maria Ōmatu Ŋgala" in reporter and "WIRASWASTA" in reporter


def test_nikah_is_model_n1_field_for_field():
    text, _, _ = rendered("pengantar-nikah", "F4")
    applicant = _section(text, "menerangkan dengan sesungguhnya bahwa:", "seorang pria:")
    for number, label, value in (
        (1, "Nama", "Maria Ōmatu Ŋgala"),
        (2, "Nomor Induk Kependudukan", "5371046506900001"),
        (3, "Jenis kelamin", "Perempuan"),
        (4, "Tempat dan tanggal lahir", "Kupang, 25 Juni 1990"),
        (5, "Kewarganegaraan", "WNI"),
        (6, "Agama", "KRISTEN"),
        (7, "Pekerjaan", "WIRASWASTA"),
        (8, "Alamat", "Jl. Frans Seda No. 12 RT 003/RW 001"),
        (9, "Status perkawinan", "Janda"),
        (10, "Nama istri/suami terdahulu", "pasangan_terdahulu-isi"),
    ):
        assert f"{number}. {label} : {value}" in applicant, (number, applicant)
    father = _section(text, "seorang pria:", "dengan seorang wanita:")
    assert "nama_ayah-isi" in father and "pekerjaan_ayah-isi" in father
    mother = _section(text, "dengan seorang wanita:", "Demikian surat pengantar ini")
    assert "nama_ibu-isi" in mother and "alamat_ibu-isi" in mother
    assert "mengingat sumpah jabatan" in text


def test_sktm_prints_money_the_indonesian_way():
    item = CATALOGUE["sktm"]
    form = {**answers(item), "penghasilan_bulanan": "850.000", "jumlah_tanggungan": "0"}
    clean, errors = validate_request_data(item, form)
    assert errors == {}
    signer = {"nama": "X", "jabatan": "Lurah", "nip": ""}
    context = template_context({**APPLICANT, "data": clean}, OFFICE, signer, "1", WHEN, 90)
    rows = dict(
        next(
            b
            for b in render_letter_body(item, context)
            if b.rows and b.rows[0][0].startswith("Penghasilan")
        ).rows
    )
    assert rows["Penghasilan keluarga per bulan"] == "Rp850.000"
    assert rows["Jumlah tanggungan"] == "0 orang"
