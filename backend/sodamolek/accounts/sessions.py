"""Server-side sessions in the database, so that every worker shares them.

Litestar's session middleware does the cookie and serialisation; this module gives it a Store
backed by the `web_session` table and a backend that can rotate the session id at login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store

from sodamolek.accounts.tables import WebSession

SESSION_COOKIE = "sodamolek_sesi"
STORE_NAME = "sessions"
_NEW_SESSION_ID = "sodamolek.new_session_id"
# Renewing the idle expiry is a write; skip it when it would move the expiry less than this.
RENEW_GRANULARITY = dt.timedelta(seconds=60)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=dt.UTC)


class DatabaseSessionStore(Store):
    """Litestar Store on the web_session table (keys stored hashed)."""

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None):
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        await WebSession.insert(
            WebSession(key_hash=_hash(key), data=data, expires_at=expires_at)
        ).on_conflict(
            target=WebSession.key_hash,
            action="DO UPDATE",
            values=[WebSession.data, WebSession.expires_at],
        )

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        key_hash = _hash(key)
        row = await WebSession.select(WebSession.data, WebSession.expires_at).where(
            WebSession.key_hash == key_hash
        ).first()
        if row is None:
            return None
        expires_at = _aware(row["expires_at"])
        if expires_at is not None and expires_at <= _now():
            await WebSession.delete().where(WebSession.key_hash == key_hash)
            return None
        if renew_for is not None:
            new_expiry = _expiry(renew_for)
            if expires_at is None or new_expiry - expires_at > RENEW_GRANULARITY:
                await WebSession.update({WebSession.expires_at: new_expiry}).where(
                    WebSession.key_hash == key_hash
                )
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await WebSession.delete().where(WebSession.key_hash == _hash(key))

    async def delete_all(self) -> None:
        await WebSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await WebSession.select(WebSession.expires_at).where(
            WebSession.key_hash == _hash(key)
        ).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((_aware(row["expires_at"]) - _now()).total_seconds())

    async def delete_expired(self) -> int:
        expired = WebSession.expires_at < _now()
        count = await WebSession.count().where(expired)
        await WebSession.delete().where(expired)
        return count


def _expiry(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    delta = expires_in if isinstance(expires_in, dt.timedelta) else dt.timedelta(seconds=expires_in)
    return _now() + delta


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar keeps the session id across a login; this backend issues a fresh one when the
    handler asked for it, so a session id planted before login is worthless after it."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        new_id = connection.scope.get(_NEW_SESSION_ID)  # type: ignore[call-overload]
        return new_id or super().get_session_id(connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


async def rotate_session_id(connection: ASGIConnection) -> None:
    """Drop the session stored under the current cookie and use a new id for this response."""
    old_id = connection.cookies.get(SESSION_COOKIE)
    if old_id:
        await DatabaseSessionStore().delete(old_id)
    connection.scope[_NEW_SESSION_ID] = secrets.token_hex(32)  # type: ignore[literal-required]
