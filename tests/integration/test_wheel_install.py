"""The built wheel is the whole app: installed into a clean virtualenv (locked dependencies, no
repository on the path, run from an empty folder) it migrates, serves pages, /sw.js and static
files from the copies it carries."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.processes import free_port

REPO = Path(__file__).resolve().parents[2]


def _uv() -> list[str]:
    """uv as the Makefile runs it (UV=...), else on PATH, else as a module of this Python."""
    if command := os.environ.get("UV"):
        return shlex.split(command)
    if found := shutil.which("uv"):
        return [found]
    return [sys.executable, "-m", "uv"]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=240, **kwargs)  # noqa: S603
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.headers.get("content-type", ""), response.read()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A wheel built from the working tree, installed with the locked dependencies."""
    root = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    _run([*uv, "build", "--wheel", "--out-dir", str(root / "dist")], cwd=REPO)
    (wheel,) = (root / "dist").glob("sodamolek-*.whl")
    requirements = root / "requirements.txt"
    _run(
        [
            *uv,
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--output-file",
            str(requirements),
        ],
        cwd=REPO,
    )
    venv = root / "venv"
    _run([*uv, "venv", "--python", sys.executable, str(venv)], cwd=root)
    install = [
        *uv,
        "pip",
        "install",
        "--python",
        str(venv / "bin" / "python"),
        "-r",
        str(requirements),
        str(wheel),
    ]
    # `make dev-deps` has put every locked package in uv's cache: offline takes 2 s, not 15.
    cached = subprocess.run([*install, "--offline"], capture_output=True, timeout=240, cwd=root)  # noqa: S603
    if cached.returncode != 0:
        _run(install, cwd=root)
    return venv


def test_the_wheel_carries_templates_static_files_and_the_service_worker(installed):
    (wheel,) = (installed.parent / "dist").glob("sodamolek-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in [*(REPO / "web").rglob("*"), *(REPO / "service_worker").rglob("*")]:
        if source.is_file():
            inside = "sodamolek/assets/" + source.relative_to(REPO).as_posix()
            assert inside in names, f"{inside} missing from the wheel"


def test_an_installed_wheel_migrates_and_serves_pages_sw_and_static_files(installed, tmp_path):
    bin_dir = installed / "bin"
    workdir = tmp_path / "elsewhere"  # not the repository: nothing may be read from the cwd
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SODAMOLEK_", "PYTHON"))}
    env |= {
        "SODAMOLEK_DATA_DIR": str(tmp_path / "data"),
        "SODAMOLEK_ENV": "development",
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
    }
    where = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "import sodamolek.core.paths as p; print(p.ASSETS_ROOT); print(p.TEMPLATES_DIR)",
        ],
        cwd=workdir,
        env=env,
    ).stdout.split()
    assert all(Path(line).is_relative_to(installed) for line in where), where

    _run([str(bin_dir / "sodamolek"), "migrate"], cwd=workdir, env=env)
    shipped = {p.stem for p in (REPO / "backend/sodamolek/db/migrations").glob("sodamolek_*.py")}
    with sqlite3.connect(tmp_path / "data" / "sodamolek.sqlite3") as connection:
        applied = connection.execute("SELECT count(*) FROM migration").fetchone()[0]
    assert applied == len(shipped) > 0

    port = free_port()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(  # noqa: S603
        [str(bin_dir / "sodamolek"), "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(base + "/health")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)

        status, kind, body = _get(base + "/masuk")
        assert status == 200 and kind.startswith("text/html")
        assert b'name="_csrf_token"' in body  # rendered from the bundled login template

        status, kind, body = _get(base + "/sw.js")
        assert status == 200 and "javascript" in kind
        bundled_sw = (installed / "lib").glob(
            "python*/site-packages/sodamolek/assets/service_worker/sw.js"
        )
        assert next(bundled_sw).read_bytes() in body

        status, kind, body = _get(base + "/static/vendor/htmx-2.0.11.min.js")
        assert status == 200 and "javascript" in kind
        assert body == (REPO / "web/static/vendor/htmx-2.0.11.min.js").read_bytes()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
