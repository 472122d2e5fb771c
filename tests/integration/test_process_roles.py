"""Production checks per process role: each process is refused for what it uses, never for
another role's secrets. The push worker runs with compose.yaml's environment for it (no session
secret, no public address, no letter-signing key, no data volume); CLI database commands need
no secret at all."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sodamolek.push.vapid import generate_keys
from sodamolek.settings import Settings, SettingsError
from sodamolek.startup import ProcessRole, prepare

REPO = Path(__file__).resolve().parents[2]
VAPID = generate_keys()


def compose_worker_env(database_url: str) -> dict[str, str]:
    """The push worker's environment as compose.yaml gives it, with sample values for the
    ${...} placeholders the operator fills in .env."""
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    samples = {
        "SODAMOLEK_DATABASE_URL": database_url,
        "SODAMOLEK_VAPID_PRIVATE_KEY": VAPID.private_key,
        "SODAMOLEK_VAPID_PUBLIC_KEY": VAPID.public_key,
        "SODAMOLEK_VAPID_SUBJECT": "mailto:diskominfo@kupangkota.go.id",
    }
    env = {}
    for name, value in compose["services"]["push-worker"]["environment"].items():
        if name in samples:
            env[name] = samples[name]
        elif str(value).startswith("${") and ":-}" in str(value):
            env[name] = ""  # optional, unset in the sample .env
        else:
            env[name] = str(value)
    assert env["SODAMOLEK_ENV"] == "production"
    return env


def clean_env(extra: dict[str, str], data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    return env | extra | {"SODAMOLEK_DATA_DIR": str(data_dir)}


def test_the_worker_role_accepts_composes_worker_environment_and_serve_does_not(
    monkeypatch, tmp_path
):
    env = compose_worker_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for name in list(os.environ):
        if name.startswith("SODAMOLEK_"):
            monkeypatch.delenv(name)
    for name, value in (env | {"SODAMOLEK_DATA_DIR": str(tmp_path / "none")}).items():
        monkeypatch.setenv(name, value)
    settings = prepare(Settings.from_env(), ProcessRole.WORKER)
    assert settings.vapid_public_key == VAPID.public_key and not settings.vapid_generated
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        prepare(Settings.from_env(), ProcessRole.SERVE)
    assert not (tmp_path / "none").exists()  # nothing generated, no data folder needed


def test_the_worker_role_still_refuses_what_the_worker_uses(monkeypatch, tmp_path):
    env = compose_worker_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SODAMOLEK_VAPID_PUBLIC_KEY", generate_keys().public_key)
    with pytest.raises(SettingsError, match="bukan pasangan"):
        prepare(Settings.from_env(), ProcessRole.WORKER)
    monkeypatch.setenv("SODAMOLEK_VAPID_PUBLIC_KEY", VAPID.public_key)
    monkeypatch.setenv("SODAMOLEK_REGISTRY_URL", "http://10.0.0.5:8080")
    with pytest.raises(SettingsError, match="SODAMOLEK_REGISTRY_URL"):
        prepare(Settings.from_env(), ProcessRole.WORKER)


def test_production_worker_with_composes_environment_starts_and_stops(tmp_path):
    """`sodamolek migrate` (CLI role: no secret needed) then `sodamolek worker`, both in
    production with only what compose.yaml gives the worker."""
    data_dir = tmp_path / "no-volume"
    env = clean_env(compose_worker_env(f"sqlite:///{tmp_path / 'db.sqlite3'}"), data_dir)
    command = [sys.executable, "-m", "sodamolek.cli"]
    migrated = subprocess.run(
        [*command, "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    worker = subprocess.Popen(
        [*command, "worker", "--poll-interval", "0.2"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = worker.stderr.readline()
            if not line:
                break  # exited
            lines.append(line)
            if "push worker started" in line:
                break
        assert any("push worker started" in line for line in lines), "".join(lines)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    assert not data_dir.exists()  # no key of any kind written


def test_serve_in_production_still_needs_the_web_apps_secrets(tmp_path):
    env = clean_env(compose_worker_env(f"sqlite:///{tmp_path / 'db.sqlite3'}"), tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "sodamolek.cli", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SODAMOLEK_SECRET_KEY" in result.stderr
