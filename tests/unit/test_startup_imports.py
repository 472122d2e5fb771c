"""What a process imports before it does anything: the PDF libraries only when a PDF is drawn
(documents.drawing), pyHanko only when a signature is made or checked (tte.service), and a CLI
command only what that command uses (cli.py). Checked in fresh
interpreters, since this test process has imported everything."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PDF_LIBRARIES = ("fpdf", "fontTools", "pypdf")


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


def test_the_web_app_starts_without_the_pdf_and_signature_libraries():
    loaded = loaded_after("import sodamolek.app")
    assert "litestar" in loaded  # the probe sees what the app imports
    heavy = {*PDF_LIBRARIES, "pyhanko", "black"}  # black: Piccolo's migration writer
    assert loaded.isdisjoint(heavy), loaded & heavy


@pytest.mark.parametrize(
    "argv", [["backup"], ["migrate"], ["create-user", "--username", "x", "--role", "admin"]]
)
def test_a_cli_command_imports_neither_the_web_app_nor_pdf_nor_signatures(argv):
    # The parser is built and the command's handler found, as `sodamolek <command>` does.
    loaded = loaded_after(
        f"from sodamolek import cli\nargs = cli.build_parser().parse_args({argv!r})\n"
        "assert args.handler is not None"
    )
    unused = {*PDF_LIBRARIES, "pyhanko", "litestar", "pywebpush", "black"}
    assert loaded.isdisjoint(unused), loaded & unused
