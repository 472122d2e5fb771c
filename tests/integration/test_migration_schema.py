"""The migrations and the Table classes say the same thing, on the engine under test.

Two checks: Piccolo's auto-generation (`piccolo migrations new sodamolek --auto`) finds nothing
to add, and a database built by the migrations has exactly the schema of one built from the
Table classes (plus the hand-written raw-SQL migrations on top of both)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder
from piccolo.table import create_db_tables

from sodamolek import db
from sodamolek.piccolo_app import TABLES
from sodamolek.settings import Settings
from tests.conftest import TEST_SECRET

APP = "sodamolek"
# Operations that change what Piccolo's schema snapshot holds; a migration with none of them
# and some raw SQL is a hand-written one.
SNAPSHOT_OPERATIONS = {
    "add_tables": None,
    "drop_tables": None,
    "rename_tables": None,
    "change_table_schemas": None,
    "add_columns": "add_columns",
    "drop_columns": "drop_columns",
    "rename_columns": "rename_columns",
    "alter_columns": "alter_columns",
    "add_constraints": "add_constraints",
    "drop_constraints": "drop_constraints",
}


def _changes_snapshot(manager: MigrationManager) -> bool:
    for name, inner in SNAPSHOT_OPERATIONS.items():
        value = getattr(manager, name)
        if getattr(value, inner) if inner else value:
            return True
    return False


async def _managers() -> list[MigrationManager]:
    app_config = Finder().get_app_config(app_name=APP)
    return await AutoMigrationManager().get_migration_managers(app_config=app_config)


async def _with_engine(url: str, tmp_path: Path, work) -> None:
    settings = Settings(data_dir=tmp_path, database_url=url, env="test", secret_key=TEST_SECRET)
    engine = db.use_engine(db.build_engine(settings))
    await db.start_engine(engine)
    try:
        await work()
    finally:
        await db.stop_engine(engine)


async def _schema(url: str) -> dict[str, set[tuple]]:
    """What a schema holds, as sets (column order is left out: a column added by a later
    migration comes last in the table, in the Table class it may sit anywhere)."""
    if url.startswith("postgresql://"):
        import asyncpg

        queries = {
            "columns": "SELECT table_name, column_name, data_type, character_maximum_length, "
            "is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'public'",
            "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public'",
            "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) "
            "FROM pg_trigger WHERE NOT tgisinternal",
            "functions": "SELECT proname, prosrc FROM pg_proc "
            "WHERE pronamespace = 'public'::regnamespace",
        }
        connection = await asyncpg.connect(url)
        try:
            return {k: {tuple(r) for r in await connection.fetch(q)} for k, q in queries.items()}
        finally:
            await connection.close()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        schema: dict[str, set[tuple]] = {
            "tables": set(tables),
            # Indexes and triggers as written (raw SQL ones) or generated (Piccolo's).
            "objects": set(
                connection.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type<>'table'"
                )
            ),
            "columns": set(),
            "foreign_keys": set(),
        }
        for table in tables:
            for _, *column in connection.execute(f'PRAGMA table_xinfo("{table}")'):
                schema["columns"].add((table, *column))
            for _, _, *key in connection.execute(f'PRAGMA foreign_key_list("{table}")'):
                schema["foreign_keys"].add((table, *key))
        return schema


async def test_auto_generation_finds_no_changes(database_url):
    """What `piccolo migrations new sodamolek --auto` would write: nothing."""
    app_config = Finder().get_app_config(app_name=APP)
    alter_statements = await AutoMigrationManager(auto_input="n").get_alter_statements(
        app_config=app_config
    )
    statements = [s for group in alter_statements for s in group.statements]
    assert statements == [], "Table classes differ from the migrations:\n" + "\n".join(statements)


async def test_migrated_database_has_the_table_classes_schema(new_database, tmp_path):
    """One database built by every migration; one built from the Table classes, with the
    generated migrations recorded as done so that only the hand-written ones run on it."""
    managers = await _managers()
    # Generated ones (any with table operations, their raw SQL being a data conversion on rows
    # the tables from the classes do not have) are recorded as done; hand-written ones run.
    generated = [m.migration_id for m in managers if _changes_snapshot(m)]
    hand_written = [m.migration_id for m in managers if not _changes_snapshot(m)]
    assert generated and hand_written

    migrated = await new_database("migrated")
    await _with_engine(migrated, tmp_path, db.migrate)

    from_classes = await new_database("classes")

    async def build_from_classes():
        await create_db_tables(*TABLES)
        await Migration.create_table(if_not_exists=True)
        for migration_id in generated:
            await Migration.insert(Migration(name=migration_id, app_name=APP))
        await db.migrate()

    await _with_engine(from_classes, tmp_path, build_from_classes)

    migrated_schema, classes_schema = await _schema(migrated), await _schema(from_classes)
    assert migrated_schema == classes_schema
    # Every Table class has its table, and the database holds no other (Piccolo's own aside).
    table_names = {t._meta.tablename for t in TABLES}
    if "tables" in migrated_schema:
        assert migrated_schema["tables"] == table_names | {"migration"}
    else:
        assert {c[0] for c in migrated_schema["columns"]} == table_names | {"migration"}
