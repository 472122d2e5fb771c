"""Several letters per request: the UNIQUE on letter.request goes. SQLite cannot drop a
column's UNIQUE in place, so the table is rebuilt without it; PostgreSQL drops the constraint.
Nothing to do where it is already gone (a database built from the Table classes).

Written by hand; the next, generated migration records the change in Piccolo's snapshot."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

ID = "2026-12-01T13:14:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "letter.request no longer unique"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.add_raw(_drop_unique_request)
    return manager


async def _drop_unique_request():
    engine = engine_finder()
    if not isinstance(engine, SQLiteEngine):
        await engine.run_ddl('ALTER TABLE letter DROP CONSTRAINT IF EXISTS "letter_request_key"')
        return
    rows = await engine.run_querystring(
        QueryString("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'letter'")
    )
    create = rows[0]["sql"]
    unique = '"request" INTEGER UNIQUE NOT NULL'
    if unique not in create:
        return
    create = create.replace(unique, '"request" INTEGER NOT NULL').replace(
        'CREATE TABLE "letter"', 'CREATE TABLE "letter_rebuilt"', 1
    )
    for statement in (
        create,
        'INSERT INTO "letter_rebuilt" SELECT * FROM "letter"',
        'DROP TABLE "letter"',
        'ALTER TABLE "letter_rebuilt" RENAME TO "letter"',
        'CREATE INDEX IF NOT EXISTS letter_kelurahan ON "letter" ("kelurahan")',
    ):
        await engine.run_ddl(statement)
