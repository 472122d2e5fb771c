"""The login throttle: each try claims a number in one atomic upsert, before the password is
looked at, so parallel tries in any number of workers never check more passwords than the
limit allows.

Two keys are claimed per try: the account together with the address (a few free tries, then
growing waits) and the address alone (more free tries, for an office behind one NAT). The
account alone is never a key: failures from one address must not hold back the real user
typing the right password somewhere else.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sodamolek.accounts.tables import LoginThrottle

# The wait after each try past the free ones: 30 s, doubling, at most 15 minutes.
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 15 * 60


@dataclass(frozen=True)
class ThrottlePolicy:
    free_per_account_address: int = 5
    free_per_address: int = 50
    window_seconds: int = 15 * 60  # claims older than this (and not held back) start again


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def delay_after(claim: int, free: int) -> int:
    """Seconds the next try waits after the `claim`-th try of a window (0 within the free)."""
    if claim < free:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(claim - free, 10))


def _delay_sql(claims_sql: str, free: int) -> str:
    """delay_after() as a CASE both engines run (no power() in SQLite)."""
    steps = []
    delay, step = FIRST_DELAY_SECONDS, 0
    while delay < MAX_DELAY_SECONDS:
        steps.append(f"WHEN {claims_sql} = {free + step} THEN {delay}")
        delay, step = delay * 2, step + 1
    ladder = " ".join(steps)
    return f"(CASE WHEN {claims_sql} < {free} THEN 0 {ladder} ELSE {MAX_DELAY_SECONDS} END)"


def _claim_sql(free: int, now: float, cutoff: float, token: str) -> str:
    """The upsert. Only the key comes from outside (a placeholder); the numbers are ours and
    the token is hex, so they are written into the SQL as literals."""
    now_sql, cutoff_sql = repr(float(now)), repr(float(cutoff))
    assert all(c in "0123456789abcdef" for c in token)
    # In ON CONFLICT DO UPDATE every SET expression reads the row as it was (both engines), so
    # `held` and `fresh` mean the same thing in every line.
    held = f"login_throttle.next_at > {now_sql}"
    fresh = f"login_throttle.window_start < {cutoff_sql}"
    new_claims = f"(CASE WHEN {fresh} THEN 1 ELSE login_throttle.claims + 1 END)"
    delay = _delay_sql(new_claims, free)
    first_delay = delay_after(1, free)
    first_next = now + first_delay if first_delay else 0
    # Literals are our own numbers and hex; the key is a placeholder.
    return (
        "INSERT INTO login_throttle (key, claims, window_start, next_at, token) "  # noqa: S608
        f"VALUES ({{}}, 1, {now_sql}, {float(first_next)!r}, '{token}') "
        "ON CONFLICT (key) DO UPDATE SET "
        f"claims = CASE WHEN {held} THEN login_throttle.claims ELSE {new_claims} END, "
        f"window_start = CASE WHEN {held} OR NOT {fresh} THEN login_throttle.window_start "
        f"ELSE {now_sql} END, "
        f"next_at = CASE WHEN {held} THEN login_throttle.next_at "
        f"WHEN {delay} = 0 THEN 0 ELSE {now_sql} + {delay} END, "
        f"token = CASE WHEN {held} THEN login_throttle.token ELSE '{token}' END "
        "RETURNING claims, next_at, token"
    )


async def claim(key: str, free: int, policy: ThrottlePolicy, now: float | None = None) -> int:
    """Claim one try on `key`; returns its number in the window, or raises Throttled (the try
    is not counted then: it was held back, not made)."""
    now = time.time() if now is None else now
    token = secrets.token_hex(16)
    sql = _claim_sql(free, now, now - policy.window_seconds, token)
    rows = await LoginThrottle.raw(sql, key[:200])
    row = rows[0]
    if row["token"] != token:
        raise Throttled(retry_after=max(1, int(row["next_at"] - now) + 1))
    return int(row["claims"])


async def forget(key: str) -> None:
    """A successful login: the account's tries from that address start again."""
    await LoginThrottle.delete().where(LoginThrottle.key == key[:200])


async def give_back(key: str) -> None:
    """A successful login does not count against its address (the office's NAT)."""
    await LoginThrottle.raw(
        "UPDATE login_throttle SET claims = claims - 1 WHERE key = {} AND claims > 0", key[:200]
    )


async def forget_stale(policy: ThrottlePolicy, now: float | None = None) -> None:
    now = time.time() if now is None else now
    cutoff = now - policy.window_seconds
    await LoginThrottle.delete().where(
        (LoginThrottle.window_start < cutoff) & (LoginThrottle.next_at < now)
    )


def account_key(username: str, address: str) -> str:
    return f"akun:{username}|{address}"


def address_key(address: str) -> str:
    return f"alamat:{address}"
