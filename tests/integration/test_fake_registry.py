"""HttpRegistry against the fake Dukcapil service: in-process (ASGI) and as the real
`sodamolek fake-registry` process over HTTP; and the local table agreeing with both."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from sodamolek.people.fake_registry import create_fake_registry, demo_people
from sodamolek.people.registry import HttpRegistry, LocalRegistry, RegistryUnavailable
from tests.processes import free_port

USER, PASSWORD = "kel-uji", "sandi-uji"
UNKNOWN_NIK = "5371010101990001"


def in_process(app, user: str = USER, password: str = PASSWORD, **kwargs) -> HttpRegistry:
    return HttpRegistry(
        "http://fake-dukcapil",
        user,
        password,
        transport=httpx.ASGITransport(app=app),
        **kwargs,
    )


@pytest.fixture(scope="module")
def people() -> list[dict]:
    return demo_people()


@pytest.fixture(scope="module")
def fake():
    return create_fake_registry(USER, PASSWORD)


async def test_found_person_is_mapped_from_the_fake(fake, people):
    registry = in_process(fake)
    person = people[7]
    record = await registry.lookup(person["nik"])
    await registry.aclose()
    assert record is not None
    assert (record.nik, record.kk, record.name) == (person["nik"], person["kk"], person["name"])
    assert (record.birth_date, record.sex) == (person["birth_date"], person["sex"])
    assert (record.rt, record.rw) == (person["rt"], person["rw"])
    assert record.kelurahan_code == person["kelurahan_code"]


async def test_unknown_nik_is_not_found(fake):
    registry = in_process(fake)
    assert await registry.lookup(UNKNOWN_NIK) is None
    await registry.aclose()


async def test_wrong_credentials_get_401_and_unavailable(fake, people):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake), base_url="http://f"
    ) as raw:
        answer = await raw.post(
            "/api/nik", json={"NIK": people[0]["nik"], "user_id": USER, "password": "salah"}
        )
    assert answer.status_code == 401
    registry = in_process(fake, password="salah")
    with pytest.raises(RegistryUnavailable, match="kredensial"):
        await registry.lookup(people[0]["nik"])
    await registry.aclose()


async def test_injected_failures_are_retried_then_reported(people):
    failing = create_fake_registry(USER, PASSWORD, fail_rate=1.0)
    registry = in_process(failing, retries=1, backoff=0)
    with pytest.raises(RegistryUnavailable, match="HTTP 503"):
        await registry.lookup(people[0]["nik"])
    await registry.aclose()


async def test_some_failures_are_absorbed_by_retries(people):
    # Half the answers fail (seeded, so exact): without retries many lookups fail, with
    # enough retries none does.
    async def failed_lookups(retries: int) -> int:
        flaky = create_fake_registry(USER, PASSWORD, fail_rate=0.5, rng=random.Random(2))
        registry = in_process(flaky, retries=retries, backoff=0)
        failed = 0
        for person in people[:20]:
            try:
                assert await registry.lookup(person["nik"]) is not None
            except RegistryUnavailable:
                failed += 1
        await registry.aclose()
        return failed

    assert await failed_lookups(0) >= 5
    assert await failed_lookups(9) == 0


async def test_injected_latency_hits_the_deadline(people):
    slow = create_fake_registry(USER, PASSWORD, latency_ms=500)
    registry = in_process(slow, deadline=0.1)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable, match="terlalu lama"):
        await registry.lookup(people[0]["nik"])
    assert time.monotonic() - started < 0.4
    await registry.aclose()


async def test_local_table_and_fake_service_give_the_same_records(app, fake):
    """`seed --demo` and the fake registry make the same residents: either registry answers
    the counter the same way."""
    from sodamolek.people.service import seed_demo_residents

    await seed_demo_residents(40)
    local = LocalRegistry()
    remote = in_process(fake)
    residents = demo_people(40)
    for person in residents[:: len(residents) // 8]:
        from_table = await local.lookup(person["nik"])
        assert from_table is not None
        assert await remote.lookup(person["nik"]) == from_table
    assert await local.lookup(UNKNOWN_NIK) is None
    await remote.aclose()


# --- the real command, over real HTTP ----------------------------------------------------------


@pytest.fixture(scope="module")
def fake_process(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SODAMOLEK_REGISTRY_USER": USER,
        "SODAMOLEK_REGISTRY_PASSWORD": PASSWORD,
        "SODAMOLEK_DATA_DIR": str(tmp_path_factory.mktemp("fake-registry")),
        "SODAMOLEK_ENV": "development",
    }
    log = tmp_path_factory.mktemp("fake-registry-log") / "fake.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sodamolek.cli",
                "fake-registry",
                "--port",
                str(port),
                "--latency-ms",
                "200",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fake registry did not start: " + log.read_text())
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
    # Whatever this process's tests asked (parallel runs split the module), no NIK is logged.
    assert not any(p["nik"] in log.read_text() for p in demo_people(5))  # NIKs stay out of logs


async def test_command_serves_demo_nik_over_http(fake_process, people):
    registry = HttpRegistry(fake_process, USER, PASSWORD, timeout=3)
    person = people[0]
    record = await registry.lookup(person["nik"])
    assert record is not None and record.name == person["name"]
    assert await registry.lookup(UNKNOWN_NIK) is None
    await registry.aclose()


async def test_real_read_timeout_is_retried_then_unavailable(fake_process, people):
    # The process answers after 200 ms; a 50 ms read timeout fails every attempt.
    registry = HttpRegistry(
        fake_process, USER, PASSWORD, timeout=0.05, retries=1, backoff=0, deadline=2
    )
    with pytest.raises(RegistryUnavailable, match="ReadTimeout"):
        await registry.lookup(people[0]["nik"])
    await registry.aclose()


@pytest.mark.parametrize("args", [["--fail-rate", "1.5"], ["--latency-ms", "-1"]])
def test_command_refuses_impossible_injection(args, capsys):
    from sodamolek.cli import main

    assert main(["fake-registry", *args]) == 2
    assert "--fail-rate" in capsys.readouterr().err


def test_command_refuses_production(monkeypatch, capsys):
    from sodamolek.cli import main

    monkeypatch.setenv("SODAMOLEK_ENV", "production")
    assert main(["fake-registry"]) == 2
    assert "production" in capsys.readouterr().err
