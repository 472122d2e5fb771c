"""The lurah signs a batch of 100: numbers, signed content, PDFs, status changes.

    uv run python bench/signing_batch.py [postgresql://…]

Prints the batch's wall time and the time per letter (goal: 100 letters signed and rendered in
≤ 8 s on this machine). PDF rendering alone: bench/letter_pdf.py.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sodamolek import db
from sodamolek.accounts.service import create_account, load_user
from sodamolek.app import create_app
from sodamolek.issuing import service as issuing
from sodamolek.letter_requests import service as requests
from sodamolek.seed import seed
from sodamolek.settings import Settings
from sodamolek.tte import service as tte

PASSPHRASE = "bench-passphrase-01"  # noqa: S105 - a bench signer
BATCH = 100
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a temporary database


def submission() -> requests.Submission:
    return requests.Submission(
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


async def run(app) -> None:
    await db.migrate()
    await seed()
    operator = await load_user(
        await create_account(
            username="op.bench",
            full_name="Operator",
            role="operator",
            password=PASSWORD,
            kelurahan="53.71.04.1001",
        )
    )
    lurah = await load_user(
        await create_account(
            username="lurah.bench",
            full_name="Lurah Bench",
            role="lurah",
            password=PASSWORD,
            kelurahan="53.71.04.1001",
            nip="197805122005011003",
        )
    )
    ids = []
    for _ in range(BATCH):
        rid = (await requests.create_request(operator, submission())).request["id"]
        await requests.change_status(operator, rid, "awaiting_signature")
        ids.append(rid)
    settings = app.state.settings
    await tte.set_passphrase(settings, lurah.id, await tte.signer_identity(lurah), PASSPHRASE)
    start = time.perf_counter()
    # As the desk does: the passphrase opens the key once, then the batch is numbered and signed.
    session = await tte.open_session(settings, lurah.id, PASSPHRASE)
    result = await issuing.sign_batch(
        lurah, ids, app.state.signing_key, "https://x", session, unverified_confirmed=set(ids)
    )
    elapsed = time.perf_counter() - start
    assert len(result.signed) == BATCH, result.refused
    label = db.engine_name(app.state.engine)
    print(
        f"[{label}] numbered, rendered and PAdES-signed {BATCH} letters in {elapsed:.2f} s "
        f"({elapsed / BATCH * 1000:.1f} ms a letter; goal ≤ 8 s)"
    )


async def main(url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if url:
            import asyncpg

            connection = await asyncpg.connect(url)
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            await connection.close()
        settings = Settings(
            database_url=url or f"sqlite:///{Path(tmp) / 'b.sqlite3'}",
            data_dir=Path(tmp),
            env="test",
            secret_key="b" * 40,
        )
        app = create_app(settings)
        await db.start_engine(app.state.engine)
        try:
            await run(app)
        finally:
            await db.stop_engine(app.state.engine)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else None))
