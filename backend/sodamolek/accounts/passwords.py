"""Argon2id password hashing (argon2-cffi), off the event loop.

OWASP's minimum for Argon2id: m=19 MiB, t=2, p=1 (~20 ms here, against ~200 ms for the
library's defaults on two cores).
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
HASHER = PRODUCTION_HASHER

# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_INPUT = "sodamolek-dummy-password"
_DUMMY_HASH = HASHER.hash(_DUMMY_INPUT)


def use_cheap_parameters_for_tests() -> None:
    """For the test suite only (tests/conftest.py calls it): the smallest Argon2id parameters,
    so the hundreds of accounts the tests create and log in with cost microseconds, not tens of
    milliseconds each. Hashes made this way still verify under the production hasher (the
    parameters are in the hash) and are rehashed at the next login."""
    global HASHER, _DUMMY_HASH
    HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY_HASH = HASHER.hash(_DUMMY_INPUT)


MIN_PASSWORD_LENGTH = 10


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in words; None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter."
    if password.strip() != password:
        return "Kata sandi tidak boleh diawali atau diakhiri spasi."
    return None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        await asyncio.to_thread(_verify, _DUMMY_HASH, password)
        return False
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
