"""Rate-limit counts: exact limits in the shared store at each hit; batched ones in memory,
exchanged with the store about once a second."""

from __future__ import annotations

import time

import pytest

from sodamolek.core import ratelimit
from sodamolek.core.tables import RateLimitWindow

EXACT = ratelimit.Limit(hits=5, seconds=3600)
BATCHED = ratelimit.Limit(hits=5, seconds=3600, exact=False)
KEY = "lacak:203.0.113.7"


async def stored(settings) -> dict[str, int]:
    if settings.engine == "sqlite":
        side = ratelimit.side_file(str(settings.sqlite_path))
        return dict(side.execute("SELECT key, hits FROM rate_limit_window").fetchall())
    rows = await RateLimitWindow.select(RateLimitWindow.key, RateLimitWindow.hits)
    return {r["key"]: r["hits"] for r in rows}


async def add_from_another_worker(settings, hits: int) -> None:
    """What another process writes."""
    window = int(time.time() // EXACT.seconds * EXACT.seconds)
    if settings.engine == "sqlite":
        ratelimit.side_file(str(settings.sqlite_path)).execute(
            "INSERT INTO rate_limit_window VALUES (?, ?, ?) ON CONFLICT (key, window_start) "
            "DO UPDATE SET hits = hits + excluded.hits",
            (KEY, window, hits),
        )
    else:
        await RateLimitWindow.raw(
            "INSERT INTO rate_limit_window (key, window_start, hits) VALUES ({}, {}, {}) "
            "ON CONFLICT (key, window_start) DO UPDATE SET "
            "hits = rate_limit_window.hits + excluded.hits",
            KEY,
            window,
            hits,
        )


@pytest.fixture
def no_exchange_by_itself(monkeypatch):
    monkeypatch.setattr(ratelimit, "FLUSH_SECONDS", 3600.0)


async def test_an_exact_limit_counts_each_hit_in_the_store(app, settings):
    await ratelimit.hit(KEY, EXACT)
    assert await stored(settings) == {KEY: 1}
    await add_from_another_worker(settings, EXACT.hits - 1)  # the window is now full
    with pytest.raises(ratelimit.RateLimited):
        await ratelimit.hit(KEY, EXACT)


async def test_batched_hits_are_written_together_not_one_by_one(
    app, settings, no_exchange_by_itself
):
    for _ in range(3):
        await ratelimit.hit(KEY, BATCHED)
    assert await stored(settings) == {}  # no write per hit
    await ratelimit.flush()
    assert await stored(settings) == {KEY: 3}
    await ratelimit.hit(KEY, BATCHED)
    await ratelimit.flush()
    assert await stored(settings) == {KEY: 4}  # added, not written over


async def test_an_exchange_starts_by_itself_after_a_second(app, settings, monkeypatch):
    import asyncio

    monkeypatch.setattr(ratelimit, "FLUSH_SECONDS", 0.0)
    await ratelimit.hit(KEY, BATCHED)
    for _ in range(200):
        if await stored(settings):
            break
        await asyncio.sleep(0.01)
    assert await stored(settings) == {KEY: 1}


async def test_other_workers_hits_count_from_the_next_exchange(
    app, settings, no_exchange_by_itself
):
    await add_from_another_worker(settings, BATCHED.hits)  # full elsewhere
    await ratelimit.hit(KEY, BATCHED)  # not known here yet: counted alone
    await ratelimit.flush()  # written, and the total read back
    assert await stored(settings) == {KEY: BATCHED.hits + 1}
    with pytest.raises(ratelimit.RateLimited):
        await ratelimit.hit(KEY, BATCHED)


async def test_a_failed_write_keeps_the_hits_for_the_next(
    app, settings, monkeypatch, no_exchange_by_itself
):
    add = ratelimit._add

    async def down(engine, hits):
        raise OSError("disk full")

    await ratelimit.hit(KEY, BATCHED)
    await ratelimit.hit(KEY, BATCHED)
    monkeypatch.setattr(ratelimit, "_add", down)
    await ratelimit.flush()
    assert await stored(settings) == {}
    await ratelimit.hit(KEY, BATCHED)  # still counted: 3 of 5
    monkeypatch.setattr(ratelimit, "_add", add)
    await ratelimit.flush()
    assert await stored(settings) == {KEY: 3}


async def test_memory_keeps_only_the_windows_hit_since_the_last_exchange(
    app, settings, no_exchange_by_itself
):
    for n in range(50):
        await ratelimit.hit(f"lacak:198.51.100.{n}", BATCHED)
    await ratelimit.flush()
    await ratelimit.hit(KEY, BATCHED)
    await ratelimit.flush()
    counts = ratelimit._counts_of(ratelimit._engine())
    assert [key for key, _ in counts.shared] == [KEY]  # the others forgotten here
    assert len(await stored(settings)) == 51  # and still counted in the store
    again = "lacak:198.51.100.7"
    for _ in range(BATCHED.hits - 1):
        await ratelimit.hit(again, BATCHED)  # 4 here, its 1 in the store not known yet
    await ratelimit.flush()  # 5 in all, read back
    with pytest.raises(ratelimit.RateLimited):
        await ratelimit.hit(again, BATCHED)


async def test_a_stopping_server_writes_what_it_counted(settings, no_exchange_by_itself):
    from sodamolek.app import create_app

    app = create_app(settings)
    async with app.lifespan():
        await ratelimit.hit(KEY, BATCHED)
        await ratelimit.hit(KEY, BATCHED)
    app = create_app(settings)  # the engine is closed; read through a new one
    async with app.lifespan():
        assert await stored(settings) == {KEY: 2}


def test_the_tracking_pages_limits_are_batched_and_the_residents_exact():
    from sodamolek.residents import service as residents
    from sodamolek.tracking import views

    assert not views.LOOKUP_LIMIT.exact and not views.SURVEY_LIMIT.exact
    assert residents.NIK_LIMIT.exact and residents.LETTER_LIMIT_CODE.exact
