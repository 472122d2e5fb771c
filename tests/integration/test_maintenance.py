"""The worker's housekeeping round."""

import datetime as dt
import time

import pytest

from sodamolek import maintenance
from sodamolek.accounts.tables import WebSession
from sodamolek.core import ratelimit


async def test_a_round_removes_expired_sessions_and_old_windows(app):
    now = dt.datetime.now(dt.UTC)
    await WebSession.insert(
        WebSession(key_hash="a" * 64, data=b"{}", expires_at=now - dt.timedelta(minutes=1)),
        WebSession(key_hash="b" * 64, data=b"{}", expires_at=now + dt.timedelta(minutes=30)),
    )
    one_a_minute = ratelimit.Limit(1, 60)
    two_hours_ago = time.time() - 7200
    await ratelimit.hit("old", one_a_minute, now=two_hours_ago)
    await ratelimit.hit("new", one_a_minute)
    done = await maintenance.run_once(app.state.registry)
    assert done["sessions_removed"] == 1
    assert done["rate_limit_windows_removed"] == 1
    assert [r["key_hash"] for r in await WebSession.select(WebSession.key_hash)] == ["b" * 64]
    await ratelimit.hit("old", one_a_minute, now=two_hours_ago)  # forgotten: counts from zero
    with pytest.raises(ratelimit.RateLimited):
        await ratelimit.hit("new", one_a_minute)  # kept


def test_rebuild_counts_command_runs_on_a_fresh_database(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    env |= {
        "SODAMOLEK_DATA_DIR": str(tmp_path),
        "SODAMOLEK_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    for args in (["migrate"], ["seed"], ["rebuild-counts"]):
        result = subprocess.run(
            [sys.executable, "-m", "sodamolek.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert "dihitung ulang" in result.stdout
