"""A fixed-window rate limit kept in the database, so that every worker counts together
(Litestar's rate-limit middleware keys on the address alone and counts per process store)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sodamolek.core.tables import RateLimitWindow


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


async def hit(key: str, limit: Limit, now: float | None = None) -> None:
    """Count one hit; raise RateLimited when the window is already full."""
    now = now or time.time()
    window = int(now // limit.seconds * limit.seconds)
    rows = await RateLimitWindow.raw(
        "INSERT INTO rate_limit_window (key, window_start, hits) VALUES ({}, {}, 1) "
        "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1 "
        "RETURNING hits",
        key[:120],
        window,
    )
    if rows[0]["hits"] > limit.hits:
        raise RateLimited(retry_after=max(1, int(window + limit.seconds - now)))


async def forget_before(cutoff: float) -> None:
    await RateLimitWindow.delete().where(RateLimitWindow.window_start < int(cutoff))
