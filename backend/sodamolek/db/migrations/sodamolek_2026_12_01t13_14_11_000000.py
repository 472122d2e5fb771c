"""At most one live letter (pending or valid) per request, on both engines; the states of the
letters signed before letters had one; requests whose letter waits for the camat or was revoked
get the statuses that say so; the partial indexes of open requests follow the new statuses.

Written by hand: raw SQL runs before a migration's own columns are added, so it cannot live in
the migration that adds them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T13:14:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "one live letter per request; statuses for countersign and revocation"
# The statuses still being worked on (lifecycle.IN_PROGRESS), written as constants: the queries
# over open requests repeat them, so the planner can use these partial indexes.
OPEN = "status IN ('in_review', 'incomplete', 'awaiting_signature', 'awaiting_countersign')"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def letters_and_statuses():
        engine = engine_finder()
        for statement in (
            "UPDATE letter SET state = 'revoked' WHERE revoked_at IS NOT NULL",
            "UPDATE letter SET state = 'pending' "
            "WHERE revoked_at IS NULL AND countersign_needed = 'camat'",
            # (not "letter_request": index and table names share one namespace)
            "CREATE INDEX IF NOT EXISTS letter_by_request ON letter (request)",
            "CREATE UNIQUE INDEX IF NOT EXISTS letter_one_live ON letter (request) "
            "WHERE state IN ('pending', 'valid')",
            "UPDATE letter_request SET status = 'awaiting_countersign' "
            "WHERE status = 'awaiting_signature' AND id IN "
            "(SELECT request FROM letter WHERE state = 'pending')",
            "UPDATE letter_request SET status = 'revoked' "
            "WHERE status IN ('ready', 'collected') AND id IN "
            "(SELECT request FROM letter WHERE state = 'revoked')",
            "DELETE FROM request_counter",
            "INSERT INTO request_counter (kelurahan, status, count) "
            "SELECT kelurahan, status, COUNT(*) FROM letter_request GROUP BY kelurahan, status",
            "DROP INDEX IF EXISTS letter_request_open_due",
            "DROP INDEX IF EXISTS letter_request_open_office",
            f"CREATE INDEX IF NOT EXISTS letter_request_open_due ON letter_request (due_at) "
            f"WHERE {OPEN}",
            f"CREATE INDEX IF NOT EXISTS letter_request_open_office "
            f"ON letter_request (kelurahan, due_at) WHERE {OPEN}",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(letters_and_statuses)
    return manager
