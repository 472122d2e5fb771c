"""Indexes for the dashboard: one rollup row per office and day (the hooks' upsert relies on
it), surveys by date, and the overdue requests city-wide.

Written by hand: raw SQL runs before a migration's own tables are created."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T04:49:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique office_day per office and day, survey and overdue indexes"
OPEN = "status IN ('in_review', 'incomplete', 'awaiting_signature')"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def indexes():
        engine = engine_finder()
        for statement in (
            "CREATE UNIQUE INDEX IF NOT EXISTS office_day_office_day "
            "ON office_day (kelurahan, day)",
            "CREATE INDEX IF NOT EXISTS survey_response_created "
            "ON survey_response (created_at, kelurahan)",
            "CREATE INDEX IF NOT EXISTS survey_response_commented "
            "ON survey_response (created_at) WHERE comment <> ''",
            # Requests still in an office's hands: the overdue list (by due time) and the
            # overdue counts per office read a few thousand entries of these small partial
            # indexes instead of the whole history.
            f"CREATE INDEX IF NOT EXISTS letter_request_open_due ON letter_request (due_at) "
            f"WHERE {OPEN}",
            f"CREATE INDEX IF NOT EXISTS letter_request_open_office "
            f"ON letter_request (kelurahan, due_at) WHERE {OPEN}",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
