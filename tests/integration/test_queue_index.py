"""The queue's default page is read from the partial index of active requests, in order, so
its cost does not grow with the office's history; the order it shows stays soonest due first."""

import datetime as dt
import importlib
import json
import uuid

from sodamolek import db
from sodamolek.accounts.service import load_user
from sodamolek.accounts.tables import Account
from sodamolek.db import current_engine, engine_name
from sodamolek.letter_requests import service
from sodamolek.letter_requests.codes import new_tracking_code
from sodamolek.letter_requests.lifecycle import ACTIVE
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.letters.service import get_letter_type
from sodamolek.regions.tables import Kelurahan

QUEUE_MIGRATION = "sodamolek.db.migrations.sodamolek_2026_12_01t14_30_00_000000"


async def operator(staff):
    row = await Account.select(Account.id).where(Account.username == staff.operator).first()
    return await load_user(row["id"])


async def add_requests(actor, statuses_and_days: list[tuple[str, float]]) -> None:
    letter_type = await get_letter_type("domisili")
    office = await Kelurahan.select(Kelurahan.kecamatan).where(Kelurahan.id == actor.kelurahan_id)
    now = dt.datetime.now(dt.UTC)
    await LetterRequest.insert(
        *[
            LetterRequest(
                client_request_id=uuid.uuid4(),
                content_hash="queue-test",
                tracking_code=new_tracking_code(),
                kelurahan=actor.kelurahan_id,
                kecamatan=office[0]["kecamatan"],
                letter_type=letter_type["id"],
                status=status,
                applicant_name=f"Warga {n}",
                applicant_name_key=f"warga {n}",
                data=json.dumps({}),
                requirements_checked="[]",
                created_at=now - dt.timedelta(days=days + 1),
                updated_at=now,
                due_at=now - dt.timedelta(days=days),
                version=1,
            )
            for n, (status, days) in enumerate(statuses_and_days)
        ]
    )
    await service.rebuild_counters()


def test_the_index_and_the_query_name_the_same_statuses():
    migration = importlib.import_module(QUEUE_MIGRATION)
    assert migration.ACTIVE.removeprefix("status IN ") in service.ACTIVE_CONDITION
    assert [s.value for s in ACTIVE] == [
        v.strip(" '") for v in migration.ACTIVE.split("(")[1].rstrip(")").split(",")
    ]


async def test_the_active_page_keeps_soonest_due_first_ready_included(app, staff):
    actor = await operator(staff)
    # Finished requests fell due long ago; the active ones, ready included, in mixed order.
    await add_requests(
        actor,
        [("collected", 300 + n) for n in range(30)]
        + [("ready", 2.0), ("in_review", 5.0), ("awaiting_signature", 1.0)]
        + [("incomplete", 3.0), ("rejected", 4.0), ("awaiting_countersign", 0.5)],
    )
    page = await service.queue(actor)
    assert [item["status"] for item in page.items] == [
        "in_review",
        "incomplete",
        "ready",
        "awaiting_signature",
        "awaiting_countersign",
    ]
    assert page.total == 5


async def test_the_active_page_is_read_in_order_from_its_index(app, staff):
    actor = await operator(staff)
    await add_requests(actor, [("collected", 100 + n) for n in range(50)] + [("ready", 1.0)])
    # The statement as the app sends it, parameters and all (not rendered with values inlined).
    shape, values = service.queue_statement(actor, list(ACTIVE), ("", None))
    page = service.queue_page_sql(shape)
    engine = current_engine()
    if engine_name(engine) == "sqlite":
        rows = await db.fetch(db.Sql("EXPLAIN QUERY PLAN " + page.sqlite), *values, 25, 0)
        plan = " | ".join(r["detail"] for r in rows)
        assert "letter_request_active_kelurahan" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort: the scan stops after a page
    else:
        async with engine.transaction():
            # On a table this small a scan is cheapest; forbid it and the sort, to ask whether
            # the index can give the page in order by itself.
            await LetterRequest.raw("SET LOCAL enable_seqscan = off")
            await LetterRequest.raw("SET LOCAL enable_sort = off")
            rows = await db.fetch(db.Sql("EXPLAIN " + page.sqlite), *values, 25, 0)
        plan = " | ".join(r["QUERY PLAN"] for r in rows)
        assert "letter_request_active_kelurahan" in plan, plan
        assert "Sort" not in plan, plan


async def _plan(sql: str, *values: object) -> str:
    """The plan of a statement as the app sends it; on PostgreSQL with scans forbidden, since
    on a table this small a scan is cheapest: the question is which index can serve it."""
    engine = current_engine()
    if engine_name(engine) == "sqlite":
        rows = await db.fetch(db.Sql("EXPLAIN QUERY PLAN " + sql), *values)
        return " | ".join(r["detail"] for r in rows)
    async with engine.transaction():
        await LetterRequest.raw("SET LOCAL enable_seqscan = off")
        rows = await db.fetch(db.Sql("EXPLAIN " + sql), *values)
    return " | ".join(r["QUERY PLAN"] for r in rows)


def _scans_whole(table: str, plan: str) -> bool:
    """SQLite: SCAN is every row (through an index or not), SEARCH a range of one. PostgreSQL:
    a sequential scan, or an index walked whole (its next line no index condition)."""
    steps = [step.strip().removeprefix("->").strip() for step in plan.split(" | ")]
    if not any(" on " in step for step in steps):  # SQLite's plan
        return f"SCAN {table}" in plan
    for here, after in zip(steps, [*steps[1:], ""], strict=True):
        if f" on {table} " in f"{here} " and (
            "Seq Scan" in here or not after.startswith(("Index Cond", "Recheck Cond"))
        ):
            return True
    return False


async def test_an_office_s_reads_stay_on_an_index_led_by_its_office(app, staff):
    """letter_request.kelurahan and request_counter.kelurahan have no index of their own (each
    insert paid for one more): the indexes led by kelurahan serve every read by office, each
    tab and search of the queue and the office's counts."""
    actor = await operator(staff)
    await add_requests(actor, [("collected", 100 + n) for n in range(20)] + [("ready", 1.0)])
    searches = [("", None), ("name", "%warga%"), ("code", "KPG-0000-0000-0000")]
    for statuses in (list(ACTIVE), [ACTIVE[0]], []):
        for search in searches:
            shape, values = service.queue_statement(actor, statuses, search)
            page = await _plan(service.queue_page_sql(shape).sqlite, *values, 25, 0)
            assert not _scans_whole("letter_request", page), (shape, page)
    counts = await _plan(service.COUNTS["kelurahan"].sqlite, actor.kelurahan_id)
    assert not _scans_whole("request_counter", counts), counts
    assert "request_counter_office_status" in counts, counts
