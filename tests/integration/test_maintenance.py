"""The worker's housekeeping round."""

import datetime as dt
import time

from sodamolek import maintenance
from sodamolek.accounts.tables import WebSession
from sodamolek.tracking import ratelimit
from sodamolek.tracking.tables import RateLimitWindow


async def test_a_round_removes_expired_sessions_and_old_windows(app):
    now = dt.datetime.now(dt.UTC)
    await WebSession.insert(
        WebSession(key_hash="a" * 64, data=b"{}", expires_at=now - dt.timedelta(minutes=1)),
        WebSession(key_hash="b" * 64, data=b"{}", expires_at=now + dt.timedelta(minutes=30)),
    )
    await ratelimit.hit("old", ratelimit.Limit(5, 60), now=time.time() - 7200)
    await ratelimit.hit("new", ratelimit.Limit(5, 60))
    done = await maintenance.run_once(app.state.registry)
    assert done["sessions_removed"] == 1
    assert [r["key_hash"] for r in await WebSession.select(WebSession.key_hash)] == ["b" * 64]
    assert [r["key"] for r in await RateLimitWindow.select(RateLimitWindow.key)] == ["new"]
