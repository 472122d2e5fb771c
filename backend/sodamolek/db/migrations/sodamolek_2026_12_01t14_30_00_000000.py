"""The queue's default page (an office's active requests, soonest due first, 25 a page) read
from an index that holds only active requests in that order, so the database stops after 25
rows at any office size. The partial indexes of open requests leave out `ready` (which waits
in the queue for pickup), so they could not serve it: the page sorted every active request.

The status list is written as constants, equal to letter_requests.service.ACTIVE_CONDITION
(a test compares them): only a query carrying the same constants can use a partial index.

Written by hand: Piccolo's schema has no partial indexes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue index of active requests per office by due date"
ACTIVE = (
    "status IN ('in_review', 'incomplete', 'awaiting_signature', 'awaiting_countersign', 'ready')"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)

    async def queue_indexes():
        engine = engine_finder()
        for scope in ("kelurahan", "kecamatan"):
            await engine.run_ddl(
                f"CREATE INDEX IF NOT EXISTS letter_request_active_{scope} "
                f"ON letter_request ({scope}, due_at, id) WHERE {ACTIVE}"
            )

    manager.add_raw(queue_indexes)
    return manager
