"""HTTP semantics Litestar leaves to the application, in one ASGI wrapper in front of its router:

- HEAD wherever GET is: answered by the GET handler with the body dropped (headers, status and
  Content-Length as for GET);
- Allow on OPTIONS and 405 answers lists every method of the path (Litestar's own lists only
  those of the first handler registered on it), HEAD included where GET is;
- 304 Not Modified when If-None-Match names the answer's ETag (static files, /sw.js, the
  manifests: every service-worker update check used to download everything again).

The wrapper sits around the router because a HEAD request matches no route there.
"""

from __future__ import annotations

import re
from typing import cast

from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

# What a 304 keeps of the 200 it stands for (RFC 9110 15.4.5).
KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"date", b"expires", b"content-location"}


class RouteMethods:
    """Which methods each path of the app answers, by its route patterns."""

    def __init__(self, routes) -> None:
        entries = []
        for route in routes:
            methods = set(getattr(route, "methods", ()))
            if not methods or not hasattr(route, "path_format"):
                continue
            if "GET" in methods:
                methods.add("HEAD")
            methods.add("OPTIONS")
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route.path_format))
            if route.path_format.startswith("/static/"):
                pattern = re.escape("/static/") + ".+"
            entries.append((bool(route.path_parameters), re.compile(pattern + "$"), methods))
        # Fixed paths first: /permohonan/baru before /permohonan/{request_id}.
        self.entries = sorted(entries, key=lambda e: e[0])

    def allowed(self, path: str) -> set[str] | None:
        for _, pattern, methods in self.entries:
            if pattern.match(path):
                return methods
        return None


def _etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    def opaque(tag: bytes) -> bytes:
        return tag.strip().removeprefix(b"W/")

    wanted = opaque(etag)
    return any(t.strip() == b"*" or opaque(t) == wanted for t in if_none_match.split(b","))


class HttpSemantics:
    def __init__(self, app: ASGIApp, methods: RouteMethods) -> None:
        self.app = app
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = cast("HTTPScope", scope)["method"]
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}  # type: ignore[assignment]
        if_none_match = next(
            (v for k, v in scope.get("headers", ()) if k == b"if-none-match"), None
        )
        dropping = False  # a HEAD or a 304: the body is not sent

        async def send_wrapper(message: Message) -> None:
            nonlocal dropping
            if message["type"] == "http.response.start":
                status = message["status"]
                if not (head or if_none_match or status == 405 or method == "OPTIONS"):
                    await send(message)  # the common answer: nothing to change
                    return
                headers = list(message.get("headers", ()))
                if status == 405 or method == "OPTIONS":
                    allowed = self.methods.allowed(scope["path"])
                    if allowed:
                        headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
                        headers.append((b"allow", ", ".join(sorted(allowed)).encode()))
                if status == 200 and if_none_match and method in ("GET", "HEAD"):
                    etag = next((v for k, v in headers if k.lower() == b"etag"), None)
                    if etag and _etag_matches(if_none_match, etag):
                        status = 304
                        headers = [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]
                        dropping = True
                dropping = dropping or head
                await send({**message, "status": status, "headers": headers})
                return
            if message["type"] == "http.response.body" and dropping:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)
