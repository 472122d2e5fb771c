"""Two server processes on one database, as several workers or containers are: an admin's
closure saved through one is counted by the other within its refresh interval."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx

from sodamolek.core.formatting import WITA
from sodamolek.letter_requests import workdays
from tests.conftest import PASSWORD, csrf_from
from tests.processes import free_port, process_env, serve_process, wait_until_up

REFRESH_SECONDS = 0.5


async def _day_shown_as_closed(client: httpx.AsyncClient, url: str, day: dt.date) -> bool:
    page = await client.get(url + "/admin/hari-libur")
    assert page.status_code == 200
    return f'data-tanggal="{day.isoformat()}" class="day-off"' in page.text


async def test_a_closure_saved_in_one_process_is_counted_by_another_within_the_interval(
    app, staff, settings, database_url
):
    day = dt.datetime.now(WITA).date() + dt.timedelta(days=1)
    while not workdays.is_working_day(day):
        day += dt.timedelta(days=1)
    env = process_env(
        settings,
        database_url,
        EMBEDDED_WORKER="false",
        CALENDAR_REFRESH_SECONDS=str(REFRESH_SECONDS),
    )
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    servers = [await serve_process(env, url) for url in urls]
    first, second = urls
    try:
        async with httpx.AsyncClient(timeout=10) as client:  # one session: it is in the database
            for url, process in zip(urls, servers, strict=True):
                await wait_until_up(client, url, process)
            token = csrf_from((await client.get(first + "/masuk")).text)
            login = await client.post(
                first + "/masuk",
                data={"username": staff.admin, "password": PASSWORD, "_csrf_token": token},
            )
            assert login.status_code in (200, 303)
            assert not await _day_shown_as_closed(client, second, day)

            token = csrf_from((await client.get(first + "/admin/hari-libur")).text)
            saved = await client.post(
                first + "/admin/hari-libur",
                data={
                    "_csrf_token": token,
                    "day": day.isoformat(),
                    "kind": "tutup",
                    "note": "Kantor Pemerintah Kota tutup",
                },
            )
            assert saved.status_code == 303
            saved_at = time.monotonic()
            assert await _day_shown_as_closed(client, first, day)  # the editing process: at once

            while not await _day_shown_as_closed(client, second, day):
                assert time.monotonic() - saved_at < REFRESH_SECONDS + 5, "never refreshed"
                await asyncio.sleep(0.05)
    finally:
        for process in servers:
            if process.returncode is None:
                process.terminate()
        for process in servers:
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except TimeoutError:
                process.kill()
