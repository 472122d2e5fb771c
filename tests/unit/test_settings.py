"""Settings from the environment, and the production refusal of generated or weak secrets."""

import os
import subprocess
import sys

import pytest

from sodamolek.settings import Settings, SettingsError

STRONG = "x" * 20 + "-strong-production-secret-0123456789"


def test_defaults_are_the_embedded_mode(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("SODAMOLEK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env()
    assert settings.engine == "sqlite"
    assert settings.database_url == "sqlite:///data/sodamolek.sqlite3"
    assert settings.push_allowed_hosts  # public push services by default
    embedded = settings.with_embedded_secret()
    assert embedded.secret_key_generated and len(embedded.secret_key) >= 32
    # Generated once, then kept: sessions survive a restart.
    assert Settings.from_env().with_embedded_secret().secret_key == embedded.secret_key
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
    settings = Settings.from_env().with_embedded_secret()
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        settings.check_for_production()
    assert not (tmp_path / "secret_key").exists()  # nothing generated in production


@pytest.mark.parametrize("secret", ["changeme", "pendek-sekali"])
def test_production_refuses_weak_or_sample_secrets(secret):
    settings = Settings(env="production", secret_key=secret, base_url="https://x.kupangkota.go.id")
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        settings.check_for_production()


def test_production_refuses_a_generated_secret():
    settings = Settings(
        env="production", secret_key=STRONG, secret_key_generated=True,
        base_url="https://x.kupangkota.go.id",
    )  # fmt: skip
    with pytest.raises(SettingsError, match="SODAMOLEK_SECRET_KEY"):
        settings.check_for_production()


def test_production_needs_https_base_url(tmp_path):
    from sodamolek.documents.signing import create_signing_key

    create_signing_key(tmp_path / "signing_key.pem")  # production also needs the letter key
    settings = Settings(env="production", secret_key=STRONG, base_url="http://x", data_dir=tmp_path)
    with pytest.raises(SettingsError, match="SODAMOLEK_BASE_URL"):
        settings.check_for_production()
    Settings(
        env="production", secret_key=STRONG, base_url="https://x", data_dir=tmp_path
    ).check_for_production()


def test_serve_in_production_without_secret_exits_with_the_setting_named(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {"SODAMOLEK_ENV": "production", "SODAMOLEK_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "sodamolek.cli", "serve", "--port", "0"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "SODAMOLEK_SECRET_KEY" in result.stderr


def test_create_app_refuses_production_defaults(tmp_path):
    from sodamolek.app import create_app

    with pytest.raises(SettingsError):
        create_app(Settings(env="production", data_dir=tmp_path))
