from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-11-29T05:39:43:379543"
VERSION = "1.38.0"
DESCRIPTION = "queue: drop the due_at-only index that made SQLite scan every finished request"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sodamolek", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="LetterRequest",
        tablename="letter_request",
        column_name="due_at",
        db_column_name="due_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
