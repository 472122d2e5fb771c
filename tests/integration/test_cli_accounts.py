"""`sodamolek create-user` applies the same account rules as the admin page: they live in
accounts.service.create_account, which both call."""

import os
import sqlite3
import subprocess
import sys

import pytest

PASSWORD = "kata-sandi-panjang-1"  # noqa: S105 - a test password


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {"SODAMOLEK_DATA_DIR": str(folder), "SODAMOLEK_DATABASE_URL": f"sqlite:///{folder}/db"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "sodamolek.cli", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("migrate").returncode == 0
    assert run("seed").returncode == 0
    run.database = folder / "db"
    return run


def nips(database) -> dict[str, str]:
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT username, nip FROM account").fetchall())


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("12ab", "NIP harus 18 angka"),
        ("197802302005011003", "tanggal lahir"),
        ("197805122005013003", "jenis kelamin"),
    ],
)
def test_create_user_refuses_a_bad_nip_like_the_admin_page(cli, nip, message):
    result = cli(
        "create-user",
        "--username",
        "lurah.baru",
        "--role",
        "lurah",
        "--kelurahan",
        "53.71.04.1009",
        "--nip",
        nip,
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "lurah.baru" not in nips(cli.database)


def test_create_user_stores_the_nip_without_the_spaces_typed(cli):
    result = cli(
        "create-user",
        "--username",
        "lurah.oebobo",
        "--role",
        "lurah",
        "--kelurahan",
        "53.71.04.1009",
        "--full-name",
        "Maria Ndun",
        "--nip",
        "1978 0512 2005 01 1 003",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert nips(cli.database)["lurah.oebobo"] == "197805122005011003"
