"""Backups and restores of the whole database.

SQLite: Python's sqlite3 online backup API copies the live file page by page (the server may
keep running: readers and the writer are not stopped), then `PRAGMA integrity_check` is run on
the copy. PostgreSQL: `pg_dump --format=custom`, checked by `pg_restore --list`.

A restore refuses a file that is corrupt, is not a Sodamolek database, or has migrations this
code does not know (a newer schema: restoring it under older code would lose columns). An older
schema is restored and then migrated forward.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sodamolek.settings import Settings

# pg_restore's text of the migration table: COPY public.migration (id, name, ...) FROM stdin;
MIGRATION_COPY = re.compile(r'^COPY (?:"?\w+"?\.)?"?migration"? \(')


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message is for the operator (Indonesian)."""


def default_target(settings: Settings, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if settings.engine == "sqlite" else "dump"
    return settings.data_dir / "backups" / f"sodamolek-{stamp}.{suffix}"


def known_migrations() -> set[str]:
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    folder = Path(__file__).resolve().parent / "migrations"  # the app's migrations_folder_path
    return set(BaseMigrationManager().get_migration_modules(str(folder)))


def backup(settings: Settings, target: Path | None = None) -> Path:
    target = Path(target) if target else default_target(settings)
    if target.exists():
        raise BackupError(f"{target} sudah ada; pilih nama lain (cadangan tidak ditimpa).")
    target.parent.mkdir(parents=True, exist_ok=True)
    if settings.engine == "sqlite":
        _backup_sqlite(settings.sqlite_path, target)
    else:
        _backup_postgres(settings.database_url, target)
    return target


def restore(settings: Settings, source: Path) -> Path | None:
    """Replace the database's content with the backup's. Returns the copy of the database as it
    was just before, kept beside the backups."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Berkas cadangan {source} tidak ada.")
    if settings.engine == "sqlite":
        return _restore_sqlite(settings, source)
    return _restore_postgres(settings, source)


# SQLite


def _backup_sqlite(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"Basis data {database} tidak ada.")
    partial = target.with_name(target.name + ".sebagian")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # the online backup API: consistent while the server writes
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    try:
        _check_sqlite(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def _check_sqlite(path: Path) -> set[str]:
    """integrity_check of the file and the migrations it has run; BackupError when corrupt or
    not ours."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupError(f"{path} rusak (integrity_check: {'; '.join(result[:3])}).")
            names = {
                row[0]
                for row in connection.execute(
                    "SELECT name FROM migration WHERE app_name = 'sodamolek'"
                )
            }
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} bukan basis data Sodamolek yang utuh ({error}).") from None
    if not names:
        raise BackupError(f"{path} bukan basis data Sodamolek (tidak ada migrasi).")
    return names


def _refuse_newer(names: set[str], path: Path) -> None:
    unknown = sorted(names - known_migrations())
    if unknown:
        raise BackupError(
            f"{path} berasal dari versi Sodamolek yang lebih baru (migrasi tidak dikenal: "
            f"{', '.join(unknown[:3])}). Pasang versi itu dulu, lalu pulihkan."
        )


def _before_restore(settings: Settings) -> Path:
    target = default_target(settings)
    return target.with_name(target.stem + "-sebelum-pemulihan" + target.suffix)


def _restore_sqlite(settings: Settings, source: Path) -> Path | None:
    _refuse_newer(_check_sqlite(source), source)
    database = settings.sqlite_path
    before = None
    if database.is_file():
        before = _before_restore(settings)
        before.parent.mkdir(parents=True, exist_ok=True)
        _backup_sqlite(database, before)
    database.parent.mkdir(parents=True, exist_ok=True)
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        live = sqlite3.connect(database, timeout=30)
        try:
            backup_file.backup(live)  # replaces every page, in one write transaction
        finally:
            live.close()
    finally:
        backup_file.close()
    return before


# PostgreSQL


def _pg_command(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (which goes to PGPASSWORD: not in the process list)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
        netloc = parts.hostname or ""
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        if parts.port:
            netloc += f":{parts.port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url.replace("postgres://", "postgresql://", 1), env


def _run(args: list[str], env: dict[str, str], timeout: int = 3600) -> str:
    """Run a PostgreSQL client program (found on PATH); its stdout, or BackupError."""
    program = shutil.which(args[0])
    if program is None:
        raise BackupError(f"{args[0]} tidak ditemukan: pasang klien PostgreSQL.")
    # Our own argument list, no shell: nothing from outside becomes a command.
    result = subprocess.run(  # noqa: S603
        [program, *args[1:]], env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise BackupError(f"{args[0]} gagal: {result.stderr.strip()[:500]}")
    return result.stdout


def _backup_postgres(url: str, target: Path) -> None:
    dsn, env = _pg_command(url)
    partial = target.with_name(target.name + ".sebagian")
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), dsn], env)
    try:
        _postgres_migrations(partial, env)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def _postgres_migrations(path: Path, env: dict[str, str]) -> set[str]:
    """The migrations recorded in a pg_dump file (also proves pg_restore can read it)."""
    try:
        listing = _run(
            ["pg_restore", "--data-only", "--table=migration", "--file=-", str(path)], env, 600
        )
    except BackupError as error:
        raise BackupError(f"{path} bukan cadangan pg_dump yang utuh ({error}).") from None
    names: set[str] = set()
    columns: list[str] | None = None
    for line in listing.splitlines():
        if MIGRATION_COPY.match(line):
            columns = [c.strip(' "') for c in line.split("(", 1)[1].split(")", 1)[0].split(",")]
            continue
        if columns is not None:
            if line == "\\.":
                columns = None
                continue
            row = dict(zip(columns, line.split("\t"), strict=False))
            if row.get("app_name") == "sodamolek":
                names.add(row["name"])
    if not names:
        raise BackupError(f"{path} bukan cadangan basis data Sodamolek (tidak ada migrasi).")
    return names


def _restore_postgres(settings: Settings, source: Path) -> Path:
    dsn, env = _pg_command(settings.database_url)
    _refuse_newer(_postgres_migrations(source, env), source)
    before = _before_restore(settings)
    before.parent.mkdir(parents=True, exist_ok=True)
    _backup_postgres(settings.database_url, before)
    # An empty schema first: tables the backup does not have (made by later migrations) would
    # otherwise stay and break the migrations that run after the restore.
    _run(
        [
            "psql",
            "--quiet",
            "-v",
            "ON_ERROR_STOP=1",
            "--dbname",
            dsn,
            "-c",
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
        ],
        env,
    )
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dsn,
            str(source),
        ],
        env,
    )
    return before
