"""The letter PDF read back with pypdf: its text, its page size, its layout and its QR code."""

import dataclasses
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import segno
import zxingcpp
from fpdf import FPDF
from fpdf import image_parsing as fpdf_image_parsing
from fpdf import output as fpdf_output
from fpdf.image_datastructures import ImageCache
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream

from sodamolek.documents import pdf as letter_pdf
from sodamolek.documents.pdf import (
    Block,
    Emblem,
    LetterDocument,
    Signer,
    format_nip,
    pdf_text,
    place_date_line,
    render_letter_pdf,
)
from sodamolek.documents.qr import QR_ERROR, QR_MASK, QUIET_ZONE, SEAM
from sodamolek.documents.tokens import new_verification_token

MM = 72 / 25.4  # points per millimetre
URL = "https://surat.kupangkota.go.id/verifikasi/AbCdEfGhIjKlMnOpQrStUvWx"
ADDRESS = (
    "Jl. Timor Raya No. 45, RT 004/RW 002, Kelurahan Fatululi, Kecamatan Oebobo, "
    "Kota Kupang, Nusa Tenggara Timur"
)
IDENTITY = (
    ("Nama", "Maria Goreti Ndoen"),
    ("NIK", "5371045708900003"),
    ("Tempat/Tgl Lahir", "Kupang, 17 Agustus 1990"),
    ("Jenis Kelamin", "Perempuan"),
    ("Alamat", ADDRESS),
)
DOC = LetterDocument(
    kecamatan="Oebobo",
    kelurahan="Fatululi",
    office_address="Jl. Frans Seda No. 12, Fatululi, Kota Kupang 85111",
    office_phone="(0380) 821234",
    title="Surat Keterangan Domisili",
    number="470/007/53.71.04.1005/XI/2026",
    blocks=(
        Block(
            "paragraph",
            text="Yang bertanda tangan di bawah ini, Lurah Fatululi, Kecamatan Oebobo, Kota "
            "Kupang, menerangkan bahwa:",
        ),
        Block("table", rows=IDENTITY),
        Block(
            "paragraph",
            text="Benar yang bersangkutan berdomisili di RT 004/RW 002 sejak 2019 – sekarang; "
            "surat ini diberikan untuk keperluan “pendaftaran sekolah” (anak ke-2) di SD Inpres "
            "O’epura…",
        ),
        Block(
            "closing",
            text="Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya.",
        ),
        Block("signature"),
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
        "2019 – sekarang",
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
    # Kop centred right of the emblem, the title on the text column (3 cm left, 2 cm right).
    column_centre = 30 * MM + (width - 50 * MM) / 2
    kop_left = (30 + letter_pdf.EMBLEM_SIZE + 2) * MM
    kop_centre = kop_left + (width - 20 * MM - kop_left) / 2
    for line, size, centre_x in (
        ("PEMERINTAH KOTA KUPANG", 14, kop_centre),
        ("SURAT KETERANGAN DOMISILI", 13, column_centre),
    ):
        metrics = FPDF(unit="pt")
        bold = letter_pdf.FONT_DIR / letter_pdf.FONT_FILES["B"]
        metrics.add_font(letter_pdf.FONT, "B", str(bold))
        metrics.set_font(letter_pdf.FONT, "B", size)
        centre = where[line][0] + metrics.get_string_width(line) / 2
        assert centre == pytest.approx(centre_x, abs=0.5)
    assert where["KELURAHAN FATULULI"][1] > where["SURAT KETERANGAN DOMISILI"][1]
    assert where["SURAT KETERANGAN DOMISILI"][1] > where["Nomor: 470/007/53.71.04.1005/XI/2026"][1]
    # The body starts at the 3 cm left margin.
    assert where["menerangkan bahwa:"][0] == pytest.approx(30 * MM, abs=0.1)
    # Identity table: labels, colons and values each in one column.
    labels = [where[label] for label, _ in IDENTITY]
    values = [where[value] for _, value in IDENTITY[:-1]]
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


def qr_runs(page, paper="A4") -> list[tuple[float, float, float, float]]:
    """The filled rectangles of the QR as (left, top, width, height) in mm from the page's top
    left: draw_qr fills one rectangle per run of dark modules in a row; nothing else on a letter
    is a filled rectangle of that height."""
    operations = ContentStream(page.get_contents(), page.pdf).operations
    height_mm = letter_pdf.PAPER_SIZES_MM[paper][1]
    runs = []
    for operands, operator in operations:
        if operator == b"re":
            x, y, w, h = (float(v) / MM for v in operands)
            runs.append((x, height_mm - y if h < 0 else height_mm - y - h, w, abs(h)))
    # Module-high rectangles in the QR's corner only (underlines are rectangles too).
    corner_x = letter_pdf.MARGIN_LEFT + letter_pdf.QR_SIZE
    corner_y = height_mm - letter_pdf.MARGIN_BOTTOM - letter_pdf.QR_SIZE
    return [r for r in runs if 0.3 < r[3] < 1.2 and r[0] < corner_x and r[1] > corner_y]


def qr_in_page(page, paper="A4") -> tuple[set[tuple[int, int]], tuple[float, float, float]]:
    """The dark modules drawn on the page (row, column) and the QR's (left, top, module) in mm."""
    runs = qr_runs(page, paper)
    if not runs:
        return set(), ()
    unit = min(r[3] for r in runs) - SEAM
    left, top = min(r[0] for r in runs), min(r[1] for r in runs)
    cells = set()
    for x, y, w, _ in runs:
        row, col = round((y - top) / unit), round((x - left) / unit)
        cells |= {(row, col + i) for i in range(round(w / unit))}
    return cells, (left, top, unit)


def test_qr_scans():
    """The QR as printed at 300 dpi, read by ZXing (the decoder of most phone scanners), for
    tokens of every kind: the fixed data mask reads as well as the one segno would choose."""
    dpmm = 300 / 25.4
    for n in range(12):
        url = f"https://surat.kupangkota.go.id/verifikasi/{new_verification_token()}"
        if n == 0:
            url = URL
        page = read(render_letter_pdf(dataclasses.replace(DOC, verification_url=url))).pages[0]
        runs = qr_runs(page)
        left = letter_pdf.MARGIN_LEFT
        top = letter_pdf.PAPER_SIZES_MM["A4"][1] - letter_pdf.MARGIN_BOTTOM - letter_pdf.QR_SIZE
        side = round(letter_pdf.QR_SIZE * dpmm)
        image = Image.new("L", (side, side), 255)
        draw = ImageDraw.Draw(image)
        for x, y, w, h in runs:
            x0, y0 = (x - left) * dpmm, (y - top) * dpmm
            draw.rectangle((x0, y0, x0 + w * dpmm - 1, y0 + h * dpmm - 1), fill=0)
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [code.text for code in found] == [url]


@pytest.mark.parametrize("paper", ["A4", "F4"])
def test_qr_code_is_the_verification_url(paper):
    page = read(render_letter_pdf(dataclasses.replace(DOC, paper_size=paper))).pages[0]
    drawn, (left, top, unit) = qr_in_page(page, paper)
    expected = segno.make(URL, error=QR_ERROR, micro=False, mask=QR_MASK)  # independently
    matrix = list(expected.matrix_iter(scale=1, border=0))
    dark = {(r, c) for r, row in enumerate(matrix) for c, module in enumerate(row) if module}
    assert drawn == dark
    # Bottom left: at the left margin, its quiet zone ending at the bottom margin.
    side = unit * expected.symbol_size(scale=1, border=QUIET_ZONE)[0]
    height_mm = letter_pdf.PAPER_SIZES_MM[paper][1]
    # The finder patterns fill the first column and row, so the code starts at the quiet zone.
    assert left - QUIET_ZONE * unit == pytest.approx(letter_pdf.MARGIN_LEFT, abs=0.01)
    assert top - QUIET_ZONE * unit + side == pytest.approx(
        height_mm - letter_pdf.MARGIN_BOTTOM, abs=0.05
    )
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
        blocks=(DOC.blocks[0],)
        + tuple(
            Block("paragraph", text=f"Paragraf {i}: " + "isi surat yang panjang " * 25)
            for i in range(8)
        ),
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


def test_blocks_print_in_their_order_with_headings():
    doc = dataclasses.replace(
        DOC,
        blocks=(
            Block("paragraph", text="Menerangkan bahwa:"),
            Block("table", heading="Yang meninggal:", rows=(("Nama", "Yosef Ōta"),)),
            Block("table", heading="Pelapor:", rows=(("Nama", "Maria Ŋgala"),)),
            Block("heading", text="Keterangan lain"),
            Block("list", heading="Dilampiri:", items=("KTP-el", "Kartu Keluarga")),
            Block("closing", text="Demikian surat ini."),
            Block("signature"),
        ),
    )
    text = text_of(render_letter_pdf(doc))
    order = [
        "Menerangkan bahwa:",
        "Yang meninggal:",
        "Yosef Ōta",
        "Pelapor:",
        "Maria Ŋgala",
        "Keterangan lain",
        "Dilampiri:",
        "1. KTP-el",
        "2. Kartu Keluarga",
        "Demikian surat ini.",
        "Kupang, 29 November 2026",
        "Yohanes Benu",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions)


def test_signatures_follow_the_last_block_without_a_signature_block():
    doc = dataclasses.replace(DOC, blocks=DOC.blocks[:-1])
    text = text_of(render_letter_pdf(doc))
    assert text.index("sebagaimana mestinya") < text.index("Yohanes Benu, S.Sos")


def test_multi_line_signer_title():
    signer = Signer(
        "Lurah Fatululi", "Ana Bele", "", capacity="a.n.", position="Sekretaris Kelurahan"
    )
    text = text_of(render_letter_pdf(dataclasses.replace(DOC, signer=signer)))
    assert "a.n. Lurah Fatululi Sekretaris Kelurahan" in text and "Ana Bele" in text
    assert "NIP." not in text  # no NIP, no empty NIP line
    acting = Signer("Lurah Fatululi", "Ana Bele", "197805122005011003", capacity="Plt.")
    acting_text = text_of(render_letter_pdf(dataclasses.replace(DOC, signer=acting)))
    assert "Plt. Lurah Fatululi" in acting_text


def test_fonts_are_embedded_subsets():
    reader = read(render_letter_pdf(DOC))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0"  # no core (non-embedded) font anywhere
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is in the file
        assert "LiberationSerif" in str(font["/BaseFont"])
        # A subset: far smaller than the font file.
        assert len(descriptor["/FontFile2"].get_object().get_data()) < 60_000


def test_fonts_written_once_per_glyph_set_are_the_bytes_fpdf2_writes(monkeypatch):
    """A letter's fonts are copied from the first letter with the same glyphs; if fpdf2 (pinned in
    uv.lock) ever writes its font objects differently, the copy differs from its own output."""
    subsets = []
    real_subset = fpdf_output.ftsubset.Subsetter.subset
    monkeypatch.setattr(
        fpdf_output.ftsubset.Subsetter,
        "subset",
        lambda self, font: subsets.append(font) or real_subset(self, font),
    )
    monkeypatch.setattr(letter_pdf, "_FONT_OBJECTS", {})
    first = render_letter_pdf(DOC)  # fpdf2 subsets both styles
    assert len(subsets) == 2
    again = render_letter_pdf(DOC)
    assert again == first and len(subsets) == 2  # the same bytes, nothing subset again
    other = dataclasses.replace(DOC, number="470/008/53.71.04.1005/XI/2026")
    assert "470/008" in text_of(render_letter_pdf(other)) and len(subsets) == 2  # same glyphs
    rare = dataclasses.replace(DOC, title="Surat Keterangan Ōta")  # one glyph more, in bold
    rare_pdf = render_letter_pdf(rare)
    assert len(subsets) == 4 and "SURAT KETERANGAN ŌTA" in text_of(rare_pdf)
    monkeypatch.setattr(letter_pdf, "_FONT_OBJECTS", {})
    assert render_letter_pdf(rare) == rare_pdf  # written by fpdf2 alone: the same bytes
    assert render_letter_pdf(DOC) == first


WORDS = st.sampled_from(
    ["Kupang", "Jl.", "No.", "45,", "RT", "004/RW", "a", "Ōta", "–", "“sekolah”", URL, "x" * 90]
)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(WORDS, min_size=1, max_size=40),
    room=st.floats(min_value=20, max_value=160),
    size=st.sampled_from([9, 10, 12]),
)
def test_lines_break_where_multi_cell_breaks(words, room, size):
    """The letter's own line breaking (each word measured once) gives multi_cell's lines, or
    leaves the text to multi_cell."""
    pdf = FPDF(unit="mm")
    letter_pdf._add_fonts(pdf)
    pdf.add_page()
    pdf.c_margin = 0
    pdf.set_font(letter_pdf.FONT, "", size)
    text = " ".join(words)
    lines = letter_pdf._lines(pdf, room, text)
    expected = pdf.multi_cell(room, 5, text, align="L", dry_run=True, output="LINES")
    if lines is None:  # only when a word is wider than the column
        assert any(pdf.get_string_width(word) > room for word in words)
    else:
        assert lines == expected


def test_lines_leave_anything_but_plain_spaces_to_multi_cell():
    pdf = FPDF(unit="mm")
    letter_pdf._add_fonts(pdf)
    pdf.add_page()
    pdf.set_font(letter_pdf.FONT, "", 12)
    for text in ("a  b", " a", "a ", "a\nb", "a\u00a0b", "a\u00adb", "a\u2009b", ""):
        assert letter_pdf._lines(pdf, 100, text) is None


def test_letters_drawn_in_threads_at_once_are_the_letters_drawn_one_by_one(monkeypatch):
    """The server draws letters in worker threads: the shared fonts and emblem stay unchanged."""
    monkeypatch.setattr(letter_pdf, "_FONT_OBJECTS", {})
    docs = [
        dataclasses.replace(DOC, title=f"Surat Keterangan {name}", number=f"470/{n:03d}/XI/2026")
        for n, name in enumerate(["Domisili", "Usaha", "Ōta", "Kelahiran", "Ŋgala", "Pindah"])
    ]
    with ThreadPoolExecutor(4) as pool:
        at_once = list(pool.map(render_letter_pdf, docs * 4))
    assert at_once == [render_letter_pdf(doc) for doc in docs * 4]


def test_a_png_emblem_is_decoded_once_and_printed_as_fpdf2_prints_it(monkeypatch):
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))  # transparent around a round emblem
    ImageDraw.Draw(image).ellipse((20, 20, 380, 380), fill=(180, 20, 30, 255), outline="black")
    png = io.BytesIO()
    image.save(png, "PNG")
    doc = dataclasses.replace(DOC, emblem=Emblem(png.getvalue(), "image/png"))
    decoded = []
    real_decode = fpdf_image_parsing.get_img_info
    monkeypatch.setattr(
        fpdf_image_parsing,
        "get_img_info",
        lambda *args, **kwargs: decoded.append(1) or real_decode(*args, **kwargs),
    )
    letter_pdf._parsed_png.cache_clear()
    first = render_letter_pdf(doc)
    assert render_letter_pdf(doc) == first and len(decoded) == 1  # once per process
    page = read(first).pages[0]
    emblems = list(page.images)
    assert len(emblems) == 1 and emblems[0].image.size == (400, 400)
    # fpdf2 left to decode it for this letter alone writes the same bytes.
    monkeypatch.setattr(letter_pdf, "_emblem_image_cache", lambda data: ImageCache())
    assert render_letter_pdf(doc) == first and len(decoded) == 2


def test_names_outside_windows_1252_read_back_intact():
    names = ("Yohanes Ōmatu", "Ŋgala Ndoen", "Ștefan Dvořák Erdős Łukasz")
    doc = dataclasses.replace(
        DOC, blocks=(Block("table", heading="Yang meninggal:", rows=[("Nama", n) for n in names]),)
    )
    text = text_of(render_letter_pdf(doc))
    for name in names:
        assert name in text


def test_document_rejects_bad_values_and_freezes_lists():
    with pytest.raises(ValueError, match="A4 or F4"):
        dataclasses.replace(DOC, paper_size="Letter")
    with pytest.raises(ValueError, match="signature"):
        dataclasses.replace(DOC, blocks=[Block("signature"), Block("signature")])
    with pytest.raises(ValueError, match="kind"):
        Block("poem")
    doc = dataclasses.replace(DOC, blocks=[Block("table", rows=[["Nama", "X"]])])
    assert doc.blocks == (Block("table", rows=(("Nama", "X"),)),)
    assert Block.from_dict(doc.blocks[0].as_dict()) == doc.blocks[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.number = "1"  # type: ignore[misc]


# -- characters the embedded font cannot print ---------------------------------------------------


@pytest.mark.parametrize(
    ("given_text", "printed"),
    [
        ("Kupang – NTT — “Flobamora” ‘x’ … • € ©", "Kupang – NTT — “Flobamora” ‘x’ … • € ©"),
        ("Jose\u0301 Ndoen", "José Ndoen"),  # combining accent composed (NFC)
        ("RT\u2010004\u2011A", "RT\u2010004\u2011A"),  # Unicode hyphens: the font has them
        ("5 \u2212 3", "5 - 3"),  # minus sign
        ("O\u02bcepura", "O’epura"),  # modifier apostrophe
        ("a\u200bb\ufeffc", "abc"),  # invisible characters
        ("\ufb01le", "file"),  # ligature
        ("Łukasz Dvořák Erdős Ōta Ŋ", "Łukasz Dvořák Erdős Ōta Ŋ"),  # Latin: as typed
        ("Αθηνά", "?????"),  # Greek is not kept: no empty boxes
        ("ǅ", "Dž"),  # a digraph the font lacks: its letters
        ("\u2264 18", "<= 18"),
        ("😀 ok", "? ok"),
        ("tab\there", "tab here"),
        ("bell\x07", "bell"),
    ],
)
def test_pdf_text_maps_what_the_font_lacks(given_text, printed):
    assert pdf_text(given_text) == printed


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_any_text_renders_and_reads_back_as_its_printable_form(name):
    printed = pdf_text(name)
    assert all(ord(c) in letter_pdf.font_codepoints() or c == "\n" for c in printed)
    doc = dataclasses.replace(DOC, blocks=(Block("table", rows=(("Nama", name),)),))
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
