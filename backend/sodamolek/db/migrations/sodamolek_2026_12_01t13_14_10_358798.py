"""Letters of their own state, several per request (at most one live: the next migration's
partial unique index); a request's paused service time.

Generated, then edited: SQLite cannot drop the UNIQUE on letter.request in place, so on SQLite
the table is rebuilt without it (a raw step, which Piccolo runs first) and Piccolo's own
ALTER is skipped; PostgreSQL drops the constraint as generated."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T13:14:10:358798"
VERSION = "1.38.0"
DESCRIPTION = "letter states, several letters per request, paused service time"


async def forwards():
    manager = _Manager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.add_raw(_rebuild_letter_on_sqlite)

    manager.add_column(
        table_class_name="LetterRequest",
        tablename="letter_request",
        column_name="paused_at",
        db_column_name="paused_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Letter",
        tablename="letter",
        column_name="replaces",
        db_column_name="replaces",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Letter",
        tablename="letter",
        column_name="state",
        db_column_name="state",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 12,
            "default": "valid",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Letter",
        tablename="letter",
        column_name="voided_at",
        db_column_name="voided_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Letter",
        tablename="letter",
        column_name="voided_reason",
        db_column_name="voided_reason",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Letter",
        tablename="letter",
        column_name="request",
        db_column_name="request",
        params={"unique": False},
        old_params={"unique": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager


class _Manager(MigrationManager):
    async def _run_alter_columns(self, backwards: bool = False):
        if isinstance(engine_finder(), SQLiteEngine):
            return  # done by _rebuild_letter_on_sqlite
        await super()._run_alter_columns(backwards=backwards)


async def _rebuild_letter_on_sqlite():
    engine = engine_finder()
    if not isinstance(engine, SQLiteEngine):
        return
    rows = await engine.run_querystring(
        QueryString("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'letter'")
    )
    create = rows[0]["sql"]
    unique = '"request" INTEGER UNIQUE NOT NULL'
    if unique not in create:
        raise RuntimeError("letter.request: unexpected table definition")
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
