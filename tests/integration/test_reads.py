"""db.reads: the hot pages' fixed SQL, read beside Piccolo (on SQLite by a synchronous
connection of its own) and never seeing less, or more, than it should."""

import asyncio
import contextvars
import sqlite3

import pytest

from sodamolek import db
from sodamolek.regions.tables import Kecamatan

NAME = db.Sql("SELECT name FROM kecamatan WHERE code = ?")


async def _first_code() -> str:
    row = await Kecamatan.select(Kecamatan.code).order_by(Kecamatan.code).first()
    assert row is not None
    return row["code"]


async def _rename(code: str, name: str) -> None:
    async with db.write_transaction(db.current_engine()):
        await Kecamatan.update({Kecamatan.name: name}).where(Kecamatan.code == code)


def _elsewhere(coroutine):
    """Run in a task that shares no transaction or snapshot with the caller (another request)."""
    return asyncio.create_task(coroutine, context=contextvars.Context())


async def _name(code: str) -> str:
    row = await db.fetch_one(NAME, code)
    assert row is not None
    return row["name"]


async def test_a_read_sees_what_was_committed_before_it(app):
    code = await _first_code()
    await _rename(code, "Kecamatan Baru")
    assert await _name(code) == "Kecamatan Baru"
    async with db.reading():
        assert await _name(code) == "Kecamatan Baru"
    await _rename(code, "Lagi Baru")
    assert await _name(code) == "Lagi Baru"


async def test_in_a_write_transaction_a_read_sees_its_writes_and_no_one_else_does(app):
    code = await _first_code()
    before = await _name(code)
    async with db.write_transaction(db.current_engine()):
        await Kecamatan.update({Kecamatan.name: "Belum Tersimpan"}).where(Kecamatan.code == code)
        assert await _name(code) == "Belum Tersimpan"
        async with db.reading():  # joins the transaction
            assert await _name(code) == "Belum Tersimpan"
        assert await _elsewhere(_name(code)) == before
    assert await _elsewhere(_name(code)) == "Belum Tersimpan"


async def test_a_reading_is_one_snapshot_on_sqlite(app):
    if db.engine_name(db.current_engine()) != "sqlite":
        pytest.skip("PostgreSQL reads at READ COMMITTED, as Piccolo's transactions do")
    code = await _first_code()
    before = await _name(code)
    async with db.reading():
        assert await _name(code) == before
        await _elsewhere(_rename(code, "Sesudah"))  # commits while the snapshot is open
        assert await _name(code) == before
    assert await _name(code) == "Sesudah"


async def test_the_synchronous_reader_cannot_write(app):
    if db.engine_name(db.current_engine()) != "sqlite":
        pytest.skip("the synchronous reader is SQLite's")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetch(db.Sql("UPDATE kecamatan SET name = 'x' RETURNING id"))
    async with db.reading():
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await db.fetch(db.Sql("DELETE FROM kecamatan RETURNING id"))


def test_placeholders_are_numbered_for_postgresql():
    sql = db.Sql("SELECT a FROM t WHERE b = ? AND c IN (?, ?)")
    assert sql.sqlite == "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
    assert sql.postgres == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
