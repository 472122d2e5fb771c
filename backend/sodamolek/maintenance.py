"""Housekeeping the worker does every few minutes: each step calls its domain's own function."""

from __future__ import annotations

import asyncio
import logging
import time

from sodamolek.accounts.sessions import DatabaseSessionStore
from sodamolek.core.ratelimit import forget_before
from sodamolek.letter_requests.service import recheck_unverified

logger = logging.getLogger("sodamolek.maintenance")
INTERVAL_SECONDS = 300


async def run_once(registry) -> dict[str, int]:
    """Expired sessions and old rate-limit windows go; applicants taken while the registry was
    down are checked again."""
    done = {"sessions_removed": await DatabaseSessionStore().delete_expired()}
    done["rate_limit_windows_removed"] = await forget_before(time.time() - 3600)
    done["applicants_rechecked"] = await recheck_unverified(registry) if registry else 0
    return done


async def run_loop(stop: asyncio.Event, registry, interval: float = INTERVAL_SECONDS) -> None:
    """A round every `interval` seconds, the first one an interval after start (not racing the
    migrations of a fresh deployment)."""
    while not await _stopped(stop, interval):
        try:
            done = await run_once(registry)
            if any(done.values()):
                logger.info("maintenance: %s", done)
        except Exception:  # a failed round is retried at the next one
            logger.exception("maintenance round failed")


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
