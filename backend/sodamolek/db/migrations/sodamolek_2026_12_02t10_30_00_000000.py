"""queue_stamp kept by the database: a new random stamp for an office whenever one of its
requests is inserted or changed, or one of its status counters inserted or deleted (a recount),
whatever code did it. (A request is never deleted: its events are append-only.)

Written by hand: raw SQL runs before a migration's own tables are created, so it cannot live in
the migration that adds the table. On PostgreSQL the triggers are deferred to the commit: a
transaction takes its office's stamp row last, after the request rows it locks, so two batches
over the same office wait for each other instead of deadlocking on the stamp.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue_stamp written by triggers on letter_request and request_counter"

SQLITE_STAMP = "lower(hex(randomblob(16)))"
POSTGRES_STAMP = "replace(gen_random_uuid()::text, '-', '')"


def _sqlite_upsert(office: str) -> str:
    return (
        f"INSERT INTO queue_stamp (kelurahan, stamp) SELECT {office}, {SQLITE_STAMP} WHERE true "
        "ON CONFLICT (kelurahan) DO UPDATE SET stamp = excluded.stamp;"
    )


def _postgres_upsert(office: str) -> str:
    return (
        f"INSERT INTO queue_stamp (kelurahan, stamp) VALUES ({office}, {POSTGRES_STAMP}) "
        "ON CONFLICT (kelurahan) DO UPDATE SET stamp = excluded.stamp;"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.add_raw(_stamp_triggers)
    return manager


async def _stamp_triggers():
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        statements = [
            "CREATE OR REPLACE FUNCTION queue_stamp_bump() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP <> 'DELETE' THEN " + _postgres_upsert("NEW.kelurahan") + " END IF; "
            "IF TG_OP = 'DELETE' THEN " + _postgres_upsert("OLD.kelurahan") + " "
            "ELSIF TG_OP = 'UPDATE' THEN "
            "IF OLD.kelurahan IS DISTINCT FROM NEW.kelurahan THEN "
            + _postgres_upsert("OLD.kelurahan")
            + " END IF; END IF; "
            "RETURN NULL; END $$",
            "CREATE CONSTRAINT TRIGGER letter_request_queue_stamp "
            "AFTER INSERT OR UPDATE ON letter_request "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION queue_stamp_bump()",
            "CREATE CONSTRAINT TRIGGER request_counter_queue_stamp "
            "AFTER INSERT OR DELETE ON request_counter "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION queue_stamp_bump()",
            "INSERT INTO queue_stamp (kelurahan, stamp) "
            f"SELECT DISTINCT kelurahan, {POSTGRES_STAMP} FROM letter_request "
            "ON CONFLICT (kelurahan) DO NOTHING",
        ]
    else:
        statements = [
            "CREATE TRIGGER IF NOT EXISTS letter_request_stamp_insert "
            "AFTER INSERT ON letter_request BEGIN " + _sqlite_upsert("NEW.kelurahan") + " END",
            "CREATE TRIGGER IF NOT EXISTS letter_request_stamp_update "
            "AFTER UPDATE ON letter_request BEGIN "
            + _sqlite_upsert("NEW.kelurahan")
            + " INSERT INTO queue_stamp (kelurahan, stamp) "
            f"SELECT OLD.kelurahan, {SQLITE_STAMP} WHERE OLD.kelurahan IS NOT NEW.kelurahan "
            "ON CONFLICT (kelurahan) DO UPDATE SET stamp = excluded.stamp; END",
            "CREATE TRIGGER IF NOT EXISTS request_counter_stamp_insert "
            "AFTER INSERT ON request_counter BEGIN " + _sqlite_upsert("NEW.kelurahan") + " END",
            "CREATE TRIGGER IF NOT EXISTS request_counter_stamp_delete "
            "AFTER DELETE ON request_counter BEGIN " + _sqlite_upsert("OLD.kelurahan") + " END",
            "INSERT INTO queue_stamp (kelurahan, stamp) "
            f"SELECT DISTINCT kelurahan, {SQLITE_STAMP} FROM letter_request WHERE true "
            "ON CONFLICT (kelurahan) DO NOTHING",
        ]
    for statement in statements:
        await engine.run_ddl(statement)
