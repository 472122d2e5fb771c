"""request_correction is append-only, like request_event: what Piccolo's column options cannot say.

Written by hand: raw SQL runs before a migration's own tables are created, so it cannot live in
the migration that adds the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T13:16:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only request_correction"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.add_raw(_append_only)
    return manager


async def _append_only():
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        statements = [
            "CREATE OR REPLACE FUNCTION request_correction_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'request_correction is append-only'; END $$",
            "CREATE TRIGGER request_correction_no_update BEFORE UPDATE OR DELETE "
            "ON request_correction "
            "FOR EACH ROW EXECUTE FUNCTION request_correction_append_only()",
        ]
    else:
        statements = [
            "CREATE TRIGGER IF NOT EXISTS request_correction_no_update BEFORE UPDATE "
            "ON request_correction "
            "BEGIN SELECT RAISE(ABORT, 'request_correction is append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS request_correction_no_delete BEFORE DELETE "
            "ON request_correction "
            "BEGIN SELECT RAISE(ABORT, 'request_correction is append-only'); END",
        ]
    for statement in statements:
        await engine.run_ddl(statement)
