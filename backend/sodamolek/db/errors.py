"""Recognising the database's own refusals on both engines, so they become answers in words
(409 for a twin, 503 for a busy database) instead of a 500."""

from __future__ import annotations

import sqlite3

import asyncpg


def is_unique_violation(error: BaseException) -> bool:
    """A UNIQUE constraint or index refused the write (the same row written twice at once)."""
    if isinstance(error, asyncpg.UniqueViolationError):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)


def is_busy(error: BaseException) -> bool:
    """The database could not take the write now: SQLite's lock outlasted the busy timeout, or
    PostgreSQL gave up on a deadlock or a serialization conflict. Trying again can succeed."""
    if isinstance(
        error,
        asyncpg.DeadlockDetectedError | asyncpg.SerializationError | asyncpg.LockNotAvailableError,
    ):
        return True
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


TWIN_MESSAGE = (
    "Data yang sama baru saja disimpan oleh permintaan lain. Muat ulang halaman untuk melihat "
    "keadaan terbaru."
)
BUSY_MESSAGE = "Basis data sedang sibuk. Tunggu sebentar lalu coba lagi; tidak ada yang hilang."
