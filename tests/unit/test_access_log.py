"""A tracking code opens a resident's status page: it never reaches the server's log lines."""

import asyncio
import logging
import logging.config
import socket

import httpx
import uvicorn

from sodamolek.web.access_log import mask_tracking_codes, uvicorn_log_config

CODE = "KPG-7F3K-9QX2-M4TD"


async def _tiny_app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def test_uvicorns_access_log_masks_tracking_codes(capsys) -> None:
    """A real uvicorn server with the configuration `serve` gives it and its access log on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        _tiny_app,
        host="127.0.0.1",
        port=port,
        access_log=True,
        log_config=uvicorn_log_config(),
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn sets a flag, no event
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for path in (
                f"/lacak/{CODE}",
                f"/lacak/{CODE.lower()}/survei",
                "/lacak/kpg 7f3k 9qx2 m4td",
                "/lacak?kode=kpg+7f3k+9qx2+m4td",
                "/permohonan?q=warga",
            ):
                assert (await client.get(path)).status_code == 200
    finally:
        server.should_exit = True
        await task
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    lines = capsys.readouterr().out
    assert "/lacak/KPG-**** HTTP/1.1" in lines
    assert "/lacak/KPG-****/survei" in lines
    assert "/permohonan?q=warga" in lines  # the rest of the line is kept
    for part in ("7F3K", "9QX2", "M4TD"):
        assert part not in lines.upper()


def test_serve_logs_no_requests_unless_asked_and_masks_codes_either_way(
    monkeypatch, tmp_path
) -> None:
    import sodamolek.cli as cli

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("SODAMOLEK_DATA_DIR", str(tmp_path))
    assert cli.main(["serve"]) in (0, None)
    assert seen["access_log"] is False
    assert seen["log_config"] == uvicorn_log_config()
    assert cli.main(["serve", "--access-log"]) in (0, None)
    assert seen["access_log"] is True


def test_error_lines_mask_the_code() -> None:
    assert mask_tracking_codes(f"Unhandled error on GET /lacak/{CODE}") == (
        "Unhandled error on GET /lacak/KPG-****"
    )
