"""One number counter per kelurahan, year and classification code: the unique index the signing
transaction's upsert relies on. Written by hand: raw SQL runs before a migration's own tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T04:48:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique letter number counter per office, year and classification"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def unique_counter():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS letter_number_counter_key "
            "ON letter_number_counter (kelurahan, year, classification_code)"
        )

    manager.add_raw(unique_counter)
    return manager
