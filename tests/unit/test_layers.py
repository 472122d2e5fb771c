"""The layers of docs/architecture.md hold (import-linter, contracts in pyproject.toml), and the
contracts refuse the tangles they exist for: checked on a copy of the package with one bad
import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_every_contract():
    result = lint_imports(REPO / "backend")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        # a domain using a presentation helper of the site
        ("letter_requests/due_dates.py", "from sodamolek.web import templating", "never import"),
        # the core reaching up into a domain
        ("core/formatting.py", "from sodamolek.tracking import service", "import no domain"),
        # settings checking a domain's configuration itself
        ("settings.py", "from sodamolek.push import vapid", "import no domain"),
        # one domain's page importing another's that builds on it: a cycle
        ("survey/service.py", "from sodamolek.tracking import views", "No import cycles"),
        # the lowest domain importing one above it
        ("regions/service.py", "from sodamolek.accounts import guards", "Layers"),
    ],
)
def test_a_bad_import_breaks_a_contract(tmp_path, module, bad_import, contract):
    shutil.copytree(
        REPO / "backend" / "sodamolek",
        tmp_path / "sodamolek",
        ignore=shutil.ignore_patterns("__pycache__", "assets"),
    )
    target = tmp_path / "sodamolek" / module
    target.write_text(target.read_text() + f"\n{bad_import}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
