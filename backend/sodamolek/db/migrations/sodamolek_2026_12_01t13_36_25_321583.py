from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T13:36:25:321583"
VERSION = "1.38.0"
DESCRIPTION = "letter requests: idempotency key scoped to office and caller kind"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sodamolek", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="LetterRequest",
        tablename="letter_request",
        column_name="idempotency_key",
        db_column_name="idempotency_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 80,
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

    return manager
