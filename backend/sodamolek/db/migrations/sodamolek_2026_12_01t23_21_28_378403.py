from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-12-01T23:21:28:378403"
VERSION = "1.38.0"
DESCRIPTION = "no index of their own for letter_request.kelurahan and request_counter.kelurahan: indexes led by kelurahan serve them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sodamolek", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="LetterRequest",
        tablename="letter_request",
        column_name="kelurahan",
        db_column_name="kelurahan",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="RequestCounter",
        tablename="request_counter",
        column_name="kelurahan",
        db_column_name="kelurahan",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
