"""Settings read from SODAMOLEK_* environment variables, with defaults for the embedded mode."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "wns2-par02p.notify.windows.com",
    "notify.windows.com",
)

# A secret shorter than this is refused in production.
MIN_SECRET_LENGTH = 32
SECRET_FILE_NAME = "secret_key"  # noqa: S105 - a file name, not a secret


class SettingsError(RuntimeError):
    """A setting is missing or unusable; the message names it."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} harus berupa bilangan bulat, bukan {raw!r}") from exc


def _env_seconds(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} harus berupa angka (detik), bukan {raw!r}") from exc
    if not value > 0:
        raise SettingsError(f"{name} harus lebih dari 0 detik, bukan {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""
    env: str = "development"
    secret_key: str = ""
    secret_key_generated: bool = False
    base_url: str = "http://127.0.0.1:8000"
    push_allowed_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS
    registry_url: str = ""  # empty: the local Resident table is the registry
    registry_user: str = ""
    registry_password: str = field(default="", repr=False)
    registry_timeout_seconds: float = 3.0  # connect and read, per attempt
    registry_retries: int = 2  # extra attempts after a network error or a 5xx
    registry_breaker_failures: int = 5  # consecutive failures that open the circuit
    registry_breaker_seconds: float = 30.0  # how long an open circuit fails fast
    db_pool_size: int = 5
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_minutes: int = 15
    # A label of the deployed release (e.g. the git commit). It is part of the service worker's
    # version, so a new release makes every tablet fetch the app shell again.
    release: str = ""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def engine(self) -> str:
        return (
            "postgres"
            if self.database_url.startswith(("postgres://", "postgresql://"))
            else "sqlite"
        )

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file named by a sqlite:/// URL (relative paths are relative to the cwd)."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(_env("SODAMOLEK_DATA_DIR", "data"))
        env = _env("SODAMOLEK_ENV", "development")
        database_url = (
            _env("SODAMOLEK_DATABASE_URL") or f"sqlite:///{data_dir / 'sodamolek.sqlite3'}"
        )
        if not database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
            raise SettingsError(
                "SODAMOLEK_DATABASE_URL harus diawali sqlite:/// atau postgresql://"
            )
        hosts = _env("SODAMOLEK_PUSH_ALLOWED_HOSTS")
        push_hosts = (
            tuple(h.strip().lower() for h in hosts.split(",") if h.strip())
            if hosts
            else DEFAULT_PUSH_HOSTS
        )
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            env=env,
            secret_key=_env("SODAMOLEK_SECRET_KEY", "") or "",
            base_url=(_env("SODAMOLEK_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
            push_allowed_hosts=push_hosts,
            registry_url=(_env("SODAMOLEK_REGISTRY_URL", "") or "").rstrip("/"),
            registry_user=_env("SODAMOLEK_REGISTRY_USER", "") or "",
            registry_password=_env("SODAMOLEK_REGISTRY_PASSWORD", "") or "",
            registry_timeout_seconds=_env_seconds("SODAMOLEK_REGISTRY_TIMEOUT", 3.0),
            registry_retries=max(0, _env_int("SODAMOLEK_REGISTRY_RETRIES", 2)),
            registry_breaker_failures=max(1, _env_int("SODAMOLEK_REGISTRY_BREAKER_FAILURES", 5)),
            registry_breaker_seconds=_env_seconds("SODAMOLEK_REGISTRY_BREAKER_SECONDS", 30.0),
            db_pool_size=_env_int("SODAMOLEK_DB_POOL_SIZE", 5),
            session_idle_minutes=_env_int("SODAMOLEK_SESSION_IDLE_MINUTES", 60),
            session_absolute_hours=_env_int("SODAMOLEK_SESSION_ABSOLUTE_HOURS", 12),
            release=_env("SODAMOLEK_RELEASE", "") or "",
        )

    def with_embedded_secret(self) -> Settings:
        """Outside production a missing secret is generated once into the data folder."""
        if self.secret_key or self.is_production:
            return self
        return replace(
            self, secret_key=_load_or_create_secret(self.data_dir), secret_key_generated=True
        )

    def check_for_production(self) -> None:
        """Refuse to run a production server on generated, default or weak secrets."""
        if not self.is_production:
            return
        if not self.secret_key or self.secret_key_generated:
            raise SettingsError(
                "SODAMOLEK_SECRET_KEY belum diisi: mode production menolak kunci buatan otomatis. "
                "Isi dengan nilai acak minimal 32 karakter (mis. keluaran "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        if len(self.secret_key) < MIN_SECRET_LENGTH or self.secret_key in _KNOWN_DEFAULTS:
            raise SettingsError(
                "SODAMOLEK_SECRET_KEY terlalu pendek atau nilai contoh: gunakan nilai acak minimal "
                f"{MIN_SECRET_LENGTH} karakter."
            )
        if not self.base_url.startswith("https://"):
            raise SettingsError(
                "SODAMOLEK_BASE_URL harus alamat https:// di mode production "
                "(cookie sesi hanya dikirim lewat HTTPS)."
            )
        if self.registry_url and not self.registry_url.startswith("https://"):
            raise SettingsError(
                "SODAMOLEK_REGISTRY_URL harus alamat https:// di mode production "
                "(NIK dan kredensial tidak boleh lewat jaringan tanpa enkripsi)."
            )


_KNOWN_DEFAULTS = {"changeme", "change-me", "secret", "ganti-saya", "ganti-dengan-nilai-acak"}


def _load_or_create_secret(data_dir: Path) -> str:
    """Embedded mode: keep one random secret in the data folder so sessions survive restarts."""
    path = data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting at once keep the first one's secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
