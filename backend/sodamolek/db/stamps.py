"""In-memory caches of rarely edited rows (letter types, offices), right across worker processes.

Every create needs its letter type and its office; reading and decoding them each time cost
more than the insert. They are kept in memory, each cache under a name with a stamp in
`cache_stamp`: an edit writes a new random stamp in its own transaction (`bump`), and `refresh`
drops every cache whose stamp changed. A create reads the stamps in its insert's RETURNING
(no statement of its own): when one changed since its letter type and office were read from
memory, the insert is rolled back and the submission checked again with the rows read anew, so
an edit made in another worker process is seen by the next create there. A random stamp, not
a counter: a database restored from a backup or emptied by a test never brings back a value a
cache was filled under.

A cache is filled after the stamp was read, so a fill that races with an edit may hold the new
rows under the old stamp; the next refresh then drops it once more (never the other way round).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.columns import Serial, Varchar
from piccolo.table import Table

from sodamolek.db.reads import Sql, fetch, write


class CacheStamp(Table, tablename="cache_stamp"):
    """One row per in-memory cache: its stamp changes with every edit of what it holds."""

    id: Serial

    name = Varchar(length=40, unique=True)
    stamp = Varchar(length=32)


_READ = Sql("SELECT name, stamp FROM cache_stamp")
_BUMP = Sql(
    "INSERT INTO cache_stamp (name, stamp) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp"
)


class StampedCache:
    """A dict of loaded values, dropped when its stamp in the database changes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[Any, Any] = {}
        self.stamp: str | None = None  # the stamp the values were loaded under
        self._epoch = 0  # counts the clearings: a load begun before one is not kept
        _CACHES[name] = self

    async def get(self, key: Any, load: Callable[[Any], Awaitable[Any]]) -> Any:
        """The value for key, loaded (and kept) on a miss. Call `refresh` first."""
        try:
            return self.values[key]
        except KeyError:
            pass
        epoch = self._epoch
        value = await load(key)
        if epoch == self._epoch:  # no edit or new stamp meanwhile: what was read is current
            self.values[key] = value
        return value

    def clear(self) -> None:
        self.values.clear()
        self.stamp = None
        self._epoch += 1

    def _seen(self, stamp: str) -> None:
        if stamp != self.stamp:
            self.clear()
            self.stamp = stamp


_CACHES: dict[str, StampedCache] = {}


async def refresh() -> bool:
    """Drop every cache whose stamp changed since it was filled (another process's edit);
    whether one was."""
    stamps = {row["name"]: row["stamp"] for row in await fetch(_READ)}
    changed = False
    for name, cache in _CACHES.items():
        changed |= cache.stamp is not None and stamps.get(name, "") != cache.stamp
        cache._seen(stamps.get(name, ""))
    return changed


def refreshed() -> bool:
    """Every cache knows the stamp it is filled under (else `refresh` first)."""
    return all(cache.stamp is not None for cache in _CACHES.values())


def returning() -> str:
    """SQL columns giving every cache's stamp, for a statement that reads or writes anyway
    (the create's insert): `current` then says whether the caches were still right."""
    return ", ".join(
        f"COALESCE((SELECT stamp FROM cache_stamp WHERE name = '{name}'), '')"  # noqa: S608 - our names
        f" AS stamp_{name}"
        for name in _CACHES
    )


def current(row: dict) -> bool:
    """Whether the stamps in row (`returning`) are those the caches were filled under; if not,
    the changed caches are dropped (and will be read again)."""
    fresh = True
    for name, cache in _CACHES.items():
        stamp = row[f"stamp_{name}"]
        if stamp != cache.stamp:
            fresh = False
            cache._seen(stamp)
    return fresh


async def bump(name: str) -> None:
    """Mark the cache's rows as edited: call it in the edit's transaction."""
    await write(_BUMP, name, secrets.token_hex(16))
    if cache := _CACHES.get(name):
        cache.clear()


def clear_all() -> None:
    """Forget every cache (another database was put in use)."""
    for cache in _CACHES.values():
        cache.clear()
