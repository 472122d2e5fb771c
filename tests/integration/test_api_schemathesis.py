"""A short, bounded schemathesis run with every check against the JSON API of a real server
process: the OpenAPI document describes what the API does (bodies, headers, statuses)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import httpx

from sodamolek.accounts import tokens
from sodamolek.letter_requests import service
from tests.integration.test_request_service import submission
from tests.processes import free_port, process_env, serve_process, wait_until_up

CONFIG = Path(__file__).resolve().parents[1] / "schemathesis" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


async def user_of_token(token: str):
    return await tokens.authenticate_token(token)


async def test_schemathesis_with_every_check_finds_nothing(app, settings, database_url):
    _, token = await tokens.create_token(None, "SIAK Oebobo", "53.71.04.1001")
    # One real request, so the operations on /permohonan/{request_id} get past the 404.
    operator = await user_of_token(token)
    existing = (await service.create_request(operator, submission())).request
    config = settings.data_dir / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + f"\n[parameters]\nrequest_id = {existing['id']}\n")
    env = process_env(settings, database_url, EMBEDDED_WORKER="false")
    url = f"http://127.0.0.1:{free_port()}"
    server = await serve_process(env, url)
    try:
        async with httpx.AsyncClient() as client:
            await wait_until_up(client, url, server)
        run = await asyncio.to_thread(
            subprocess.run,
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                url + "/schema/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "15",
                "--seed",
                "20261201",
                "--generation-deterministic",
                "--request-timeout",
                "20",
                "--workers",
                "1",
                "--header",
                f"Authorization: Bearer {token}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            cwd=settings.data_dir,
        )
    finally:
        server.terminate()
        try:
            await asyncio.wait_for(server.wait(), 20)
        except TimeoutError:
            server.kill()
    output = run.stdout + run.stderr
    (settings.data_dir / "schemathesis.txt").write_text(output)
    print(output[-1500:])
    assert run.returncode == 0, output[:12000]
    counted = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counted and counted.group(1) == counted.group(2), output[-3000:]
    assert int(counted.group(1)) > 300  # the run really ran: cases over every operation
    assert "Tested: 5" in output
