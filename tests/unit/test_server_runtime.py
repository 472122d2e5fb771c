"""The server runs on uvloop and httptools: with stock asyncio and h11, `serve --workers 2` left
TCP_NODELAY off on accepted sockets (the shared listening socket loses its protocol number when
handed to the worker processes) and Nagle added ~44 ms to every response."""

import uvloop
from uvicorn.loops.auto import auto_loop_factory
from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def test_uvicorn_picks_uvloop_for_worker_processes() -> None:
    loop = auto_loop_factory(use_subprocess=True)()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_uvicorn_picks_httptools() -> None:
    assert AutoHTTPProtocol is HttpToolsProtocol
