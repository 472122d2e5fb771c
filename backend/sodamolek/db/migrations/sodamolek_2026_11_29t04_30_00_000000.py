"""Queue indexes and the append-only audit trail: what Piccolo's column options cannot say.

Written by hand: raw SQL runs before a migration's own tables are created, so it cannot live in
the migration that adds these tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue indexes, unique status counters, append-only request_event"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.add_raw(_indexes_and_append_only_audit)
    return manager


async def _indexes_and_append_only_audit():
    """Composite indexes for the queue, a unique
    counter per office and status, and an audit table that refuses UPDATE and DELETE."""
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    statements = [
        "CREATE INDEX IF NOT EXISTS letter_request_queue "
        "ON letter_request (kelurahan, status, due_at)",
        "CREATE INDEX IF NOT EXISTS letter_request_office_created "
        "ON letter_request (kelurahan, created_at)",
        "CREATE UNIQUE INDEX IF NOT EXISTS request_counter_office_status "
        "ON request_counter (kelurahan, status)",
    ]
    if isinstance(engine, PostgresEngine):
        statements += [
            "CREATE OR REPLACE FUNCTION request_event_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'request_event is append-only'; END $$",
            "CREATE TRIGGER request_event_no_update BEFORE UPDATE OR DELETE ON request_event "
            "FOR EACH ROW EXECUTE FUNCTION request_event_append_only()",
        ]
    else:
        statements += [
            "CREATE TRIGGER IF NOT EXISTS request_event_no_update BEFORE UPDATE ON request_event "
            "BEGIN SELECT RAISE(ABORT, 'request_event is append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS request_event_no_delete BEFORE DELETE ON request_event "
            "BEGIN SELECT RAISE(ABORT, 'request_event is append-only'); END",
        ]
    for statement in statements:
        await engine.run_ddl(statement)
