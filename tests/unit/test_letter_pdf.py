"""The letter PDF read back with pypdf: its text, its page size, its layout and its QR code."""

import dataclasses
import datetime as dt
import io

import pytest
import segno
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ContentStream

from sodamolek.documents import pdf as letter_pdf
from sodamolek.documents.pdf import (
    LetterDocument,
    Signer,
    format_nip,
    pdf_text,
    place_date_line,
    render_letter_pdf,
)
from sodamolek.documents.qr import QR_ERROR, QUIET_ZONE

MM = 72 / 25.4  # points per millimetre
URL = "https://surat.kupangkota.go.id/verifikasi/AbCdEfGhIjKlMnOpQrStUvWx"
ADDRESS = (
    "Jl. Timor Raya No. 45, RT 004/RW 002, Kelurahan Fatululi, Kecamatan Oebobo, "
    "Kota Kupang, Nusa Tenggara Timur"
)
DOC = LetterDocument(
    kecamatan="Oebobo",
    kelurahan="Fatululi",
    office_address="Jl. Frans Seda No. 12, Fatululi, Kota Kupang 85111",
    office_phone="(0380) 821234",
    title="Surat Keterangan Domisili",
    number="470/007/53.71.04.1005/XI/2026",
    paragraphs=(
        "Yang bertanda tangan di bawah ini, Lurah Fatululi, Kecamatan Oebobo, Kota Kupang, "
        "menerangkan bahwa:",
        "Benar yang bersangkutan berdomisili di RT 004/RW 002 sejak 2019 – sekarang; surat ini "
        "diberikan untuk keperluan “pendaftaran sekolah” (anak ke-2) di SD Inpres O’epura…",
        "Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya.",
    ),
    identity=(
        ("Nama", "Maria Goreti Ndoen"),
        ("NIK", "5371045708900003"),
        ("Tempat/Tgl Lahir", "Kupang, 17 Agustus 1990"),
        ("Jenis Kelamin", "Perempuan"),
        ("Alamat", ADDRESS),
    ),
    place_date="Kupang, 29 November 2026",
    signer=Signer("Lurah Fatululi", "Yohanes Benu, S.Sos", "197805122005011003"),
    verification_url=URL,
    issued_at=dt.datetime(2026, 11, 29, 6, 5, tzinfo=dt.UTC),
)
CAMAT = Signer("Camat Oebobo", "Drs. Petrus Lona, M.Si", "196912311994031010")


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    """All pages' text with whitespace collapsed (line breaks depend on widths)."""
    return " ".join(" ".join(page.extract_text().split()) for page in read(data).pages)


def placed_text(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text run, in points from the bottom left."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize(("paper", "size_mm"), [("A4", (210, 297)), ("F4", (215, 330))])
def test_page_size_is_exact(paper, size_mm):
    box = read(render_letter_pdf(dataclasses.replace(DOC, paper_size=paper))).pages[0].mediabox
    assert float(box.left) == float(box.bottom) == 0
    assert float(box.width) == pytest.approx(size_mm[0] * MM, abs=0.01)
    assert float(box.height) == pytest.approx(size_mm[1] * MM, abs=0.01)


@pytest.mark.parametrize("paper", ["A4", "F4"])
def test_everything_printed_can_be_read_back(paper):
    doc = dataclasses.replace(DOC, paper_size=paper, countersigner=CAMAT)
    data = render_letter_pdf(doc)
    assert len(read(data).pages) == 1
    text = text_of(data)
    for expected in (
        "PEMERINTAH KOTA KUPANG",
        "KECAMATAN OEBOBO",
        "KELURAHAN FATULULI",
        "Jl. Frans Seda No. 12, Fatululi, Kota Kupang 85111 · Telp. (0380) 821234",
        "SURAT KETERANGAN DOMISILI",
        "Nomor: 470/007/53.71.04.1005/XI/2026",
        "Maria Goreti Ndoen",
        "5371045708900003",
        "Kupang, 17 Agustus 1990",
        ADDRESS,
        "2019 – sekarang",  # en dash: Windows-1252, not latin-1
        "“pendaftaran sekolah” (anak ke-2) di SD Inpres O’epura…",
        "Kupang, 29 November 2026",
        "Lurah Fatululi",
        "Yohanes Benu, S.Sos",
        "NIP. 19780512 200501 1 003",
        "Mengetahui, Camat Oebobo",
        "Drs. Petrus Lona, M.Si",
        "NIP. 19691231 199403 1 010",
        "Dokumen ini ditandatangani secara elektronik; periksa keasliannya di " + URL,
    ):
        assert expected in text, expected


def test_kop_lines_drop_a_repeated_prefix():
    doc = dataclasses.replace(
        DOC, kecamatan="Kecamatan Kota Raja", kelurahan="kelurahan Naikoten I"
    )
    assert doc.kop_lines[:3] == (
        "PEMERINTAH KOTA KUPANG",
        "KECAMATAN KOTA RAJA",
        "KELURAHAN NAIKOTEN I",
    )
    assert dataclasses.replace(DOC, office_phone="").kop_lines[3] == DOC.office_address


def test_layout_of_an_indonesian_letter():
    page = read(render_letter_pdf(dataclasses.replace(DOC, countersigner=CAMAT))).pages[0]
    runs = placed_text(page)
    where = {text: (x, y) for x, y, text in runs}
    width = float(page.mediabox.width)
    # Kop and title centred on the text column (3 cm left, 2 cm right margin).
    metrics = FPDF(unit="pt")
    column_centre = 30 * MM + (width - 50 * MM) / 2
    for line, size in (("PEMERINTAH KOTA KUPANG", 14), ("SURAT KETERANGAN DOMISILI", 13)):
        metrics.set_font("Times", "B", size)
        centre = where[line][0] + metrics.get_string_width(line) / 2
        assert centre == pytest.approx(column_centre, abs=0.5)
    assert where["KELURAHAN FATULULI"][1] > where["SURAT KETERANGAN DOMISILI"][1]
    assert where["SURAT KETERANGAN DOMISILI"][1] > where["Nomor: 470/007/53.71.04.1005/XI/2026"][1]
    # The body starts at the 3 cm left margin.
    assert where["menerangkan bahwa:"][0] == pytest.approx(30 * MM, abs=0.1)
    # Identity table: labels, colons and values each in one column.
    labels = [where[label] for label, _ in DOC.identity]
    values = [where[value] for _, value in DOC.identity[:-1]]
    assert len({round(x, 2) for x, _ in labels}) == 1
    assert len({round(x, 2) for x, _ in values}) == 1
    assert all(x > 30 * MM for x, _ in labels)  # indented
    colons = sorted({round(x, 2) for x, _, text in runs if text == ":"})
    assert len(colons) == 1 and labels[0][0] < colons[0] < values[0][0]
    # Lurah on the right, camat on the left, names on one line, below the signature space.
    assert where["Yohanes Benu, S.Sos"][0] > width / 2 > where["Drs. Petrus Lona, M.Si"][0]
    assert where["Yohanes Benu, S.Sos"][1] == pytest.approx(where["Drs. Petrus Lona, M.Si"][1])
    assert where["Lurah Fatululi"][1] - where["Yohanes Benu, S.Sos"][1] > 20 * MM
    # The verification sentence at the bottom, right of the QR.
    note_x, note_y = where[next(t for t in where if t.startswith("Dokumen ini"))]
    assert note_y < 60 * MM and note_x > 30 * MM + letter_pdf.QR_SIZE * MM


def qr_in_page(page) -> tuple[set[tuple[int, int]], tuple[float, ...]]:
    """The dark modules drawn on the page (row, column) and the QR's placement matrix.

    segno's SVG path is one stroked horizontal segment per run of dark modules, at y = row + ½
    in module units inside the image's transformation."""
    operations = ContentStream(page.get_contents(), page.pdf).operations
    cells: set[tuple[int, int]] = set()
    placement = ()
    start = None
    for operands, operator in operations:
        if operator == b"cm" and float(operands[0]) > 0 and float(operands[3]) > 0:
            placement = tuple(float(v) for v in operands)  # the image's scale and offset
        elif operator == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif operator == b"l" and start is not None and placement:
            (x1, y), x2 = start, float(operands[0])
            row = y - 0.5 - QUIET_ZONE
            assert row == int(row)
            for col in range(int(x1) - QUIET_ZONE, int(x2) - QUIET_ZONE):
                cells.add((int(row), col))
            start = None
    return cells, placement


@pytest.mark.parametrize("paper", ["A4", "F4"])
def test_qr_code_is_the_verification_url(paper):
    page = read(render_letter_pdf(dataclasses.replace(DOC, paper_size=paper))).pages[0]
    drawn, placement = qr_in_page(page)
    expected = segno.make(URL, error=QR_ERROR, micro=False)  # encoded independently
    dark = {
        (r, c)
        for r, row in enumerate(expected.matrix_iter(scale=1, border=0))
        for c, module in enumerate(row)
        if module
    }
    assert drawn == dark
    # Bottom left: at the left margin, its quiet zone ending at the bottom margin.
    scale, _, _, _, x, y = placement
    side = scale * (expected.symbol_size(scale=1, border=QUIET_ZONE)[0])
    height_mm = letter_pdf.PAPER_SIZES_MM[paper][1]
    assert x == pytest.approx(letter_pdf.MARGIN_LEFT, abs=0.01)
    assert y + side == pytest.approx(height_mm - letter_pdf.MARGIN_BOTTOM, abs=0.05)
    assert side == pytest.approx(letter_pdf.QR_SIZE, abs=0.05)


def test_preview_has_no_number_and_no_qr():
    data = render_letter_pdf(dataclasses.replace(DOC, number=None, verification_url=None))
    text = text_of(data)
    assert "Nomor: (diberikan saat ditandatangani)" in text
    assert "PRATINJAU" in text and "verifikasi" not in text.split("PRATINJAU")[0]
    assert "Dokumen ini ditandatangani secara elektronik" not in text
    drawn, _ = qr_in_page(read(data).pages[0])
    assert drawn == set()


def test_same_letter_same_bytes():
    assert render_letter_pdf(DOC) == render_letter_pdf(DOC)
    assert render_letter_pdf(DOC) != render_letter_pdf(dataclasses.replace(DOC, number="x/1"))


def test_a_long_letter_keeps_the_signature_and_qr_together_on_the_last_page():
    long_doc = dataclasses.replace(
        DOC,
        paragraphs=(DOC.paragraphs[0],)
        + tuple(f"Paragraf {i}: " + "isi surat yang panjang " * 25 for i in range(8)),
    )
    reader = read(render_letter_pdf(long_doc))
    assert len(reader.pages) >= 2
    last = " ".join(reader.pages[-1].extract_text().split())
    for piece in ("Kupang, 29 November 2026", "Yohanes Benu, S.Sos", "NIP. 19780512", URL):
        assert piece in last
    assert qr_in_page(reader.pages[-1])[0]
    assert not qr_in_page(reader.pages[0])[0]
    # Every later page names the letter it continues.
    for page in reader.pages[1:]:
        first_line = page.extract_text().splitlines()[0]
        assert first_line == f"Lanjutan Surat Keterangan Domisili Nomor {DOC.number}"
    assert "Lanjutan" not in reader.pages[0].extract_text()
    assert "Paragraf 7:" in text_of(render_letter_pdf(long_doc))


def test_identity_table_can_follow_any_paragraph():
    data = render_letter_pdf(dataclasses.replace(DOC, identity_after=3))
    text = text_of(data)
    assert text.index("sebagaimana mestinya") < text.index("Maria Goreti Ndoen")
    assert "Maria Goreti Ndoen" not in text_of(
        render_letter_pdf(dataclasses.replace(DOC, identity=()))
    )


def test_multi_line_signer_title():
    signer = Signer("a.n. Lurah Fatululi\nSekretaris Kelurahan", "Ana Bele", "")
    text = text_of(render_letter_pdf(dataclasses.replace(DOC, signer=signer)))
    assert "a.n. Lurah Fatululi Sekretaris Kelurahan" in text and "Ana Bele" in text
    assert "NIP." not in text  # no NIP, no empty NIP line


def test_document_rejects_bad_values_and_freezes_lists():
    with pytest.raises(ValueError, match="A4 or F4"):
        dataclasses.replace(DOC, paper_size="Letter")
    with pytest.raises(ValueError, match="identity_after"):
        dataclasses.replace(DOC, identity_after=4)
    doc = dataclasses.replace(DOC, paragraphs=["a", "b"], identity=[["Nama", "X"]])
    assert doc.paragraphs == ("a", "b") and doc.identity == (("Nama", "X"),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.number = "1"  # type: ignore[misc]


# -- characters the core fonts cannot print ------------------------------------------------------


@pytest.mark.parametrize(
    ("given_text", "printed"),
    [
        ("Kupang – NTT — “Flobamora” ‘x’ … • € ©", "Kupang – NTT — “Flobamora” ‘x’ … • € ©"),
        ("Jose\u0301 Ndoen", "José Ndoen"),  # combining accent composed (NFC)
        ("RT\u2010004\u2011A", "RT-004-A"),  # Unicode hyphens
        ("5 \u2212 3", "5 - 3"),  # minus sign
        ("O\u02bcepura", "O’epura"),  # modifier apostrophe
        ("a\u200bb\ufeffc", "abc"),  # invisible characters
        ("10\u202f000", "10\u00a0000"),  # narrow no-break space
        ("\ufb01le", "file"),  # ligature
        ("Łukasz Dvořák Erdős", "Lukasz Dvorák Erdos"),  # outside 1252: base letter
        ("\u2264 18", "<= 18"),
        ("😀 ok", "? ok"),
        ("tab\there", "tab here"),
        ("bell\x07", "bell"),
    ],
)
def test_pdf_text_maps_what_windows_1252_lacks(given_text, printed):
    assert pdf_text(given_text) == printed


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_any_text_renders_and_reads_back_as_its_printable_form(name):
    printed = pdf_text(name)
    printed.encode("windows-1252")  # never raises
    doc = dataclasses.replace(DOC, identity=(("Nama", name),))
    text = text_of(render_letter_pdf(doc))
    expected = " ".join(printed.split())
    if expected and not set(expected) & {"\u00ad", "\u00a0"}:  # soft hyphen, nbsp: layout-only
        assert expected in text


def test_nip_is_grouped_like_on_paper():
    assert format_nip("197805122005011003") == "19780512 200501 1 003"
    assert format_nip("19780512 200501 1 003") == "19780512 200501 1 003"
    assert format_nip("12345") == "12345"
    assert format_nip("") == ""


def test_place_date_line_in_indonesian_and_wita():
    assert place_date_line(dt.date(2026, 11, 29)) == "Kupang, 29 November 2026"
    # 23.30 UTC is already the next day in Kupang.
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert place_date_line(late) == "Kupang, 1 Januari 2027"
