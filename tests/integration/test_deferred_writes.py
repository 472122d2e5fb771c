"""db.write: on SQLite a write whose result is not needed goes to the connection's thread with
the transaction's next statement or its commit. Still in order, in the same transaction."""

from __future__ import annotations

import pytest

from sodamolek import db

INSERT = db.Sql("INSERT INTO cache_stamp (name, stamp) VALUES (?, ?)")
NAMES = db.Sql("SELECT name FROM cache_stamp WHERE name LIKE 'uji-%' ORDER BY name")


async def test_a_read_in_the_transaction_sees_the_writes_before_it(app):
    async with db.write_transaction(db.current_engine()):
        await db.write(INSERT, "uji-1", "a")
        await db.write(INSERT, "uji-2", "b")
        assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-1", "uji-2"]
        await db.write(INSERT, "uji-3", "c")
    assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-1", "uji-2", "uji-3"]


async def test_a_failing_write_rolls_back_the_whole_transaction(app):
    with pytest.raises(Exception, match="(?i)unique"):
        async with db.write_transaction(db.current_engine()):
            await db.write(INSERT, "uji-1", "a")
            await db.write(INSERT, "uji-1", "again")  # the name is unique
    assert await db.fetch(NAMES) == []
    # The connection is usable afterwards (nothing left pending or open on it).
    async with db.write_transaction(db.current_engine()):
        await db.write(INSERT, "uji-2", "b")
    assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-2"]


async def test_a_write_outside_a_transaction_is_refused(app):
    with pytest.raises(RuntimeError):
        await db.write(INSERT, "uji-1", "a")


EVENT = db.Sql(
    "INSERT INTO request_event (request, actor_name, to_status, reason, at) "
    "VALUES (?, '', 'in_review', '', ?)"
)
COUNTER = db.Sql("INSERT INTO request_counter (kelurahan, status, count) VALUES (?, ?, ?)")


async def test_writes_into_several_tables_are_all_made_or_none(app):
    """On PostgreSQL inserts into distinct tables go as one statement: one failing part (a
    request that does not exist) leaves none of the others."""
    import datetime as dt

    kelurahan = (await db.fetch_one(db.Sql("SELECT id FROM kelurahan ORDER BY id LIMIT 1")))["id"]
    with pytest.raises(Exception, match="(?i)foreign key"):
        async with db.write_transaction(db.current_engine()):
            await db.write(INSERT, "uji-1", "a")
            await db.write(COUNTER, kelurahan, "uji", 3)
            await db.write(EVENT, 999_999, dt.datetime.now(dt.UTC))
    assert await db.fetch(NAMES) == []
    counted = db.Sql("SELECT count FROM request_counter WHERE status = 'uji'")
    assert await db.fetch(counted) == []

    async with db.write_transaction(db.current_engine()):
        await db.write(INSERT, "uji-1", "a")
        await db.write(COUNTER, kelurahan, "uji", 3)
    assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-1"]
    assert [r["count"] for r in await db.fetch(counted)] == [3]


RETURNING = db.Sql("INSERT INTO cache_stamp (name, stamp) VALUES (?, ?) RETURNING name, stamp")
STAMPS = db.Sql("SELECT name, stamp FROM cache_stamp WHERE name LIKE 'uji-%' ORDER BY name")


async def test_write_returning_commits_on_its_own_and_gives_the_rows(app):
    assert await db.write_returning(RETURNING, "uji-1", "a") == [{"name": "uji-1", "stamp": "a"}]
    assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-1"]
    with pytest.raises(Exception, match="(?i)unique"):
        await db.write_returning(RETURNING, "uji-1", "again")
    # Nothing left open on the writer: the next write goes through and commits.
    await db.write_returning(RETURNING, "uji-2", "b")
    assert await db.fetch(STAMPS) == [
        {"name": "uji-1", "stamp": "a"},
        {"name": "uji-2", "stamp": "b"},
    ]


async def test_write_returning_inside_a_transaction_is_part_of_it(app):
    with pytest.raises(RuntimeError):
        async with db.write_transaction(db.current_engine()):
            await db.write_returning(RETURNING, "uji-1", "a")
            raise RuntimeError
    assert await db.fetch(NAMES) == []


OWN_TEXTS = db.Sql(
    "INSERT INTO cache_stamp (name, stamp) VALUES (?, ? || '-sqlite')",
    postgres="INSERT INTO cache_stamp (name, stamp) VALUES ($1, $2 || '-postgresql')",
)


async def test_each_engine_runs_its_own_text_in_order_with_the_deferred_writes(app):
    engine = db.current_engine()
    async with db.write_transaction(engine):
        await db.write(INSERT, "uji-1", "a")
        await db.write(OWN_TEXTS, "uji-2", "b")
        await db.write(INSERT, "uji-3", "c")
        assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-1", "uji-2", "uji-3"]
    rows = await db.fetch(STAMPS)
    assert rows[1] == {"name": "uji-2", "stamp": f"b-{db.engine_name(engine)}"}


SYNCHRONOUS = db.Sql("PRAGMA synchronous")
FULL, NORMAL = 2, 1


async def _writer_synchronous() -> int:
    async with db.write_transaction(db.current_engine()):
        return (await db.fetch_one(SYNCHRONOUS))["synchronous"]


async def test_a_not_durable_write_skips_the_fsync_and_leaves_the_writer_durable(app):
    if db.engine_name(db.current_engine()) != "sqlite":
        pytest.skip("PostgreSQL commits as always")
    engine = db.current_engine()
    async with db.write_transaction(engine, durable=False):
        await db.write(INSERT, "uji-1", "a")
        assert (await db.fetch_one(SYNCHRONOUS))["synchronous"] == NORMAL
    assert await _writer_synchronous() == FULL
    with pytest.raises(Exception, match="(?i)unique"):
        async with db.write_transaction(engine, durable=False):
            await db.write(INSERT, "uji-1", "again")
            await db.fetch(NAMES)
    assert await _writer_synchronous() == FULL
    await db.write_returning(RETURNING, "uji-2", "b", durable=False)
    with pytest.raises(Exception, match="(?i)unique"):
        await db.write_returning(RETURNING, "uji-2", "again", durable=False)
    assert await _writer_synchronous() == FULL
    assert [r["name"] for r in await db.fetch(NAMES)] == ["uji-1", "uji-2"]
