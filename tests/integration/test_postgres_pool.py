"""PostgreSQL's pool: no reset round trip after each query, and still no transaction left
open for the next user of a connection."""

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
