"""What can be checked of the image and the compose file without a Docker engine: the build
context Docker would send (applied by docker-py's own .dockerignore matcher), each compose
service's restart policy, volumes and environment, and the Dockerfile's shape."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml
from docker.utils.build import exclude_paths

REPO = Path(__file__).resolve().parents[2]


def _build_context(root: Path) -> set[str]:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return {p.replace("\\", "/") for p in exclude_paths(str(root), patterns)}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def test_the_build_context_never_holds_keys_databases_venv_git_or_caches(tmp_path):
    for name in ["pyproject.toml", "uv.lock", "README.md", "Dockerfile"]:
        shutil.copy(REPO / name, tmp_path / name)
    for folder in ["backend", "web", "service_worker"]:
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns(".*"))
    planted = [
        "data/secret_key",
        "data/signing_key.pem",
        "data/vapid_private_key",
        "data/sodamolek.sqlite3",
        "data/sodamolek.sqlite3-wal",
        "elsewhere/signing_key.pem",
        ".venv/bin/python",
        ".git/HEAD",
        ".pytest_cache/v/x",
        ".ruff_cache/x",
        ".env",
        "backend/sodamolek/__pycache__/app.cpython-311.pyc",
        "backend/signing_key.pem",
        "web/data.sqlite3",
        "dist/sodamolek-0.1.0-py3-none-any.whl",
        "tests/test_x.py",
        "test-results/trace.zip",
    ]
    for name in planted:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")

    sent = _build_context(tmp_path)

    assert not sent & set(planted), sorted(sent & set(planted))
    assert not {p for p in sent if p.startswith(("data", ".venv", ".git", "tests"))}
    # ...and everything the Dockerfile copies is there.
    for needed in [
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "Dockerfile",
        "backend/sodamolek/app.py",
        "backend/sodamolek/seed_data/letter_types.json",
        "web/templates/base.html",
        "web/static/css/app.css",
        "service_worker/sw.js",
    ]:
        assert needed in sent, needed


def test_every_compose_service_restarts_by_itself(compose):
    for name, service in compose["services"].items():
        assert service.get("restart") in {"unless-stopped", "always"}, name


def test_the_app_keeps_its_data_on_a_volume_and_gets_its_secrets(compose):
    app = compose["services"]["app"]
    assert [v for v in app["volumes"] if v.endswith(":/data")] == ["appdata:/data"]
    assert "appdata" in compose["volumes"]
    for needed in [
        "SODAMOLEK_ENV",
        "SODAMOLEK_DATABASE_URL",
        "SODAMOLEK_SECRET_KEY",
        "SODAMOLEK_BASE_URL",
        "SODAMOLEK_VAPID_PRIVATE_KEY",
        "SODAMOLEK_VAPID_PUBLIC_KEY",
        "SODAMOLEK_VAPID_SUBJECT",
    ]:
        assert needed in app["environment"], needed
    assert app["environment"]["SODAMOLEK_ENV"] == "production"


def test_the_push_worker_gets_what_it_needs_and_no_more(compose):
    worker = compose["services"]["push-worker"]
    env = worker["environment"]
    assert worker["command"] == ["sodamolek", "worker"]
    for needed in [
        "SODAMOLEK_DATABASE_URL",
        "SODAMOLEK_VAPID_PRIVATE_KEY",
        "SODAMOLEK_VAPID_PUBLIC_KEY",
        "SODAMOLEK_VAPID_SUBJECT",
        "SODAMOLEK_REGISTRY_URL",
    ]:
        assert needed in env, needed
    assert env["SODAMOLEK_ENV"] == "production"
    # Sessions, CSRF, the public address and letter signing are the web app's alone.
    for unneeded in ["SODAMOLEK_SECRET_KEY", "SODAMOLEK_BASE_URL", "SODAMOLEK_SIGNING_KEY_FILE"]:
        assert unneeded not in env, unneeded
    assert "volumes" not in worker  # no data folder: no key of any kind on its disk
    assert worker["depends_on"]["app"]["condition"] == "service_healthy"  # after migrations
    assert worker["healthcheck"] == {"disable": True}  # the image's check is the web server's


def test_sodamolek_containers_cannot_write_outside_their_volume(compose):
    for name in ["app", "push-worker"]:
        service = compose["services"][name]
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name


def _dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def test_the_image_is_multi_stage_non_root_with_a_data_volume_and_a_health_check():
    text = _dockerfile()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M)
    assert len(stages) == 2 and stages[0][1] == "build" and stages[1][1] == ""
    runtime = text.split("\nFROM ", 2)[2]
    (user,) = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    uid = user.split(":")[0]
    assert uid.isdigit() and uid != "0"  # numeric: an orchestrator can check runAsNonRoot
    assert re.search(rf"useradd .*--uid {uid}\b", runtime)
    assert re.search(rf"install -d -o {uid} .*/data", runtime)  # the volume is the user's
    assert 'VOLUME ["/data"]' in runtime and "SODAMOLEK_DATA_DIR=/data" in runtime
    assert re.search(r"^HEALTHCHECK .*\n?.*?/health", runtime, re.M)
    # The code is copied without --chown, so it stays root's and read-only for USER.
    (copy,) = re.findall(r"^COPY --from=build.*$", runtime, re.M)
    assert "--chown" not in copy
    # The build installs the locked environment and the project as a wheel, not editable.
    assert "uv sync --frozen --no-dev --no-editable" in text


def test_uv_is_pinned_to_one_version_in_the_makefile_the_dockerfile_and_pyproject():
    (in_dockerfile,) = re.findall(r"^ARG UV_VERSION=(\S+)$", _dockerfile(), re.M)
    (in_makefile,) = re.findall(r"^UV_VERSION := (\S+)$", (REPO / "Makefile").read_text(), re.M)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["tool"]["uv"]["required-version"] == f"=={in_makefile}"
    assert in_dockerfile == in_makefile
    assert '"uv==${UV_VERSION}"' in _dockerfile()
