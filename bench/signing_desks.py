"""Two lurah desks at once: 100 letters signed in batches of 10 from two browser sessions at
the same time, against `sodamolek serve --workers 2` on PostgreSQL; beside it, in the same run,
the same 100 from one session alone (the baseline). Rounds interleaved.

    uv run python bench/signing_desks.py postgresql://postgres@127.0.0.1:5432/scratch [rounds]

The database is emptied first. Each session opens the desk, ticks ten requests (one session from
the top of the list, the other from the bottom, so they meet in the middle and sometimes tick
the same one), signs, and goes on until the desk is empty. Prints per round: time, letters
signed, requests refused (signed meanwhile by the other desk), and every 5xx seen by either
browser; then min/median/max of both modes and their ratio. Goal: 0 5xx.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from sodamolek.tte.service import DEMO_PASSPHRASE

CHROMIUM = os.environ.get("SODAMOLEK_CHROMIUM", "/usr/bin/chromium")
LETTERS = 100
BATCH = 10
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a scratch database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def prepare(url: str, data_dir: Path) -> None:
    """Empty the database, migrate, seed, two lurahs and an operator."""
    import asyncpg

    connection = await asyncpg.connect(url)
    await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await connection.close()
    from sodamolek import db
    from sodamolek.accounts.service import create_account
    from sodamolek.seed import seed
    from sodamolek.settings import Settings

    settings = Settings(database_url=url, data_dir=data_dir, env="development")
    engine = db.use_engine(db.build_engine(settings))
    await db.start_engine(engine)
    try:
        await db.migrate()
        await seed()
        for username, role in (
            ("op.bench", "operator"),
            ("lurah.a", "lurah"),
            ("lurah.b", "lurah"),
        ):
            await create_account(
                username=username,
                full_name=username.title(),
                role=role,
                password=PASSWORD,
                kelurahan="53.71.04.1001",
                nip="197805122005011003",
            )
    finally:
        await db.stop_engine(engine)


async def fill_desk(url: str, data_dir: Path) -> None:
    """LETTERS requests awaiting the lurah's signature, applicants verified."""
    from sodamolek import db
    from sodamolek.accounts.service import load_user
    from sodamolek.accounts.tables import Account
    from sodamolek.letter_requests import service as requests
    from sodamolek.letter_requests.tables import LetterRequest
    from sodamolek.settings import Settings

    settings = Settings(database_url=url, data_dir=data_dir, env="development")
    engine = db.use_engine(db.build_engine(settings))
    await db.start_engine(engine)
    try:
        row = await Account.select(Account.id).where(Account.username == "op.bench").first()
        operator = await load_user(row["id"])
        for _ in range(LETTERS):
            submission = requests.Submission(
                client_request_id=str(uuid.uuid4()),
                letter_type="domisili",
                applicant={
                    "applicant_nik": "5371045708900003",
                    "applicant_name": "Maria Ndun",
                    "applicant_birth_place": "Kupang",
                    "applicant_address": "Jl. El Tari 5",
                },
                data={"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari 5"},
            )
            rid = (await requests.create_request(operator, submission)).request["id"]
            await LetterRequest.update({LetterRequest.applicant_verified: True}).where(
                LetterRequest.id == rid
            )
            await requests.change_status(operator, rid, "awaiting_signature")
    finally:
        await db.stop_engine(engine)


def start_server(url: str, data_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_DATA_DIR": str(data_dir),
        "SODAMOLEK_DATABASE_URL": url,
        "SODAMOLEK_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - kept open for the process
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "sodamolek.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("server did not start: " + (data_dir / "server.log").read_text()[-2000:])


async def desk_session(browser, base: str, username: str, from_bottom: bool, tally: dict) -> None:
    context = await browser.new_context(locale="id-ID")
    context.set_default_timeout(60_000)
    page = await context.new_page()

    def seen(response):
        if response.status >= 500:
            tally["5xx"].append(f"{response.status} {response.url}")

    page.on("response", seen)
    await page.goto(base + "/masuk")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda u: "/masuk" not in u)
    while True:
        await page.goto(base + "/tanda-tangan")
        boxes = page.locator("input[name=ids]")
        count = await boxes.count()
        if count == 0:
            break
        picks = (
            range(count - 1, max(-1, count - 1 - BATCH), -1)
            if from_bottom
            else range(min(BATCH, count))
        )
        for index in picks:
            await boxes.nth(index).check()
        await page.fill("#passphrase", DEMO_PASSPHRASE)  # once per batch, as a lurah does
        async with page.expect_navigation():
            await page.click("form.sign-form button[type=submit]")
        text = await page.content()
        tally["batches"] += 1
        if "surat ditandatangani:" in text:
            signed = await page.locator(".notice li").count()
            tally["signed"] += signed
        if "Tidak ditandatangani" in text:
            tally["refused"] += await page.locator(".error li").count()
    await context.close()


async def one_round(url: str, data_dir: Path, base: str, sessions: int) -> dict:
    await fill_desk(url, data_dir)
    from playwright.async_api import async_playwright

    tally = {"5xx": [], "signed": 0, "refused": 0, "batches": 0}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        start = time.perf_counter()
        users = [("lurah.a", False), ("lurah.b", True)][:sessions]
        await asyncio.gather(*[desk_session(browser, base, u, b, tally) for u, b in users])
        tally["seconds"] = time.perf_counter() - start
        await browser.close()
    return tally


async def main(url: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        await prepare(url, data_dir)
        port = free_port()
        server = start_server(url, data_dir, port)
        base = f"http://127.0.0.1:{port}"
        results: dict[int, list[dict]] = {1: [], 2: []}
        try:
            for number in range(rounds):
                for sessions in (2, 1):  # interleaved: target, then baseline
                    tally = await one_round(url, data_dir, base, sessions)
                    results[sessions].append(tally)
                    print(
                        f"round {number + 1}, {sessions} session(s): {tally['signed']} letters "
                        f"in {tally['seconds']:.1f} s, {tally['batches']} batches, "
                        f"{tally['refused']} refused (signed by the other desk), "
                        f"{len(tally['5xx'])} 5xx {tally['5xx'][:3]}",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
        for sessions, label in ((2, "two desks at once"), (1, "one desk alone")):
            times = [t["seconds"] for t in results[sessions]]
            print(
                f"{label}: min {min(times):.1f} s, median {statistics.median(times):.1f} s, "
                f"max {max(times):.1f} s for {LETTERS} letters; "
                f"5xx: {sum(len(t['5xx']) for t in results[sessions])}"
            )
        two = statistics.median(t["seconds"] for t in results[2])
        one = statistics.median(t["seconds"] for t in results[1])
        print(f"ratio two desks / one desk (median): {two / one:.2f}")
        signed = [t["signed"] for t in results[2] + results[1]]
        assert all(n == LETTERS for n in signed), signed
        assert not any(t["5xx"] for t in results[2] + results[1])


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SODAMOLEK_BENCH_POSTGRES_URL")
    if not target or not target.startswith(("postgres://", "postgresql://")):
        print(
            "signing desks bench skipped: give a scratch PostgreSQL URL (argument or "
            "SODAMOLEK_BENCH_POSTGRES_URL); that database is emptied first."
        )
        sys.exit(0)
    asyncio.run(main(target, int(sys.argv[2]) if len(sys.argv) > 2 else 3))
