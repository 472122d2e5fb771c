"""Time to render one letter PDF (fpdf2 + segno QR), A4 and F4, and to sign its content.

Every letter differs (name, number, verification token), as in a real batch. Prints median and
p95 per letter; the goal of issue 4 is ≤ 50 ms a letter.
Usage: uv run python bench/letter_pdf.py [letters]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sodamolek.documents.pdf import Block, LetterDocument, Signer, render_letter_pdf
from sodamolek.documents.signing import canonical_content, sign, verify
from sodamolek.documents.tokens import new_verification_token

CAMAT = Signer("Camat Oebobo", "Drs. Petrus Lona, M.Si", "196912311994031010")
NAMES = ["Maria Goreti Ndoen", "Yohanis Fanggidae", "Kristina Bana Lake", "Abdul Rahman Kiu"]


def letter(i: int, paper: str, camat: bool) -> LetterDocument:
    name = random.choice(NAMES)
    return LetterDocument(
        paper_size=paper,
        kecamatan="Oebobo",
        kelurahan="Fatululi",
        office_address="Jl. Frans Seda No. 12, Fatululi, Kota Kupang 85111",
        office_phone="(0380) 821234",
        title="Surat Keterangan Domisili",
        number=f"470/{i:03}/53.71.04.1005/XI/2026",
        blocks=(
            Block(
                "paragraph",
                text="Yang bertanda tangan di bawah ini, Lurah Fatululi, Kecamatan Oebobo, Kota "
                "Kupang, menerangkan bahwa:",
            ),
            Block(
                "table",
                rows=(
                    ("Nama", name),
                    ("NIK", f"537104570890{i % 10000:04}"),
                    ("Tempat/Tgl Lahir", "Kupang, 17 Agustus 1990"),
                    ("Jenis Kelamin", "Perempuan"),
                    ("Pekerjaan", "Wiraswasta"),
                    ("Alamat", "Jl. Timor Raya No. 45, RT 004/RW 002, Kelurahan Fatululi"),
                ),
            ),
            Block(
                "paragraph",
                text=f"Benar {name} berdomisili di RT 004/RW 002 Kelurahan Fatululi sejak 2019 – "
                "sekarang. Surat keterangan ini diberikan untuk keperluan pendaftaran sekolah.",
            ),
            Block(
                "closing",
                text="Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana "
                "mestinya.",
            ),
            Block("signature"),
        ),
        place_date="Kupang, 29 November 2026",
        signer=Signer("Lurah Fatululi", "Yohanes Benu, S.Sos", "197805122005011003"),
        countersigner=CAMAT if camat else None,
        verification_url=f"https://surat.kupangkota.go.id/verifikasi/{new_verification_token()}",
        issued_at=dt.datetime(2026, 11, 29, 6, 5, tzinfo=dt.UTC),
    )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[max(0, round(0.95 * len(ms)) - 1)]


def report(label: str, wall: list[float], cpu: list[float], extra: str = "") -> None:
    """Wall time is what a lurah waits; CPU time shows the work when the machine is busy."""
    wall_median, wall_p95 = percentiles(wall)
    cpu_median, cpu_p95 = percentiles(cpu)
    print(
        f"{label:<26} wall median {wall_median:6.2f} ms  p95 {wall_p95:6.2f} ms   "
        f"cpu median {cpu_median:6.2f} ms  p95 {cpu_p95:6.2f} ms   n={len(wall)}{extra}"
    )


def timed(work) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    random.seed(4)
    render_letter_pdf(letter(0, "A4", False))  # warm up imports and font metrics
    for paper, camat in (("A4", False), ("F4", False), ("F4", True)):
        docs = [letter(i + 1, paper, camat) for i in range(count)]
        wall, cpu, size = [], [], 0
        for doc in docs:
            elapsed, used, data = timed(lambda doc=doc: render_letter_pdf(doc))
            wall.append(elapsed)
            cpu.append(used)
            size = len(data)
        label = f"render {paper}" + (" + camat" if camat else "")
        report(label, wall, cpu, f"   {size / 1024:.1f} KiB")

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    fields = {
        "number": "470/007/53.71.04.1005/XI/2026",
        "applicant": {"name": "Maria Goreti Ndoen", "nik": "5371045708900003"},
        "signed_at": dt.datetime.now(dt.UTC),
        "signer": {"name": "Yohanes Benu, S.Sos", "nip": "197805122005011003"},
    }

    def sign_and_check() -> None:
        content = canonical_content(fields)
        assert verify(public, content, sign(key, content))

    wall, cpu = [], []
    for _ in range(count):
        elapsed, used, _ = timed(sign_and_check)
        wall.append(elapsed)
        cpu.append(used)
    report("canonical + sign + verify", wall, cpu)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
