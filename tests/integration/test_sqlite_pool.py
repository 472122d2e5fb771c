"""The SQLite connection layer: one writer connection for write transactions, readers handed
out strictly first come first served, nothing lost when a waiter gives up."""

import asyncio

import pytest

from sodamolek.db.engine import PooledSQLiteEngine, write_transaction


@pytest.fixture
async def engine(tmp_path):
    engine = PooledSQLiteEngine(path=str(tmp_path / "pool.sqlite3"), pool_size=3)
    await engine._run_in_new_connection("CREATE TABLE t (n INTEGER)")
    yield engine
    await engine.close_pool()


async def test_waiters_get_connections_in_the_order_they_asked(engine):
    held = [await engine.acquire() for _ in range(3)]
    served = []

    async def wait_then_give_back(name):
        connection = await engine.acquire()
        served.append(name)
        await asyncio.sleep(0)
        await engine.release(connection)

    waiters = []
    for name in ("first", "second", "third"):
        waiters.append(asyncio.create_task(wait_then_give_back(name)))
        await asyncio.sleep(0)  # each one queued before the next asks
    # The holder gives back and asks again at once (a request's next query): it queues behind
    # the waiters instead of taking its connection back before they wake.
    await engine.release(held.pop())
    held.append(await asyncio.wait_for(engine.acquire(), timeout=30))
    served.append("holder again")
    await asyncio.wait_for(asyncio.gather(*waiters), timeout=30)
    assert served == ["first", "second", "third", "holder again"]
    for connection in held:
        await engine.release(connection)
    assert engine.readers.opened == 3


async def test_a_cancelled_waiter_loses_no_connection(engine):
    held = [await engine.acquire() for _ in range(3)]
    gave_up = asyncio.create_task(engine.acquire())
    await asyncio.sleep(0)
    gave_up.cancel()
    for connection in held:
        await engine.release(connection)
    with pytest.raises(asyncio.CancelledError):
        await gave_up
    again = [await asyncio.wait_for(engine.acquire(), timeout=30) for _ in range(3)]
    assert len(set(map(id, again))) == 3
    for connection in again:
        await engine.release(connection)


async def test_write_transactions_share_one_writer_while_reads_go_on(engine):
    writers, inside, most_inside = [], 0, 0

    async def write(n):
        nonlocal inside, most_inside
        async with write_transaction(engine) as transaction:
            inside += 1
            most_inside = max(most_inside, inside)
            writers.append(id(transaction.connection))
            await engine._run_in_existing_connection(
                transaction.connection, "INSERT INTO t VALUES (?)", [n]
            )
            await asyncio.sleep(0.01)
            inside -= 1

    async def read():
        async with engine.transaction() as transaction:
            return await engine._run_in_existing_connection(
                transaction.connection, "SELECT COUNT(*) AS n FROM t"
            )

    async with write_transaction(engine) as holding:  # the writer is busy...
        reads = await asyncio.wait_for(read(), timeout=30)  # ...and a read still goes through
        assert reads[0]["n"] == 0
        reader = await engine.acquire()
        assert reader is not holding.connection
        await engine.release(reader)
    await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(6))), timeout=60)
    assert len(set(writers)) == 1 and most_inside == 1
    assert (await read())[0]["n"] == 6
