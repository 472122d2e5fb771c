"""CSRF tokens bound to the session, and the origin of unsafe requests checked.

Litestar's CSRF middleware compares the submitted token with the CSRF cookie (an HMAC-signed
double submit): any valid pair passes, so a pair fetched anonymously and planted in a staff
member's browser worked with their session. Here, on top of it, an unsafe request with a staff
session must bring the CSRF cookie that the login set and recorded in that session (as a
hash). And an unsafe request that a browser marks as coming from another site
(`Sec-Fetch-Site: cross-site`/`same-site`, or an `Origin` that is not this site's) is refused
before anything else, logged in or not. API calls with a bearer token are not sent by browsers
on their own and are left to the token check.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from sodamolek.accounts.sessions import CSRF_SESSION_KEY, csrf_binding

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _refused(reason: str) -> PermissionDeniedException:
    # "csrf" in the detail: the error handler answers with the Indonesian CSRF message.
    return PermissionDeniedException(detail=f"csrf: {reason}")


class SessionBoundCsrfMiddleware:
    def __init__(self, app: ASGIApp, cookie_name: str, base_url: str) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.base_origin = _origin(base_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:  # type: ignore[typeddict-item]
            self.check(scope)
            await self.app(scope, receive, send)
            return
        session = scope.get("session")
        # Only a staff session's safe request looks at the cookies (a visitor's is passed on).
        if not (
            isinstance(session, dict)
            and session.get("account_id")
            and not _cookies(_cookie_header(scope), self.cookie_name)
        ):
            await self.app(scope, receive, send)
            return

        # A live session whose CSRF cookie is gone (a browser restart cleared it): Litestar
        # makes a new token for this answer; the session is bound to that one, which only
        # this server made, so forms keep working without a new login.
        async def rebind(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = ScopeState.from_scope(scope).csrf_token
                if isinstance(token, str) and token:
                    session[CSRF_SESSION_KEY] = csrf_binding(token)
            await send(message)

        await self.app(scope, receive, rebind)

    def check(self, scope: Scope) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("authorization", "")[:7].lower() == "bearer ":
            return
        fetch_site = headers.get("sec-fetch-site", "").lower()
        if fetch_site in ("cross-site", "same-site"):
            raise _refused("permintaan dari situs lain")
        origin = headers.get("origin")
        if origin is not None:
            own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
            if origin.lower() not in (self.base_origin, own):
                raise _refused("Origin bukan situs ini")
        session = scope.get("session")
        if isinstance(session, dict) and session.get("account_id"):
            # Every CSRF cookie sent: a second one planted beside ours (another path or
            # domain) must not be the one Litestar happens to compare.
            cookies = _cookies(headers.get("cookie", ""), self.cookie_name)
            bound = session.get(CSRF_SESSION_KEY)
            if not cookies or not isinstance(bound, str):
                raise _refused("token CSRF tidak terikat pada sesi ini")
            if not all(hmac.compare_digest(csrf_binding(c), bound) for c in cookies):
                raise _refused("token CSRF milik sesi lain")


def _cookie_header(scope: Scope) -> str:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == b"cookie"), "")


def _cookies(header: str, name: str) -> list[str]:
    values = []
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            values.append(value)
    return values
