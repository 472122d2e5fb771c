"""Engine wiring and migrations.

Piccolo finds its engine through the PICCOLO_CONF module; tables cache it. `use_engine` points
both at one engine so the app, the CLI and each test can choose their database at run time.
"""

from __future__ import annotations

import os

os.environ.setdefault("PICCOLO_CONF", "sodamolek.piccolo_conf")

from piccolo.engine.base import Engine  # noqa: E402
from piccolo.table import Table  # noqa: E402

from sodamolek.db.engine import (  # noqa: E402
    _piccolo_conf,
    as_utc,
    build_engine,
    current_engine,
    engine_name,
    read_transaction,
    start_engine,
    stop_engine,
    stored_time,
    write_transaction,
)
from sodamolek.db.reads import (  # noqa: E402
    Sql,
    fetch,
    fetch_one,
    reading,
    write,
    write_returning,
)
from sodamolek.db.setup_lock import setup_lock  # noqa: E402
from sodamolek.db.stamps import clear_all as _clear_caches  # noqa: E402

__all__ = [
    "Sql",
    "as_utc",
    "build_engine",
    "current_engine",
    "engine_name",
    "fetch",
    "fetch_one",
    "migrate",
    "read_transaction",
    "reading",
    "start_engine",
    "stop_engine",
    "stored_time",
    "use_engine",
    "write",
    "write_returning",
    "write_transaction",
]


def use_engine(engine: Engine) -> Engine:
    """Point Piccolo's configuration and every table at this engine: each table imported so
    far, and through PICCOLO_CONF (sodamolek.piccolo_conf) any imported later, so the database
    layer never imports a domain."""
    _piccolo_conf().DB = engine
    for table in _imported_tables():
        table._meta.db = engine
    _clear_caches()  # what they hold came from another database
    return engine


def _imported_tables() -> list[type[Table]]:
    tables: list[type[Table]] = []
    pending = [Table]
    while pending:
        for subclass in pending.pop().__subclasses__():
            tables.append(subclass)
            pending.append(subclass)
    return tables


async def migrate() -> None:
    """Apply every migration not yet applied (idempotent), one process at a time: several
    containers starting together each run this, and the later ones find nothing left to do."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager

    async with setup_lock(current_engine()):
        manager = ForwardsMigrationManager(app_name="sodamolek", migration_id="all")
        result = await manager.run()
    if not result.success:
        raise RuntimeError(f"Migrasi gagal: {result.message}")


async def pending_migrations() -> list[str]:
    from piccolo.apps.migrations.commands.check import CheckMigrationManager

    checks = await CheckMigrationManager(app_name="sodamolek").get_migration_statuses()
    return [c.migration_id for c in checks if not c.has_ran]
