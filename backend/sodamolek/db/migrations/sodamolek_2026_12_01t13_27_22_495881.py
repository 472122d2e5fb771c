"""The letter type's one-paragraph template column goes: the previous migration moved every
template into blocks. Generated and hand-written steps stay in separate migrations, so the
generated chain can be checked against the table classes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T13:27:22:495881"
VERSION = "1.38.0"
DESCRIPTION = "letter type template column dropped"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.drop_column(
        table_class_name="LetterType",
        tablename="letter_type",
        column_name="template",
        db_column_name="template",
        schema=None,
    )
    return manager
