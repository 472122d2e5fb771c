"""The scoped idempotency key: filled in for the requests made before it (office, and 'token'
for those an API token made, which have no creating account), then unique.

Written by hand: raw SQL runs before a migration's own columns are added, so this follows the
migration that adds the column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-01T13:36:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "letter requests: fill and index the scoped idempotency key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def fill_and_index():
        engine = engine_finder()
        rows = await engine.run_querystring(
            QueryString(
                "SELECT id, kelurahan, created_by, client_request_id FROM letter_request "
                "WHERE idempotency_key IS NULL"
            )
        )
        for row in rows:
            kind = "staff" if row["created_by"] is not None else "token"
            key = f"{row['kelurahan']}:{kind}:{row['client_request_id']}"
            await engine.run_querystring(
                QueryString(
                    "UPDATE letter_request SET idempotency_key = {} WHERE id = {}", key, row["id"]
                )
            )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS letter_request_idempotency_key "
            "ON letter_request (idempotency_key)"
        )

    manager.add_raw(fill_and_index)
    return manager
