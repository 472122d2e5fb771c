"""Rate-limit counts are not worth a WAL record and a flush per public page view: on
PostgreSQL their table becomes UNLOGGED (emptied after a crash, which only restarts the
windows). SQLite keeps its counts in a side file instead (core.ratelimit): nothing to do here.

Written by hand: Piccolo's schema has no notion of unlogged tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-01T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rate limit counts unlogged on postgresql"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def unlogged():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl("ALTER TABLE rate_limit_window SET UNLOGGED")

    manager.add_raw(unlogged)
    return manager
