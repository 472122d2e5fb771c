"""Settings from the environment, and the production refusal of generated or weak secrets."""

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sodamolek.documents.signing import create_signing_key
from sodamolek.push.vapid import generate_keys, key_problem, subject_problem
from sodamolek.settings import Settings, SettingsError
from sodamolek.startup import ProcessRole, check_for_production, prepare
from sodamolek.tte.ca import init_ca

STRONG = "x" * 20 + "-strong-production-secret-0123456789"
VAPID_PAIR = generate_keys()


def test_defaults_are_the_embedded_mode(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("SODAMOLEK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env()
    assert settings.engine == "sqlite"
    assert settings.database_url == "sqlite:///data/sodamolek.sqlite3"
    assert settings.push_allowed_hosts  # public push services by default
    embedded = prepare(settings, ProcessRole.SERVE)
    assert embedded.secret_key_generated and len(embedded.secret_key) >= 32
    # Generated once, then kept: sessions survive a restart.
    assert prepare(Settings.from_env(), ProcessRole.SERVE).secret_key == embedded.secret_key
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_url_selects_postgres(monkeypatch):
    monkeypatch.setenv("SODAMOLEK_DATABASE_URL", "postgresql://u@db:5432/sodamolek")
    assert Settings.from_env().engine == "postgres"


def test_unknown_database_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("SODAMOLEK_DATABASE_URL", "mysql://u@db/x")
    with pytest.raises(SettingsError, match="SODAMOLEK_DATABASE_URL"):
        Settings.from_env()


def test_production_refuses_a_missing_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SODAMOLEK_ENV", "production")
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SODAMOLEK_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        prepare(Settings.from_env(), ProcessRole.SERVE)
    assert not (tmp_path / "secret_key").exists()  # nothing generated in production


@pytest.mark.parametrize("secret", ["changeme", "pendek-sekali"])
def test_production_refuses_weak_or_sample_secrets(secret):
    settings = Settings(env="production", secret_key=secret, base_url="https://x.kupangkota.go.id")
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        check_for_production(settings, ProcessRole.SERVE)


def test_production_refuses_a_generated_secret():
    settings = Settings(
        env="production",
        secret_key=STRONG,
        secret_key_generated=True,
        base_url="https://x.kupangkota.go.id",
    )
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        check_for_production(settings, ProcessRole.SERVE)


_KEY_DIR = Path(tempfile.mkdtemp(prefix="sodamolek-key-"))
create_signing_key(_KEY_DIR / "signing_key.pem")  # production also needs the letter key
CA_PASSPHRASE = "ca-passphrase-production-test"
init_ca(_KEY_DIR, CA_PASSPHRASE)  # and the city CA (`sodamolek ca init`)


def production(**overrides) -> Settings:
    """A production configuration that passes every check, to spoil one setting at a time."""
    keys = VAPID_PAIR
    values = {
        "data_dir": _KEY_DIR,
        "env": "production",
        "secret_key": STRONG,
        "base_url": "https://x.kupangkota.go.id",
        "vapid_private_key": keys.private_key,
        "vapid_public_key": keys.public_key,
        "vapid_subject": "mailto:diskominfo@kupangkota.go.id",
        "ca_passphrase": CA_PASSPHRASE,
    }
    return Settings(**(values | overrides))


def test_production_needs_the_city_ca_and_its_passphrase(tmp_path):
    with pytest.raises(SettingsError, match="SODAMOLEK_CA_PASSPHRASE"):
        check_for_production(production(ca_passphrase=""), ProcessRole.SERVE)
    with pytest.raises(SettingsError, match="tidak membuka kunci CA"):
        check_for_production(production(ca_passphrase="wrong-passphrase-123"), ProcessRole.SERVE)
    key = _KEY_DIR / "signing_key.pem"
    with pytest.raises(SettingsError, match="sodamolek ca init"):
        check_for_production(production(data_dir=tmp_path, signing_key_file=key), ProcessRole.SERVE)
    assert not (tmp_path / "tte").exists()  # production never makes a CA by itself


def test_production_with_bsre_needs_https_and_the_application_credentials():
    bsre = {"tte_backend": "bsre", "ca_passphrase": ""}
    with pytest.raises(SettingsError, match="SODAMOLEK_BSRE_URL"):
        check_for_production(production(**bsre, bsre_url="http://esign"), ProcessRole.SERVE)
    with pytest.raises(SettingsError, match="SODAMOLEK_BSRE_USER"):
        check_for_production(production(**bsre, bsre_url="https://esign"), ProcessRole.SERVE)
    check_for_production(
        production(**bsre, bsre_url="https://esign", bsre_user="app", bsre_password="rahasia"),
        ProcessRole.SERVE,
    )


def test_the_tte_backend_setting_accepts_only_the_two_back_ends(monkeypatch):
    monkeypatch.setenv("SODAMOLEK_TTE_BACKEND", "BSRE")
    assert Settings.from_env().tte_backend == "bsre"
    monkeypatch.setenv("SODAMOLEK_TTE_BACKEND", "privy")
    with pytest.raises(SettingsError, match="SODAMOLEK_TTE_BACKEND"):
        Settings.from_env()


def test_production_needs_https_base_url():
    with pytest.raises(SettingsError, match="SODAMOLEK_BASE_URL"):
        check_for_production(production(base_url="http://x"), ProcessRole.SERVE)
    check_for_production(production(), ProcessRole.SERVE)


def test_production_refuses_to_run_without_vapid_keys(tmp_path):
    for missing in ({"vapid_private_key": ""}, {"vapid_public_key": ""}):
        with pytest.raises(SettingsError, match="SODAMOLEK_VAPID_PRIVATE_KEY"):
            key = _KEY_DIR / "signing_key.pem"
            settings = production(data_dir=tmp_path, signing_key_file=key, **missing)
            prepare(settings, ProcessRole.SERVE)
    assert not (tmp_path / "vapid_private_key").exists()  # nothing generated in production


def test_production_refuses_a_vapid_pair_that_does_not_match():
    other = generate_keys()
    with pytest.raises(SettingsError, match="bukan pasangan"):
        check_for_production(production(vapid_public_key=other.public_key), ProcessRole.SERVE)
    with pytest.raises(SettingsError, match="tidak dapat dibaca"):
        check_for_production(production(vapid_private_key="rusak"), ProcessRole.SERVE)


@pytest.mark.parametrize("subject", ["", "admin@kupangkota.go.id", "http://kupangkota.go.id"])
def test_production_refuses_a_vapid_subject_push_services_reject(subject):
    with pytest.raises(SettingsError, match="SODAMOLEK_VAPID_SUBJECT"):
        check_for_production(production(vapid_subject=subject), ProcessRole.SERVE)
    check_for_production(production(vapid_subject="https://kupangkota.go.id"), ProcessRole.SERVE)


@pytest.mark.parametrize("entry", ["127.0.0.1", "localhost", "*.internal", "10.0.0.1"])
def test_production_refuses_local_push_hosts(entry):
    settings = production(push_allowed_hosts=("fcm.googleapis.com", entry))
    with pytest.raises(SettingsError, match="SODAMOLEK_PUSH_ALLOWED_HOSTS"):
        check_for_production(settings, ProcessRole.SERVE)


def test_embedded_mode_generates_a_vapid_pair_once_and_keeps_it(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("SODAMOLEK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path))
    first = prepare(Settings.from_env(), ProcessRole.SERVE)
    assert first.vapid_generated
    assert key_problem(first.vapid_private_key, first.vapid_public_key) is None
    assert len(base64.urlsafe_b64decode(first.vapid_public_key + "=")) == 65
    assert subject_problem(first.vapid_subject) is None
    again = prepare(Settings.from_env(), ProcessRole.SERVE)
    assert (again.vapid_private_key, again.vapid_public_key) == (
        first.vapid_private_key,
        first.vapid_public_key,
    )
    assert (tmp_path / "vapid_private_key").stat().st_mode & 0o077 == 0


def test_vapid_keys_from_the_environment_win(monkeypatch, tmp_path):
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SODAMOLEK_VAPID_PRIVATE_KEY", VAPID_PAIR.private_key)
    monkeypatch.delenv("SODAMOLEK_VAPID_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("SODAMOLEK_VAPID_SUBJECT", "mailto:a@kupangkota.go.id")
    settings = prepare(Settings.from_env(), ProcessRole.SERVE)
    assert settings.vapid_public_key == VAPID_PAIR.public_key  # derived from the private key
    assert settings.vapid_subject == "mailto:a@kupangkota.go.id"
    assert not settings.vapid_generated and not (tmp_path / "vapid_private_key").exists()


def test_embedded_worker_runs_in_serve_on_sqlite_only_unless_set(monkeypatch):
    assert Settings(database_url="sqlite:///x.sqlite3").runs_embedded_worker
    assert not Settings(database_url="postgresql://u@db/x").runs_embedded_worker
    monkeypatch.setenv("SODAMOLEK_DATABASE_URL", "postgresql://u@db/x")
    monkeypatch.setenv("SODAMOLEK_EMBEDDED_WORKER", "true")
    assert Settings.from_env().runs_embedded_worker
    monkeypatch.setenv("SODAMOLEK_EMBEDDED_WORKER", "mungkin")
    with pytest.raises(SettingsError, match="SODAMOLEK_EMBEDDED_WORKER"):
        Settings.from_env()


def test_vapid_keys_command_prints_a_usable_pair(capsys):
    from sodamolek.cli import main

    assert main(["vapid-keys"]) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    private, public = lines["SODAMOLEK_VAPID_PRIVATE_KEY"], lines["SODAMOLEK_VAPID_PUBLIC_KEY"]
    assert key_problem(private, public) is None
    assert private != VAPID_PAIR.private_key


def test_serve_in_production_without_secret_exits_with_the_setting_named(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {"SODAMOLEK_ENV": "production", "SODAMOLEK_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "sodamolek.cli", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SODAMOLEK_SECRET_KEY" in result.stderr


def test_create_app_refuses_production_defaults(tmp_path):
    from sodamolek.app import create_app

    with pytest.raises(SettingsError):
        create_app(Settings(env="production", data_dir=tmp_path))
