"""The resident's tracking page."""

import pytest

from sodamolek.tracking.views import LOOKUP_LIMIT
from tests.conftest import csrf_from, login
from tests.integration.test_request_views import create, request_id_from


async def make_request(client, staff) -> tuple[int, str]:
    await login(client, staff.operator)
    rid = request_id_from(await create(client))
    code = (await client.get(f"/permohonan/{rid}")).text.split("<h1>")[1].split("</h1>")[0]
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/")).text)})
    return rid, code


async def test_status_page_shows_progress_without_personal_data(client, staff):
    rid, code = await make_request(client, staff)
    page = await client.get(f"/lacak/{code}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Sedang Diperiksa" in page.text
    assert "M**** N***" in page.text
    assert "Maria" not in page.text and "5371045708900003" not in page.text
    assert "El Tari" not in page.text  # the applicant's address neither
    assert "Kantor Kelurahan Oebobo" in page.text
    assert "Perkiraan selesai" in page.text


async def test_incomplete_shows_the_reason_and_what_to_bring(client, staff):
    rid, code = await make_request(client, staff)
    await login(client, staff.operator)
    token = csrf_from((await client.get(f"/permohonan/{rid}")).text)
    await client.post(
        f"/permohonan/{rid}/status",
        data={"_csrf_token": token, "to": "incomplete", "reason": "Fotokopi KK belum ada"},
    )
    page = await client.get(f"/lacak/{code}")
    assert "Belum Lengkap" in page.text
    assert "Fotokopi KK belum ada" in page.text
    assert "Kartu Keluarga (fotokopi)" in page.text  # an unticked requirement to bring


async def test_the_timeline_is_every_event_in_order_with_its_time(client, staff):
    from sodamolek.letter_requests.service import events_of
    from sodamolek.tracking import service

    rid, code = await make_request(client, staff)
    await login(client, staff.operator)
    for to, reason in (("incomplete", "Fotokopi KK belum ada"), ("in_review", "")):
        token = csrf_from((await client.get(f"/permohonan/{rid}")).text)
        await client.post(
            f"/permohonan/{rid}/status", data={"_csrf_token": token, "to": to, "reason": reason}
        )
    view = await service.track(code)
    events = await events_of(rid)
    assert len(events) == 3
    assert [(s.status, s.at) for s in view.timeline] == [(e["to_status"], e["at"]) for e in events]
    assert all(s.at.utcoffset() is not None for s in view.timeline)
    assert view.timeline[1].reason == "Fotokopi KK belum ada"  # a reason the resident acts on
    assert view.survey == "closed"
    # Read raw on SQLite and decoded here: the same values as the converters give.
    from sodamolek.letter_requests.service import tracked_request

    decoded = await tracked_request(code)
    assert (view.created_at, view.due_at, view.ready_at) == (
        decoded["created_at"],
        decoded["due_at"],
        decoded["ready_at"],
    )
    assert view.created_at.utcoffset() is not None and view.due_at.utcoffset() is not None


async def test_code_typed_loosely_is_understood(client, staff):
    _, code = await make_request(client, staff)
    page = await client.get("/lacak")
    typed = code.lower().replace("-", " ")
    response = await client.post(
        "/lacak", data={"_csrf_token": csrf_from(page.text), "kode": typed}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/lacak/{code}"


async def test_unknown_and_malformed_codes(client):
    unknown = await client.get("/lacak/KPG-0000-0000-0000")
    assert unknown.status_code == 404 and "tidak ditemukan" in unknown.text
    page = await client.get("/lacak")
    bad = await client.post("/lacak", data={"_csrf_token": csrf_from(page.text), "kode": "xyz"})
    assert bad.status_code == 422 and "tidak sah" in bad.text


async def test_lookups_are_rate_limited_per_address(client):
    for _ in range(LOOKUP_LIMIT.hits):
        assert (await client.get("/lacak/KPG-0000-0000-0000")).status_code == 404
    limited = await client.get("/lacak/KPG-0000-0000-0000")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


async def test_tracking_page_first_load_is_under_30_kb(client, staff):
    from tests.integration.test_pages import _fetch_on_the_wire

    _, code = await make_request(client, staff)
    size, html = await _fetch_on_the_wire(client, f"/lacak/{code}")
    import re

    total = size
    for url in set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', html.decode())):
        total += (await _fetch_on_the_wire(client, url))[0]
    print(f"tracking page first load: {total} bytes compressed")
    assert total <= 30 * 1024


async def test_rate_limit_window_rolls_over(app):
    from sodamolek.core import ratelimit

    limit = ratelimit.Limit(hits=2, seconds=60)
    await ratelimit.hit("k", limit, now=1000.0)
    await ratelimit.hit("k", limit, now=1001.0)
    try:
        await ratelimit.hit("k", limit, now=1019.0)
        raise AssertionError("third hit in the window should be refused")
    except ratelimit.RateLimited as limited:
        assert limited.retry_after == 1020 - 1019
    await ratelimit.hit("k", limit, now=1021.0)  # next window
    await ratelimit.hit("other", limit, now=1019.0)  # another key is not affected


HIT_FROM_ANOTHER_PROCESS = """
import asyncio, sys
from sodamolek.core import ratelimit

async def main():
    for _ in range(int(sys.argv[1])):
        await ratelimit.hit("lacak:203.0.113.9", ratelimit.Limit(hits=5, seconds=3600))

asyncio.run(main())
"""


async def test_rate_limit_is_shared_by_worker_processes(app, settings):
    """Workers are processes: hits counted in another one fill this one's window too."""
    import asyncio
    import os
    import sys

    from sodamolek.core import ratelimit

    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_DATA_DIR": str(settings.data_dir),
        "SODAMOLEK_DATABASE_URL": settings.database_url,
    }
    other = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HIT_FROM_ANOTHER_PROCESS, "4", env=env, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(other.communicate(), timeout=120)
    assert other.returncode == 0, stderr.decode()
    limit = ratelimit.Limit(hits=5, seconds=3600)
    await ratelimit.hit("lacak:203.0.113.9", limit)  # the fifth
    with pytest.raises(ratelimit.RateLimited):
        await ratelimit.hit("lacak:203.0.113.9", limit)


async def test_the_tracking_page_reads_one_snapshot_on_one_connection(client, staff, monkeypatch):
    from sodamolek.db import current_engine, engine_name
    from sodamolek.tracking import service

    engine = current_engine()
    if engine_name(engine) != "sqlite":
        pytest.skip("counts the SQLite engine's hand-outs")
    _, code = await make_request(client, staff)
    handed_out: list[str] = []
    acquire, take = engine.readers.acquire, engine.take_sync_reader

    async def counted():
        handed_out.append("thread")
        return await acquire()

    def counted_sync(raw=False):
        handed_out.append("sync")
        return take(raw=raw)

    monkeypatch.setattr(engine.readers, "acquire", counted)
    monkeypatch.setattr(engine, "take_sync_reader", counted_sync)
    view = await service.track(code)
    assert view is not None and view.code == code
    # The request with its type and office, its events and its survey: one synchronous
    # connection, no thread hand-off.
    assert handed_out == ["sync"]
