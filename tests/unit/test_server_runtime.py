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


def test_serve_gives_worker_processes_time_to_import_the_app(monkeypatch, tmp_path) -> None:
    """uvicorn's supervisor kills a worker that has not answered its health check in 5 s; a
    worker imports the whole app first, which took longer on a loaded machine: every worker
    was killed and respawned for ever and the server never answered."""
    import uvicorn

    import sodamolek.cli as cli

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SODAMOLEK_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/none")
    assert cli.main(["serve", "--workers", "2"]) in (0, None)
    assert seen["workers"] == 2
    assert seen["timeout_worker_healthcheck"] >= 30


def test_one_server_process_runs_on_asyncios_loop_and_workers_on_uvloop(
    monkeypatch, tmp_path
) -> None:
    """uvloop kept some of 64 saturating connections waiting (p99 ten times asyncio's loop's,
    same throughput); worker processes need it for TCP_NODELAY on their shared socket."""
    import uvicorn

    import sodamolek.cli as cli

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path))
    assert cli.main(["serve"]) in (0, None)
    assert seen["loop"] == "asyncio"
    monkeypatch.setenv("SODAMOLEK_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/none")
    assert cli.main(["serve", "--workers", "2"]) in (0, None)
    assert seen["loop"] == "auto"


def test_the_servers_app_factory_freezes_what_start_up_made(monkeypatch) -> None:
    """Full collections walked the ~150,000 objects of start-up and stopped the server for up
    to ~60 ms under load; frozen, they are never walked again."""
    import gc

    import sodamolek.app as app_module

    made = object()
    monkeypatch.setattr(app_module, "create_app", lambda: made)
    try:
        assert app_module.create_app_from_env() is made
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
