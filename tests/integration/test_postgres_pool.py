"""PostgreSQL's pool: no reset round trip after each query, and still no transaction left
open for the next user of a connection."""

import asyncio
import contextlib

import pytest

from sodamolek.db import current_engine, engine_name


@pytest.fixture
def pool(app):
    engine = current_engine()
    if engine_name(engine) != "postgresql":
        pytest.skip("PostgreSQL's pool")
    assert engine.pool is not None
    return engine.pool


async def test_a_connection_given_back_runs_no_reset_query(pool):
    async with pool.acquire() as watcher:
        async with pool.acquire() as connection:
            pid = await connection.fetchval("SELECT pg_backend_pid() /* the last one */")
        last = await watcher.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid)
    # With asyncpg's default reset the server's last statement would be its RESET ALL.
    assert "the last one" in last


async def test_a_transaction_left_open_is_rolled_back_before_reuse(pool):
    connection = await pool.acquire()
    await connection.execute("BEGIN")
    await connection.execute("CREATE TEMP TABLE left_open (n int)")
    await pool.release(connection)
    async with pool.acquire() as again:
        assert not again.is_in_transaction()
        assert await again.fetchval("SELECT to_regclass('pg_temp.left_open')") is None


@contextlib.asynccontextmanager
async def every_connection_taken(pool):
    """Every connection of the pool out, given back at the end whatever happened (a pool closed
    with connections out waits for them)."""
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        yield held
    finally:
        for connection in held:
            await pool.release(connection)


async def test_a_connection_given_back_goes_to_the_task_that_waited_longest(pool):
    """A task that asks while a connection is on its way back must not take it from one that
    was waiting (asyncpg's own pool lets it: under load some requests waited ~0.5 s)."""
    order: list[str] = []

    async def use(name: str) -> None:
        async with pool.acquire():
            order.append(name)

    async with every_connection_taken(pool) as held:
        waiting = asyncio.create_task(use("waiting"))
        await asyncio.sleep(0.05)  # it has asked and waits: every connection is out
        giving_back = asyncio.create_task(pool.release(held[0]))
        await asyncio.sleep(0)  # the release is under way...
        late = asyncio.create_task(use("late"))  # ...when a new task asks
        await asyncio.wait_for(asyncio.gather(giving_back, waiting, late), 10)
    assert order == ["waiting", "late"]


async def test_turns_are_not_lost_to_a_cancelled_wait_a_timeout_or_a_second_release(pool):
    async def take():
        return await pool.acquire()

    async with every_connection_taken(pool) as held:
        cancelled = asyncio.create_task(take())
        await asyncio.sleep(0.05)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        with pytest.raises(TimeoutError):
            await pool.acquire(timeout=0.05)
    await pool.release(held[0])  # already given back: nothing more to give
    # Every connection can be taken again, and no more than that many at once.
    async with every_connection_taken(pool):
        with pytest.raises(TimeoutError):
            await pool.acquire(timeout=0.05)
