"""One row per key and window: the unique index the rate limit's upsert relies on.

Written by hand: raw SQL runs before a migration's own tables are created."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T04:37:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique rate limit window per key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def unique_window():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS rate_limit_window_key "
            "ON rate_limit_window (key, window_start)"
        )

    manager.add_raw(unique_window)
    return manager
