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
