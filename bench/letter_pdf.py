"""Time to render one letter PDF, for every seeded letter type on F4, against a bare fpdf2 page of
the same text measured in the same run.

The letter: kop with the emblem, its blocks rendered from the seeded catalogue with a request's
answers, the signature block, the verification QR, the embedded Liberation Serif subset; the
first type once more with a PNG emblem (1000 pixels with transparency, as an uploaded city
emblem is), as the default emblem is an SVG. Two bare
pages of the same text in one multi_cell: with the core Times font (nothing embedded), and with
the same Liberation Serif added the ordinary way (fpdf2's add_font, parsed for every document).
All are measured in interleaved rounds (letter, bare pages, next type, …), CPU time per render,
so a busy machine slows them alike; a ratio is the median letter over the median bare page of
the same type.
Goal: every letter within 2.5× the bare page and ≤ 25 ms median.
Usage: uv run python bench/letter_pdf.py [rounds]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import statistics
import sys
import time

from fpdf import FPDF
from PIL import Image, ImageDraw

from sodamolek.documents.pdf import (
    FONT_DIR,
    FONT_FILES,
    Emblem,
    LetterDocument,
    Signer,
    render_letter_pdf,
)
from sodamolek.documents.tokens import new_verification_token
from sodamolek.issuing.service import template_context
from sodamolek.letters.blocks import body_text
from sodamolek.letters.service import default_catalogue, render_letter_body, validate_request_data

WHEN = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)
OFFICE = {
    "name": "Fatululi",
    "code": "53.71.04.1005",
    "address": "Jl. Frans Seda No. 12, Kupang",
    "kecamatan_name": "Oebobo",
    "kecamatan_code": "53.71.04",
    "phone": "(0380) 821234",
}
APPLICANT = {
    "applicant_name": "Maria Goreti Ndoen",
    "applicant_nik": "5371045708900003",
    "applicant_birth_place": "Kupang",
    "applicant_birth_date": dt.date(1990, 8, 17),
    "applicant_sex": "P",
    "applicant_address": "Jl. Timor Raya No. 45",
    "applicant_rt": "004",
    "applicant_rw": "002",
    "applicant_religion": "KATOLIK",
    "applicant_occupation": "WIRASWASTA",
    "applicant_marital_status": "KAWIN",
    "applicant_citizenship": "WNI",
}
SAMPLE = {
    "text": "Yohanis Fanggidae",
    "textarea": "Jl. El Tari No. 5, RT 001/RW 003, Oebobo",
    "number": "3",
    "date": "2026-11-20",
}
SIGNER = {"nama": "Yohanes Benu, S.Sos", "jabatan": "Lurah", "nip": "197805122005011003"}


def letters() -> list[tuple[str, LetterDocument]]:
    out = []
    for item in default_catalogue():
        form = {
            f["name"]: f["options"][0] if f["type"] == "select" else SAMPLE[f["type"]]
            for f in item["fields"]
        }
        clean, errors = validate_request_data(item, form)
        assert not errors, errors
        context = template_context(
            {**APPLICANT, "data": clean},
            OFFICE,
            SIGNER,
            "470/007/53.71.04.1005/XI/2026",
            WHEN,
            item["validity_days"],
        )
        document = LetterDocument(
            kecamatan="Oebobo",
            kelurahan="Fatululi",
            office_address=OFFICE["address"],
            office_phone=OFFICE["phone"],
            title=item["name"],
            number="470/007/53.71.04.1005/XI/2026",
            blocks=render_letter_body(item, context),
            place_date="Kupang, 29 November 2026",
            signer=Signer("Lurah Fatululi", SIGNER["nama"], SIGNER["nip"]),
            paper_size="F4",
            verification_url=f"https://surat.kupangkota.go.id/verifikasi/{new_verification_token()}",
            issued_at=WHEN,
        )
        out.append((item["code"], document))
    code, first = out[0]
    out.append((f"{code}+png", dataclasses.replace(first, emblem=png_emblem())))
    return out


def png_emblem() -> Emblem:
    image = Image.new("RGBA", (1000, 1000), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i in range(0, 500, 20):
        colour = (200 - i // 3, 30 + i // 4, 40, 255)
        draw.ellipse((i, i, 1000 - i, 1000 - i), fill=colour, outline="black", width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return Emblem(out.getvalue(), "image/png")


def bare_page(text: str) -> bytes:
    pdf = FPDF(format=(215, 330), unit="mm")
    pdf.add_page()
    pdf.set_font("Times", "", 12)
    pdf.multi_cell(0, 6, text.encode("windows-1252", "replace").decode("windows-1252"))
    return bytes(pdf.output())


def bare_page_ttf(text: str) -> bytes:
    pdf = FPDF(format=(215, 330), unit="mm")
    pdf.add_font("serif", "", str(FONT_DIR / FONT_FILES[""]))
    pdf.add_page()
    pdf.set_font("serif", "", 12)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def cpu(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    documents = letters()
    texts = {code: f"{doc.title}\n{body_text(doc.blocks)}" for code, doc in documents}
    for code, doc in documents:  # warm up: font parsing, imports
        render_letter_pdf(doc)
        bare_page(texts[code])
        bare_page_ttf(texts[code])
    full: dict[str, list[float]] = {code: [] for code, _ in documents}
    bare: dict[str, list[float]] = {code: [] for code, _ in documents}
    bare_ttf: dict[str, list[float]] = {code: [] for code, _ in documents}
    for _ in range(rounds):
        for code, doc in documents:
            full[code].append(cpu(lambda doc=doc: render_letter_pdf(doc)))
            bare[code].append(cpu(lambda code=code: bare_page(texts[code])))
            bare_ttf[code].append(cpu(lambda code=code: bare_page_ttf(texts[code])))
    print(
        f"{'type (F4)':<16} {'letter ms min/median/max':>25} {'bare Times':>11} {'ratio':>6}"
        f" {'bare TTF':>9} {'ratio':>6}"
    )
    ratios, ratios_ttf = [], []
    for code, _ in documents:
        ms = sorted(s * 1000 for s in full[code])
        times_median = statistics.median(bare[code]) * 1000
        ttf_median = statistics.median(bare_ttf[code]) * 1000
        ratios.append(statistics.median(ms) / times_median)
        ratios_ttf.append(statistics.median(ms) / ttf_median)
        print(
            f"{code:<16} {ms[0]:7.1f} /{statistics.median(ms):6.1f} /{ms[-1]:6.1f}"
            f" {times_median:11.1f} {ratios[-1]:5.2f}× {ttf_median:9.1f} {ratios_ttf[-1]:5.2f}×"
        )
    every = sorted(s * 1000 for code in full for s in full[code])
    print(
        f"all types: median {statistics.median(every):.1f} ms a letter; against bare Times "
        f"min {min(ratios):.2f}× median {statistics.median(ratios):.2f}× max {max(ratios):.2f}×; "
        f"against bare TTF min {min(ratios_ttf):.2f}× median "
        f"{statistics.median(ratios_ttf):.2f}× max {max(ratios_ttf):.2f}×; {rounds} "
        f"interleaved rounds; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus"
    )


if __name__ == "__main__":
    main()
