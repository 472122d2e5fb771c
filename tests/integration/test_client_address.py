"""The client's address behind a reverse proxy: from X-Forwarded-For only through the proxies
named in SODAMOLEK_TRUSTED_PROXIES, so neither a spoofed header nor an office NAT decides it."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from sodamolek.accounts.tables import LoginAttempt
from sodamolek.settings import SettingsError, parse_trusted_proxies
from tests.conftest import csrf_from


@pytest.fixture
def settings(settings):
    return replace(settings, trusted_proxies=parse_trusted_proxies("10.0.0.5, 172.16.0.0/12"))


async def _recorded_address(app, socket_host: str, forwarded: str | None) -> str:
    transport = httpx.ASGITransport(app=app, client=(socket_host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = csrf_from((await client.get("/masuk")).text)
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        response = await client.post(
            "/masuk",
            data={"username": "tidak.ada", "password": "salah-salah", "_csrf_token": token},
            headers=headers,
        )
    assert response.status_code == 401
    row = (
        await LoginAttempt.select(LoginAttempt.address)
        .order_by(LoginAttempt.id, ascending=False)
        .first()
    )
    return row["address"]


async def test_forwarded_for_is_believed_from_a_named_proxy_or_network(app):
    assert await _recorded_address(app, "10.0.0.5", "198.51.100.7") == "198.51.100.7"
    assert await _recorded_address(app, "172.20.1.2", "198.51.100.8") == "198.51.100.8"
    # A chain: the rightmost address that is not a trusted proxy is the client.
    chain = "6.6.6.6, 198.51.100.9, 172.16.0.3"
    assert await _recorded_address(app, "10.0.0.5", chain) == "198.51.100.9"


async def test_forwarded_for_from_anyone_else_is_ignored(app):
    assert await _recorded_address(app, "203.0.113.50", "198.51.100.7") == "203.0.113.50"
    assert await _recorded_address(app, "127.0.0.1", "198.51.100.7") == "127.0.0.1"


def test_only_addresses_and_networks_are_accepted():
    assert parse_trusted_proxies("") == ()
    assert parse_trusted_proxies("10.0.0.5,2001:db8::/32") == ("10.0.0.5/32", "2001:db8::/32")
    for bad in ("*", "proxy.internal", "10.0.0.0/33"):
        with pytest.raises(SettingsError, match="SODAMOLEK_TRUSTED_PROXIES"):
            parse_trusted_proxies(bad)


def test_the_image_and_compose_leave_the_choice_to_the_setting():
    from pathlib import Path

    import yaml

    repo = Path(__file__).resolve().parents[2]
    assert "--proxy-headers" not in (repo / "Dockerfile").read_text()
    compose = yaml.safe_load((repo / "compose.yaml").read_text())
    assert "SODAMOLEK_TRUSTED_PROXIES" in compose["services"]["app"]["environment"]
    assert "SODAMOLEK_TRUSTED_PROXIES" in (repo / "README.md").read_text()
