"""Server-side sessions in the database, so that every worker shares them.

Litestar's session middleware does the cookie and serialisation; this module gives it a Store
backed by the `web_session` table and a backend that can rotate the session id at login.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any, cast

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.dataclass import extract_dataclass_items

from sodamolek import db
from sodamolek.accounts.tables import WebSession
from sodamolek.db import as_utc

SESSION_COOKIE = "sodamolek_sesi"
STORE_NAME = "sessions"
_NEW_SESSION_ID = "sodamolek.new_session_id"
_LOADED = "sodamolek.session_loaded"
_ID_PLACEHOLDER = "sessionidplaceholder"


def _extra(connection: ASGIConnection) -> dict[str, Any]:
    """The ASGI scope as a plain dict, for the two keys of our own kept in it."""
    return cast("dict[str, Any]", connection.scope)


# Renewing the idle expiry is a write; skip it when it would move the expiry less than this.
RENEW_GRANULARITY = dt.timedelta(seconds=60)


CSRF_SESSION_KEY = "csrf"  # the session's record of the CSRF cookie its login set (a hash)


def csrf_binding(token: str) -> str:
    """What a session keeps of its CSRF cookie: unsafe requests must bring that cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_cookie(config: CSRFConfig, token: str) -> Cookie:
    """The CSRF cookie as Litestar's middleware sets it: the login's new token and the
    middleware's cookie for a first visit must be one cookie, with the same attributes."""
    return Cookie(
        key=config.cookie_name,
        value=token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# What a staff request needs of its account (accounts.service.load_user builds the user from
# these columns), and the session read together with it: every staff request reads both, in
# one statement rather than two. A disabled account's columns come back empty.
ACCOUNT_COLUMNS = (
    "account.id, account.username, account.full_name, account.role, account.kelurahan, "
    "account.kecamatan, kelurahan.name AS kelurahan_name, kecamatan.name AS kecamatan_name"
)
ACCOUNT_OFFICES = (
    "LEFT JOIN kelurahan ON kelurahan.id = account.kelurahan "
    "LEFT JOIN kecamatan ON kecamatan.id = account.kecamatan"
)
SESSION = db.Sql(
    f"SELECT web_session.data, web_session.expires_at, {ACCOUNT_COLUMNS} FROM web_session "  # noqa: S608
    "LEFT JOIN account ON account.id = web_session.account_id AND account.is_active = ? "
    f"{ACCOUNT_OFFICES} WHERE web_session.key_hash = ?"
)
ACCOUNT_ROW = "sodamolek.session_account"  # the scope's key for the account read with it


class DatabaseSessionStore(Store):
    """Litestar Store on the web_session table (keys stored hashed)."""

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None):
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        await WebSession.insert(
            WebSession(
                key_hash=_hash(key),
                data=data,
                expires_at=expires_at,
                account_id=_account_of(data),
            )
        ).on_conflict(
            target=WebSession.key_hash,
            action="DO UPDATE",
            values=[WebSession.data, WebSession.expires_at, WebSession.account_id],
        )

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        row = await self.get_with_account(key, renew_for)
        return None if row is None else bytes(row["data"])

    async def get_with_account(
        self, key: str, renew_for: int | dt.timedelta | None = None
    ) -> dict | None:
        """The session's row (`data`) with its active account's columns (ACCOUNT_COLUMNS)."""
        key_hash = _hash(key)
        # Every staff request: fixed SQL, raw on SQLite (its one timestamp decoded here; the
        # converters took two thirds of the read: 52 against 17 µs for the statement alone).
        row = await db.fetch_one(SESSION, True, key_hash, raw=True)
        if row is None:
            return None
        stored = row["expires_at"]
        expires_at = row["expires_at"] = None if stored is None else db.stored_time(stored)
        if expires_at is not None and expires_at <= _now():
            await WebSession.delete().where(WebSession.key_hash == key_hash)
            return None
        if renew_for is not None:
            new_expiry = _expiry(renew_for)
            if new_expiry is not None and (
                expires_at is None or new_expiry - expires_at > RENEW_GRANULARITY
            ):
                await WebSession.update({WebSession.expires_at: new_expiry}).where(
                    WebSession.key_hash == key_hash
                )
        return row

    async def delete(self, key: str) -> None:
        await WebSession.delete().where(WebSession.key_hash == _hash(key))

    async def delete_all(self) -> None:
        await WebSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = (
            await WebSession.select(WebSession.expires_at)
            .where(WebSession.key_hash == _hash(key))
            .first()
        )
        if row is None or row["expires_at"] is None:
            return None
        return int((as_utc(row["expires_at"]) - _now()).total_seconds())

    async def delete_expired(self) -> int:
        expired = WebSession.expires_at < _now()
        count = await WebSession.count().where(expired)
        await WebSession.delete().where(expired)
        return count


def _account_of(data: bytes) -> int | None:
    """The account a session belongs to: Litestar stores the session as JSON."""
    try:
        value = json.loads(data)
    except ValueError:
        return None
    account = value.get("account_id") if isinstance(value, dict) else None
    return account if isinstance(account, int) and not isinstance(account, bool) else None


async def end_sessions_of(account_id: int) -> int:
    """Delete every session of the account: its next request has to log in again."""
    condition = WebSession.account_id == account_id
    count = await WebSession.count().where(condition)
    await WebSession.delete().where(condition)
    return count


def _expiry(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    delta = expires_in if isinstance(expires_in, dt.timedelta) else dt.timedelta(seconds=expires_in)
    return _now() + delta


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side backend with three changes:
    - a fresh session id when the login handler asks for it (Litestar keeps the old one, so an
      id planted before login would stay valid after it);
    - no row and no cookie for a visitor without a session (Litestar stores an empty session for
      every response, which would be a database write per anonymous request), and no
      cookie-deleting header for one either;
    - no write when the session did not change (the store renews the idle expiry on read)."""

    @functools.cached_property
    def _renewal_cookie(self) -> str:
        """The session cookie sent again with a new Max-Age, built once: only the id changes
        (hex, never quoted)."""
        cookie_params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        return Cookie(value=_ID_PLACEHOLDER, key=self.config.key, **cookie_params).to_header(
            header=""
        )

    def get_session_id(self, connection: ASGIConnection) -> str:
        new_id = _extra(connection).get(_NEW_SESSION_ID)
        return new_id or super().get_session_id(connection)

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        store = self.config.get_store_from_app(connection.scope["app"])
        session_id = connection.cookies.get(self.config.key)
        if not (session_id and isinstance(store, DatabaseSessionStore)):
            data = await super().load_from_connection(connection)
        else:  # Litestar's, with the account kept for the user loader (accounts.guards)
            max_age = self.config.max_age if self.config.renew_on_access else None
            renew_for = int(max_age) if max_age is not None else None
            row = await store.get_with_account(session_id, renew_for=renew_for)
            data = self.deserialize_data(bytes(row["data"])) if row is not None else {}
            _extra(connection)[ACCOUNT_ROW] = row
        _extra(connection)[_LOADED] = self.serialize_data(data) if data else None
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        has_cookie = bool(connection.cookies.get(self.config.key))
        if scope_session is Empty and not has_cookie:
            # Nothing to delete. Litestar would still send a cookie-deleting header, and one
            # that arrives after a login in another tab or the service worker's background
            # fetches would log that fresh session out.
            return
        if scope_session is not Empty and not scope_session:
            if not has_cookie:
                return
            scope_session = Empty  # emptied by the handler: delete it
        rotating = _extra(connection).get(_NEW_SESSION_ID) is not None
        if (
            scope_session is not Empty
            and has_cookie
            and not rotating
            and self.serialize_data(scope_session) == _extra(connection).get(_LOADED)
        ):
            MutableScopeHeaders.from_message(message).add(
                "Set-Cookie",
                self._renewal_cookie.replace(_ID_PLACEHOLDER, self.get_session_id(connection)),
            )
            return
        await super().store_in_message(scope_session, message, connection)


# A route's opt: it reads and writes no session (the public tracking page). A request to it
# without a session cookie skips the session middleware (nothing to load, nothing to store);
# one with a cookie still loads the session, so a staff member's missing CSRF cookie is bound
# to it as on any page (web.csrf_binding).
SESSION_UNUSED = "session_unused"


class SkippableSessionMiddleware(SessionMiddleware):
    """Litestar's session middleware, skipped for SESSION_UNUSED routes without a cookie."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            handler is not None
            and handler.opt.get(SESSION_UNUSED)
            and scope["method"] in ("GET", "HEAD")  # type: ignore[typeddict-item]
            and not _has_cookie(scope, self.cookie_prefix)
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    @functools.cached_property
    def cookie_prefix(self) -> bytes:
        return f"{self.backend.config.key}=".encode()


def _has_cookie(scope: Scope, prefix: bytes) -> bool:
    """Whether a Cookie header holds one named so (its value may be anything)."""
    return any(
        name == b"cookie" and any(part.strip().startswith(prefix) for part in value.split(b";"))
        for name, value in scope["headers"]
    )


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend

    @property
    def middleware(self) -> DefineMiddleware:
        backend = self._backend_class(config=self)
        return DefineMiddleware(SkippableSessionMiddleware, backend=backend)


async def rotate_session_id(connection: ASGIConnection) -> None:
    """Drop the session stored under the current cookie and use a new id for this response."""
    old_id = connection.cookies.get(SESSION_COOKIE)
    if old_id:
        await DatabaseSessionStore().delete(old_id)
    connection.scope[_NEW_SESSION_ID] = secrets.token_hex(32)  # type: ignore[literal-required]
