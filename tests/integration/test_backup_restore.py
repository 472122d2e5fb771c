"""`sodamolek backup` and `sodamolek restore`, run as the commands they are: every request,
letter and audit row comes back equal; corrupt files and newer schemas are refused and leave
the database as it was."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from sodamolek.issuing.tables import Letter
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.tables import LetterRequest, RequestEvent
from tests.integration.city import make_request, user
from tests.integration.test_request_service import submission
from tests.processes import process_env
from tests.tte_support import sign_as

TABLES = (LetterRequest, Letter, RequestEvent)


def _command(settings, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = process_env(settings, database_url)
    return subprocess.run(
        [sys.executable, "-m", "sodamolek.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _rows() -> dict[str, list[dict]]:
    return {t._meta.tablename: await t.select().order_by(t.id) for t in TABLES}


async def _city(app, staff) -> None:
    """Requests in review, signed (a letter with its PDF) and collected, with their audit."""
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    await make_request(staff.operator, base)
    operator, lurah = await user(staff.operator), await user(staff.lurah)
    for _ in range(2):
        item = (await requests.create_request(operator, submission())).request
        await requests.change_status(operator, item["id"], "awaiting_signature")
        await sign_as(app, lurah, item["id"], "https://x.example", unverified_confirmed=True)
    await requests.change_status(operator, item["id"], "collected")


async def test_backup_then_restore_gives_back_every_request_letter_and_audit_row(
    app, staff, settings, database_url, tmp_path
):
    await _city(app, staff)
    before = await _rows()
    assert len(before["letter_request"]) == 3 and len(before["letter"]) == 2
    assert len(before["request_event"]) >= 7

    target = tmp_path / "cadangan" / "kupang.bak"
    made = _command(settings, database_url, "backup", "--to", str(target))
    assert made.returncode == 0, made.stderr
    assert target.is_file() and "diperiksa" in made.stdout
    # The same name again is refused: a backup is never overwritten.
    assert _command(settings, database_url, "backup", "--to", str(target)).returncode == 1

    # Work after the backup: lost by the restore, as it should be.
    await make_request(staff.operator, dt.datetime.now(dt.UTC))
    assert await LetterRequest.count() == 4

    restored = _command(settings, database_url, "restore", str(target))
    assert restored.returncode == 0, restored.stderr
    assert await _rows() == before
    # The content just before the restore was kept beside the backups.
    kept = list((settings.data_dir / "backups").glob("*-sebelum-pemulihan.*"))
    assert len(kept) == 1

    # The default place is the data folder's backups/.
    default = _command(settings, database_url, "backup")
    assert default.returncode == 0, default.stderr
    assert str(settings.data_dir / "backups" / "sodamolek-") in default.stdout


async def test_a_corrupt_or_foreign_file_is_refused_and_nothing_changes(
    app, staff, settings, database_url, tmp_path
):
    await _city(app, staff)
    before = await _rows()
    target = tmp_path / "good.bak"
    assert _command(settings, database_url, "backup", "--to", str(target)).returncode == 0
    data = target.read_bytes()
    truncated = tmp_path / "truncated.bak"
    truncated.write_bytes(data[: len(data) // 2])
    damaged = tmp_path / "damaged.bak"
    damaged.write_bytes(data[:4096] + bytes(len(data) - 8192) + data[-4096:])
    foreign = tmp_path / "foreign.bak"
    foreign.write_bytes(b"bukan cadangan " * 1000)
    for bad in (truncated, damaged, foreign, tmp_path / "tidak-ada.bak"):
        answer = _command(settings, database_url, "restore", str(bad))
        assert answer.returncode == 1, (bad, answer.stdout)
        assert "Gagal:" in answer.stderr and "Traceback" not in answer.stderr
    assert await _rows() == before


async def test_a_backup_from_a_newer_schema_is_refused(
    app, staff, settings, database_url, tmp_path
):
    from piccolo.apps.migrations.tables import Migration

    await _city(app, staff)
    await Migration.insert(
        Migration(name="2099-01-01T00:00:00:000000", app_name="sodamolek", ran_on=dt.datetime.now())
    )
    newer = tmp_path / "newer.bak"
    assert _command(settings, database_url, "backup", "--to", str(newer)).returncode == 0
    await Migration.delete().where(Migration.name == "2099-01-01T00:00:00:000000")
    await make_request(staff.operator, dt.datetime.now(dt.UTC))
    before = await _rows()
    answer = _command(settings, database_url, "restore", str(newer))
    assert answer.returncode == 1
    assert "lebih baru" in answer.stderr and "2099-01-01" in answer.stderr
    assert await _rows() == before


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_the_commands_are_in_the_readme(command):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"`sodamolek {command}" in readme
