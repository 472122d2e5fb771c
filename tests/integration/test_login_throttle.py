"""The login throttle under parallel tries: one atomic claim per try, so a burst never checks
more passwords than the free tries, in one process or several; waits grow past the free tries."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sodamolek.accounts import throttle
from sodamolek.accounts.tables import LoginAttempt
from tests.conftest import PASSWORD, csrf_from
from tests.processes import free_port, process_env, serve_process, wait_until_up

BURST = 100


def test_waits_grow_from_thirty_seconds_to_fifteen_minutes():
    assert [throttle.delay_after(n, 5) for n in range(1, 12)] == [
        0,
        0,
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]


async def _checked_passwords() -> int:
    # Every try that got past the throttle is recorded with its outcome.
    return await LoginAttempt.count()


async def test_a_parallel_burst_of_wrong_passwords_checks_at_most_the_free_tries(app, staff):
    policy = app.state.throttle_policy
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = csrf_from((await client.get("/masuk")).text)
        form = {"username": staff.operator, "password": "salah-salah-salah", "_csrf_token": token}
        answers = await asyncio.wait_for(
            asyncio.gather(*(client.post("/masuk", data=form) for _ in range(BURST))), 120
        )
    statuses = [a.status_code for a in answers]
    assert not [s for s in statuses if s >= 500]
    assert statuses.count(401) == await _checked_passwords() == policy.free_per_account_address
    assert statuses.count(429) == BURST - policy.free_per_account_address


async def test_the_claim_holds_back_until_the_wait_is_over_then_waits_longer(app):
    policy = throttle.ThrottlePolicy(free_per_account_address=2, window_seconds=900)
    key, now = "akun:uji|192.0.2.1", 1_000_000.0
    assert await throttle.claim(key, 2, policy, now) == 1
    assert await throttle.claim(key, 2, policy, now) == 2  # the last free one: 30 s wait after
    with pytest.raises(throttle.Throttled) as held:
        await throttle.claim(key, 2, policy, now + 29)
    assert held.value.retry_after in (1, 2)
    assert await throttle.claim(key, 2, policy, now + 30.5) == 3  # then 60 s
    with pytest.raises(throttle.Throttled):
        await throttle.claim(key, 2, policy, now + 90)
    assert await throttle.claim(key, 2, policy, now + 91) == 4
    # A quiet window (longer than the window, not held back) starts the count again.
    assert await throttle.claim(key, 2, policy, now + 91 + 120 + 901) == 1


async def test_a_burst_spread_over_three_server_processes_checks_at_most_the_free_tries(
    app, staff, settings, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share one database on PostgreSQL")
    env = process_env(settings, database_url, EMBEDDED_WORKER="false")
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(3)]
    servers = [await serve_process(env, url) for url in urls]
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            for url, process in zip(urls, servers, strict=True):
                await wait_until_up(client, url, process)
            token = csrf_from((await client.get(urls[0] + "/masuk")).text)
            form = {"username": staff.operator, "password": "salah-salah", "_csrf_token": token}
            answers = await asyncio.wait_for(
                asyncio.gather(
                    *(client.post(urls[i % 3] + "/masuk", data=form) for i in range(BURST))
                ),
                180,
            )
            statuses = [a.status_code for a in answers]
            assert not [s for s in statuses if s >= 500]
            assert statuses.count(401) == await _checked_passwords() == 5
            assert statuses.count(429) == BURST - 5
            # The right password from this address waits too; the operator is not locked out
            # elsewhere (each process sees the same count, so it is per address, not per user).
            right = {**form, "password": PASSWORD}
            assert (await client.post(urls[1] + "/masuk", data=right)).status_code == 429
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
