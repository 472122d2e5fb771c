"""`make migrate` and `make seed` do what they say, on the data folder they are given."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _make(target: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"make {target}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_make_migrate_then_make_seed_build_and_fill_the_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env["SODAMOLEK_DATA_DIR"] = str(tmp_path)
    database = tmp_path / "sodamolek.sqlite3"

    _make("migrate", env)
    shipped = list((REPO / "backend/sodamolek/db/migrations").glob("sodamolek_*.py"))
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM migration").fetchone()[0] == len(shipped)
        assert connection.execute("SELECT count(*) FROM kelurahan").fetchone()[0] == 0

    assert "+51 kelurahan" in _make("seed", env)
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM kelurahan").fetchone()[0] == 51
        assert connection.execute("SELECT count(*) FROM account").fetchone()[0] == 0  # no demo
