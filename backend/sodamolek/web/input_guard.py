"""Checks of every request's input before any handler runs, the same on both engines:

- a number in the path beyond what a database id can be (PostgreSQL's integer) is a 404;
- NUL and other control characters (tab, newline and carriage return excepted) in the path,
  the query, a form or a JSON string are a 400;
- bytes that are not UTF-8 in the path, the query, a form or a JSON body are a 400;
- JSON nested deeper than 32, or with an integer beyond a database integer, is a 400.

Handlers then see only text a database accepts: before, such input reached the database and
became a 500 with a traceback that anyone could repeat. The messages are Indonesian and the
exception handlers answer them as HTML or JSON like any other error.
"""

from __future__ import annotations

import json
import re
from typing import cast
from urllib.parse import unquote_to_bytes

from litestar.exceptions import ClientException, NotFoundException
from litestar.types import (
    ASGIApp,
    HTTPReceiveMessage,
    HTTPScope,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from sodamolek.core.http import user_error

MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is wider
MAX_JSON_DEPTH = 32
MAX_BODY_CHECKED = 1024 * 1024 + 1  # above the app's body limit Litestar answers 413 itself
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DIGITS = re.compile(rb"\d{10,}")

NOT_FOUND = "Alamat yang Anda buka tidak ada."
CONTROL_MESSAGE = "Isian berisi karakter kendali (mis. NUL) yang tidak diizinkan."
ENCODING_MESSAGE = "Isian bukan teks UTF-8 yang sah."
DEPTH_MESSAGE = f"Data JSON bersarang terlalu dalam (paling banyak {MAX_JSON_DEPTH} tingkat)."
NUMBER_MESSAGE = "Angka di data JSON terlalu besar."
JSON_MESSAGE = "Data JSON tidak terbaca."


def _bad(message: str) -> ClientException:
    return user_error(ClientException, message)


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(ENCODING_MESSAGE) from None
    if CONTROL.search(text):
        raise _bad(CONTROL_MESSAGE)
    return text


MAX_SEGMENT = 255  # a file name's limit (static files); no route of ours has a longer part


def check_path(raw_path: bytes) -> None:
    for segment in raw_path.split(b"/"):
        decoded = unquote_to_bytes(segment)
        _text(decoded)
        if len(decoded) > MAX_SEGMENT or (decoded.isdigit() and int(decoded) > MAX_ID):
            raise user_error(NotFoundException, NOT_FOUND)


def check_query(query: bytes) -> None:
    for pair in query.split(b"&"):
        for part in pair.split(b"=", 1):
            _text(unquote_to_bytes(part.replace(b"+", b" ")))


def json_depth(raw: bytes) -> int:
    """The deepest nesting of [ and { outside strings, without parsing (a parser would recurse
    first)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _walk_json(value) -> None:
    if isinstance(value, str):
        if CONTROL.search(value):
            raise _bad(CONTROL_MESSAGE)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_ID:
            raise _bad(NUMBER_MESSAGE)
    elif isinstance(value, list):
        for item in value:
            _walk_json(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_json(key)
            _walk_json(item)


def check_json(raw: bytes) -> None:
    if not raw.strip():
        return
    text = _text_json(raw)
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise _bad(DEPTH_MESSAGE)
    try:
        value = json.loads(text)
    except ValueError:
        raise _bad(JSON_MESSAGE) from None
    _walk_json(value)


def _text_json(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(ENCODING_MESSAGE) from None


def check_form(raw: bytes) -> None:
    check_query(raw)


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return b""


class InputGuardMiddleware:
    """Pure ASGI: reads a form or JSON body once, checks it, and hands the same bytes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        check_path(scope.get("raw_path") or scope["path"].encode())
        check_query(scope.get("query_string", b""))
        kind = _content_type(scope)
        checker = {
            b"application/json": check_json,
            b"application/x-www-form-urlencoded": check_form,
        }.get(kind)
        if kind.endswith(b"+json"):
            checker = check_json
        if checker is None or cast("HTTPScope", scope)["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
            if size > MAX_BODY_CHECKED:
                break
        body = b"".join(chunks)
        if not more:
            checker(body)
        replayed: list[ReceiveMessage] = [
            cast("HTTPReceiveMessage", {"type": "http.request", "body": body, "more_body": more})
        ]
        await self.app(scope, _replay(replayed, receive), send)


def _replay(messages: list[ReceiveMessage], rest: Receive) -> Receive:
    async def receive() -> ReceiveMessage:
        if messages:
            return messages.pop(0)
        return await rest()  # nothing more but a disconnect, when it comes

    return receive
