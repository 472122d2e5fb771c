"""PAdES signing throughput: a batch of letters signed by each back-end, and the PAdES step's cost
per letter against the bare PDF render, measured in the same run.

- render: the letter PDF alone (fpdf2), the baseline.
- embedded: the signer's PKCS#12 opened once per batch (production KDF rounds), then pyHanko
  appends one PAdES signature per letter (what the embedded back-end does).
- bsre: one POST /api/v2/sign/pdf with every letter of the batch to the fake BSrE service
  (`sodamolek fake-bsre`, a separate process on a loopback port), through our client.

Rounds interleave the three; each prints min/median/max seconds for the batch, letters per
second at the median, and the ratios per letter against the render.
Usage: uv run python bench/tte_signing.py [letters] [rounds]
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from letter_pdf import letters  # noqa: E402 - the same letters as the PDF benchmark

from sodamolek.documents.pdf import render_letter_pdf  # noqa: E402
from sodamolek.tte import bsre, ca, pades  # noqa: E402
from sodamolek.tte.fake_bsre import DEMO_PASSPHRASE, DEMO_SIGNERS  # noqa: E402
from sodamolek.tte.service import SigningSession  # noqa: E402

CA_PASS = "bench-ca-passphrase"  # noqa: S105 - a throw-away CA in a scratch folder
APPEARANCE = pades.Appearance(field_name="TTE-Lurah")
NIK = DEMO_SIGNERS["lurah.oebobo"][0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake_bsre(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, SODAMOLEK_BSRE_USER="bench", SODAMOLEK_BSRE_PASSWORD="bench-secret")  # noqa: S106
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [
            sys.executable,
            "-m",
            "sodamolek.cli",
            "fake-bsre",
            "--port",
            str(port),
            "--folder",
            str(folder),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/ca.pem", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("fake BSrE did not start")


def embedded_signer(folder: Path):
    from pyhanko.sign.signers.pdf_cms import SimpleSigner

    authority = ca.init_ca(folder, CA_PASS)
    identity = ca.SignerIdentity("Yohanes Ndun", "197805122005011003", "Lurah Oebobo", "Oebobo")
    certificate, key = ca.issue_signer_certificate(authority, CA_PASS, identity)
    archive = ca.lock_key(key, certificate, authority.certificates, DEMO_PASSPHRASE)

    def open_session() -> SigningSession:
        signer = SimpleSigner.load_pkcs12_data(archive, [], DEMO_PASSPHRASE.encode())
        return SigningSession(account_id=0, backend="embedded", _signer=signer)

    return authority, open_session


def summary(name: str, times: list[float], count: int) -> float:
    median = statistics.median(times)
    print(
        f"{name:9} batch of {count}: min {min(times):.2f} s, median {median:.2f} s, "
        f"max {max(times):.2f} s -> {count / median:.1f} letters/s, "
        f"{median / count * 1000:.1f} ms a letter"
    )
    return median


async def main(count: int, rounds: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-tte-"))
    authority, open_session = embedded_signer(work / "ca")
    process, url = start_fake_bsre(work / "bsre")
    client = bsre.BsreClient(bsre.BsreConfig(url, "bench", "bench-secret", timeout_seconds=300))
    # Every seeded letter type on F4, in turn, each with its own number.
    catalogue = [document for _, document in letters()]
    documents = [
        dataclasses.replace(catalogue[i % len(catalogue)], number=f"470/{i + 1:03}/XII/2026")
        for i in range(count)
    ]
    times: dict[str, list[float]] = {"render": [], "embedded": [], "bsre": []}
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            pdfs = [render_letter_pdf(d) for d in documents]
            times["render"].append(time.perf_counter() - start)

            start = time.perf_counter()
            session = open_session()  # once per batch, as the signing desk does
            signed = await session.sign_pdfs(pdfs, APPEARANCE, "Penerbitan surat", "Kupang")
            times["embedded"].append(time.perf_counter() - start)

            start = time.perf_counter()
            remote = await client.sign_pdfs(
                NIK,
                pdfs,
                bsre.SignatureProperties(reason="Penerbitan surat", location="Kupang"),
                passphrase=DEMO_PASSPHRASE,
            )
            times["bsre"].append(time.perf_counter() - start)
        # What was measured is what the product makes: both batches validate.
        assert all(r.ok for r in await pades.validate_pdf(signed[0], authority.certificates))
        assert len(remote) == count and remote[0].startswith(b"%PDF")
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"{count} letters, {rounds} rounds (interleaved), F4, one signer")
    render = summary("render", times["render"], count)
    embedded = summary("embedded", times["embedded"], count)
    remote_time = summary("bsre", times["bsre"], count)
    print(
        f"PAdES step per letter / bare render per letter: embedded {embedded / render:.2f}x, "
        f"bsre (fake, over HTTP) {remote_time / render:.2f}x"
    )


if __name__ == "__main__":
    letters_arg = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rounds_arg = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    asyncio.run(main(letters_arg, rounds_arg))
