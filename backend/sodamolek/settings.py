"""Settings read from SODAMOLEK_* environment variables, with defaults for the embedded mode."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from sodamolek.core.files import create_private_file

# Push services whose endpoints residents' browsers hand us. An entry is an exact host name;
# "*.example.com" allows any host under example.com (not example.com itself). See
# sodamolek.push.service.host_allowed.
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet, Opera
    "updates.push.services.mozilla.com",  # Firefox
    "*.push.apple.com",  # Safari (web.push.apple.com)
    "*.notify.windows.com",  # Edge on Windows (wns2-<region>.notify.windows.com)
)

# The national public-service complaints system (SP4N-LAPOR!), named on every published
# service standard beside the office's own contacts.
DEFAULT_COMPLAINTS_CHANNEL = (
    "SP4N-LAPOR! (Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional): www.lapor.go.id "
    "atau SMS ke 1708"
)

# A secret shorter than this is refused in production.
MIN_SECRET_LENGTH = 32
SECRET_FILE_NAME = "secret_key"  # noqa: S105 - a file name, not a secret
SIGNING_KEY_FILE_NAME = "signing_key.pem"  # Ed25519 key that signs letters (documents.signing)


class SettingsError(RuntimeError):
    """A setting is missing or unusable; the message names it."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str) -> bool | None:
    raw = _env(name)
    if raw is None:
        return None
    if raw.strip().lower() in {"1", "true", "yes", "ya", "on"}:
        return True
    if raw.strip().lower() in {"0", "false", "no", "tidak", "off"}:
        return False
    raise SettingsError(f"{name} harus true atau false, bukan {raw!r}")


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
    secret_key: str = field(default="", repr=False)
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
    signing_key_file: Path | None = None  # None: <data_dir>/signing_key.pem
    db_pool_size: int = 5
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    complaints_channel: str = DEFAULT_COMPLAINTS_CHANNEL
    # Free login tries per account from one address, and per address; then growing waits.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 50
    login_window_minutes: int = 15
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    vapid_subject: str = ""
    vapid_generated: bool = False
    # None: run the push worker inside `serve` on SQLite (embedded), not on PostgreSQL, where
    # `sodamolek worker` processes do it.
    embedded_worker: bool | None = None
    # A label of the deployed release (e.g. the git commit). It is part of the service worker's
    # version, so a new release makes every tablet fetch the app shell again.
    release: str = ""
    # Reverse proxies whose X-Forwarded-For names the client (addresses or networks). Empty:
    # the socket's address is the client's, and X-Forwarded-For is ignored.
    trusted_proxies: tuple[str, ...] = ()
    # How often each server process re-reads the admin's local calendar days: an edit made in
    # one worker is seen by the others within this time (the editing worker sees it at once).
    calendar_refresh_seconds: float = 10.0
    # Electronic signatures (TTE): "embedded" (the city's own CA, sodamolek/tte/ca.py) or
    # "bsre" (BSrE's esign service). See docs/tte.md.
    tte_backend: str = "embedded"
    ca_passphrase: str = field(default="", repr=False)  # opens the city CA's key
    tsa_url: str = ""  # RFC 3161 timestamp service: signatures become PAdES B-T
    tsa_user: str = ""
    tsa_password: str = field(default="", repr=False)
    bsre_url: str = ""
    bsre_user: str = ""
    bsre_password: str = field(default="", repr=False)
    bsre_timeout_seconds: float = 30.0
    bsre_retries: int = 2  # extra attempts after a network error (never after an answer)
    bsre_roots_file: Path | None = None  # PEM bundle of BSrE's roots, trusted by /verifikasi
    verify_max_bytes: int = 10 * 1024 * 1024  # largest PDF accepted by POST /verifikasi

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
    def signing_key_path(self) -> Path:
        return self.signing_key_file or self.data_dir / SIGNING_KEY_FILE_NAME

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def runs_embedded_worker(self) -> bool:
        if self.embedded_worker is None:
            return self.engine == "sqlite"
        return self.embedded_worker

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(_env("SODAMOLEK_DATA_DIR") or "data")
        env = _env("SODAMOLEK_ENV") or "development"
        database_url = (
            _env("SODAMOLEK_DATABASE_URL") or f"sqlite:///{data_dir / 'sodamolek.sqlite3'}"
        )
        if not database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
            raise SettingsError(
                "SODAMOLEK_DATABASE_URL harus diawali sqlite:/// atau postgresql://"
            )
        signing_key_file = _env("SODAMOLEK_SIGNING_KEY_FILE")
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
            signing_key_file=Path(signing_key_file) if signing_key_file else None,
            db_pool_size=_env_int("SODAMOLEK_DB_POOL_SIZE", 5),
            session_idle_minutes=_env_int("SODAMOLEK_SESSION_IDLE_MINUTES", 60),
            session_absolute_hours=_env_int("SODAMOLEK_SESSION_ABSOLUTE_HOURS", 12),
            vapid_private_key=_env("SODAMOLEK_VAPID_PRIVATE_KEY", "") or "",
            vapid_public_key=_env("SODAMOLEK_VAPID_PUBLIC_KEY", "") or "",
            vapid_subject=_env("SODAMOLEK_VAPID_SUBJECT", "") or "",
            embedded_worker=_env_bool("SODAMOLEK_EMBEDDED_WORKER"),
            complaints_channel=" ".join(
                (_env("SODAMOLEK_COMPLAINTS_CHANNEL", DEFAULT_COMPLAINTS_CHANNEL) or "").split()
            )[:300],
            release=_env("SODAMOLEK_RELEASE", "") or "",
            trusted_proxies=parse_trusted_proxies(_env("SODAMOLEK_TRUSTED_PROXIES", "") or ""),
            calendar_refresh_seconds=_env_seconds("SODAMOLEK_CALENDAR_REFRESH_SECONDS", 10.0),
            tte_backend=_tte_backend(_env("SODAMOLEK_TTE_BACKEND", "embedded") or "embedded"),
            ca_passphrase=_env("SODAMOLEK_CA_PASSPHRASE", "") or "",
            tsa_url=_env("SODAMOLEK_TSA_URL", "") or "",
            tsa_user=_env("SODAMOLEK_TSA_USER", "") or "",
            tsa_password=_env("SODAMOLEK_TSA_PASSWORD", "") or "",
            bsre_url=(_env("SODAMOLEK_BSRE_URL", "") or "").rstrip("/"),
            bsre_user=_env("SODAMOLEK_BSRE_USER", "") or "",
            bsre_password=_env("SODAMOLEK_BSRE_PASSWORD", "") or "",
            bsre_timeout_seconds=_env_seconds("SODAMOLEK_BSRE_TIMEOUT", 30.0),
            bsre_retries=max(0, _env_int("SODAMOLEK_BSRE_RETRIES", 2)),
            bsre_roots_file=Path(roots) if (roots := _env("SODAMOLEK_BSRE_ROOTS_FILE")) else None,
            verify_max_bytes=max(1024, _env_int("SODAMOLEK_VERIFY_MAX_BYTES", 10 * 1024 * 1024)),
        )

    @property
    def city_ca_passphrase(self) -> str:
        """The CA key's passphrase: SODAMOLEK_CA_PASSPHRASE, or outside production one derived
        from the secret key (so `make run` needs no extra setting)."""
        if self.ca_passphrase or self.is_production:
            return self.ca_passphrase
        return hashlib.sha256(f"sodamolek-ca:{self.secret_key}".encode()).hexdigest()

    def with_embedded_secret(self) -> Settings:
        """Outside production a missing session secret is generated once into the data folder
        (the VAPID pair likewise, by sodamolek.push.setup)."""
        if self.is_production or self.secret_key:
            return self
        return replace(
            self, secret_key=_load_or_create_secret(self.data_dir), secret_key_generated=True
        )

    def check_web_for_production(self) -> None:
        """Refuse to serve pages on a generated, default or weak session secret, or on plain
        http (the session cookie is sent over HTTPS only)."""
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

    def check_registry_for_production(self) -> None:
        if self.registry_url and not self.registry_url.startswith("https://"):
            raise SettingsError(
                "SODAMOLEK_REGISTRY_URL harus alamat https:// di mode production "
                "(NIK dan kredensial tidak boleh lewat jaringan tanpa enkripsi)."
            )


_KNOWN_DEFAULTS = {"changeme", "change-me", "secret", "ganti-saya", "ganti-dengan-nilai-acak"}


def _load_or_create_secret(data_dir: Path) -> str:
    """Embedded mode: keep one random secret in the data folder so sessions survive restarts."""
    path = data_dir / SECRET_FILE_NAME
    if not path.exists():
        try:
            create_private_file(path, secrets.token_urlsafe(48).encode())
        except FileExistsError:
            pass  # another worker made it first: use theirs
    return path.read_text().strip()


def parse_trusted_proxies(value: str) -> tuple[str, ...]:
    """'10.0.0.5, 172.16.0.0/12' -> each as a normalised network. Only addresses and networks:
    '*' would let any client name its own address."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(
                f"SODAMOLEK_TRUSTED_PROXIES: {item!r} bukan alamat IP atau jaringan (mis. "
                "10.0.0.5 atau 172.16.0.0/12)."
            ) from None
    return tuple(networks)


def _tte_backend(value: str) -> str:
    value = value.strip().lower()
    if value not in {"embedded", "bsre"}:
        raise SettingsError(f"SODAMOLEK_TTE_BACKEND harus embedded atau bsre, bukan {value!r}")
    return value
