"""The registry adapter without a network: Dukcapil's fields mapped into ours, the circuit
breaker on an injected clock, retries only for network errors and 5xx, settings."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import httpx
import pytest

from sodamolek.people.registry import (
    CircuitBreaker,
    HttpRegistry,
    LocalRegistry,
    RegistryAnswerError,
    RegistryRecord,
    RegistryUnavailable,
    build_registry,
    parse_dukcapil_answer,
    record_from_dukcapil,
)
from sodamolek.settings import Settings, SettingsError
from sodamolek.startup import ProcessRole, check_for_production

NIK = "5371044512900003"
ITEM = {
    "NIK": NIK,
    "NO_KK": "5371040101150007",
    "NAMA_LGKP": "YULIANA MANAFE",
    "TMPT_LHR": "KUPANG",
    "TGL_LHR": "05-12-1990",
    "JENIS_KLMIN": "PEREMPUAN",
    "ALAMAT": "JL. EL TARI NO. 5",
    "NO_RT": 7,
    "NO_RW": "2",
    "KEL_NAME": "OEBOBO",
    "KEC_NAME": "OEBOBO",
    "NO_PROP": 53,
    "NO_KAB": 71,
    "NO_KEC": 4,
    "NO_KEL": 1001,
    "AGAMA": "KRISTEN",
    "JENIS_PKRJN": "WIRASWASTA",
    "STATUS_KAWIN": "KAWIN",
    "KEWARGANEGARAAN": "WNI",
}
EXPECTED = RegistryRecord(
    nik=NIK,
    kk="5371040101150007",
    name="YULIANA MANAFE",
    birth_place="KUPANG",
    birth_date=dt.date(1990, 12, 5),
    sex="P",
    address="JL. EL TARI NO. 5",
    rt="007",
    rw="002",
    kelurahan_code="53.71.04.1001",
    religion="KRISTEN",
    occupation="WIRASWASTA",
    marital_status="KAWIN",
    citizenship="WNI",
)


# --- mapping ---------------------------------------------------------------------------------


def test_dukcapil_fields_map_into_ours():
    assert record_from_dukcapil(ITEM) == EXPECTED


@pytest.mark.parametrize(
    ("answer", "citizenship"),
    [("WNI", "WNI"), ("Indonesia", "WNI"), ("WNA", "WNA"), ("JEPANG", "WNA"), (None, "")],
)
def test_citizenship_is_wni_wna_or_unknown(answer, citizenship):
    item = {k: v for k, v in ITEM.items() if k != "KEWARGANEGARAAN"}
    if answer is not None:
        item["KEWARGANEGARAAN"] = answer
    assert record_from_dukcapil(item).citizenship == citizenship


def test_region_numbers_as_strings_map_the_same():
    item = {
        **ITEM,
        "NO_PROP": "53",
        "NO_KAB": "71",
        "NO_KEC": "04",
        "NO_KEL": "1001",
        "NO_RT": "007",
    }
    assert record_from_dukcapil(item) == EXPECTED


def test_man_and_missing_region():
    item = {**ITEM, "JENIS_KLMIN": "LAKI-LAKI", "NO_KEL": None}
    record = record_from_dukcapil(item)
    assert record.sex == "L"
    assert record.kelurahan_code is None


@pytest.mark.parametrize(
    "change",
    [{"TGL_LHR": "1990-12-05"}, {"TGL_LHR": "31-02-1990"}, {"JENIS_KLMIN": "?"}, {"NIK": "12"}],
)
def test_unreadable_person_is_an_answer_error(change):
    with pytest.raises(RegistryAnswerError):
        record_from_dukcapil({**ITEM, **change})


def test_answer_found_and_not_found():
    assert parse_dukcapil_answer({"content": [ITEM]}, NIK) == EXPECTED
    assert parse_dukcapil_answer({"content": ITEM}, NIK) == EXPECTED
    assert parse_dukcapil_answer({"content": [{"RESPON": "Data Tidak Ditemukan"}]}, NIK) is None
    assert parse_dukcapil_answer({"content": [{"RESPON": "DATA TIDAK DITEMUKAN"}]}, NIK) is None


def test_other_refusals_mean_unavailable_not_unregistered():
    with pytest.raises(RegistryUnavailable, match="Kuota"):
        parse_dukcapil_answer({"content": [{"RESPON": "Kuota akses habis"}]}, NIK)


@pytest.mark.parametrize("payload", [[], {}, {"content": []}, {"content": "x"}, None])
def test_malformed_answers(payload):
    with pytest.raises(RegistryAnswerError):
        parse_dukcapil_answer(payload, NIK)


def test_an_answer_about_another_nik_is_refused():
    with pytest.raises(RegistryAnswerError, match="NIK lain"):
        parse_dukcapil_answer({"content": [ITEM]}, "5371044512900004")


# --- circuit breaker -------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_then_half_opens_and_closes():
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, reset_after=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.state == "half_open"
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # the others still fail fast while it runs
    breaker.record_success()
    assert breaker.state == "closed"
    assert breaker.allow()


def test_failed_trial_reopens_for_a_full_period():
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, reset_after=10, clock=clock)
    breaker.record_failure()
    clock.now += 10
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now += 9
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


def test_a_success_resets_the_count_of_consecutive_failures():
    breaker = CircuitBreaker(threshold=2, clock=Clock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == "closed"


def test_a_lost_trial_frees_another_after_a_period():
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, reset_after=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()  # this trial is cancelled and never reports
    clock.now += 5
    assert breaker.allow()


# --- HTTP client: retries, breaker, deadline -------------------------------------------------


class Script:
    """A MockTransport handler answering from a list: a status code, or an exception class."""

    def __init__(self, *steps) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, type):
            raise step("scripted", request=request)
        if step == 200:
            return httpx.Response(200, json={"content": [ITEM]})
        return httpx.Response(step, json={"content": [{"RESPON": "x"}]})


def client(script: Script, **kwargs) -> tuple[HttpRegistry, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    registry = HttpRegistry(
        "https://dukcapil.test/ws",
        "kelurahan",
        "rahasia",
        transport=httpx.MockTransport(script),
        sleep=sleep,
        **kwargs,
    )
    return registry, sleeps


async def test_request_is_dukcapil_shaped_and_nik_stays_out_of_the_url():
    script = Script(200)
    registry, _ = client(script)
    assert await registry.lookup(NIK) == EXPECTED
    request = script.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "https://dukcapil.test/ws/api/nik"
    assert NIK not in str(request.url)
    import json

    assert json.loads(request.content) == {
        "NIK": NIK,
        "user_id": "kelurahan",
        "password": "rahasia",
    }


@pytest.mark.parametrize("failure", [500, 502, 503, httpx.ConnectError, httpx.ReadTimeout])
async def test_network_errors_and_5xx_are_retried_with_growing_backoff(failure):
    script = Script(failure, failure, 200)
    registry, sleeps = client(script, retries=2, backoff=0.2)
    assert await registry.lookup(NIK) == EXPECTED
    assert len(script.requests) == 3
    assert 0.2 <= sleeps[0] <= 0.4 and 0.4 <= sleeps[1] <= 0.8


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
async def test_4xx_is_not_retried(status):
    script = Script(status)
    registry, sleeps = client(script, retries=3)
    with pytest.raises(RegistryUnavailable):
        await registry.lookup(NIK)
    assert len(script.requests) == 1
    assert sleeps == []


async def test_retries_are_bounded():
    script = Script(503)
    registry, sleeps = client(script, retries=2)
    with pytest.raises(RegistryUnavailable, match="HTTP 503"):
        await registry.lookup(NIK)
    assert len(script.requests) == 3
    assert len(sleeps) == 2


async def test_wrong_credentials_say_so():
    registry, _ = client(Script(401))
    with pytest.raises(RegistryUnavailable, match="SODAMOLEK_REGISTRY_PASSWORD"):
        await registry.lookup(NIK)


async def test_not_json_is_unavailable():
    def handler(request):
        return httpx.Response(200, text="<html>maintenance</html>")

    registry = HttpRegistry("https://x", "u", "p", transport=httpx.MockTransport(handler))
    with pytest.raises(RegistryAnswerError):
        await registry.lookup(NIK)


async def test_open_circuit_fails_fast_without_calling_then_a_trial_closes_it():
    clock = Clock()
    script = Script(503, 503, 200)
    registry, _ = client(
        script, retries=0, breaker=CircuitBreaker(threshold=2, reset_after=30, clock=clock)
    )
    for _ in range(2):
        with pytest.raises(RegistryUnavailable):
            await registry.lookup(NIK)
    assert registry.breaker.state == "open"
    with pytest.raises(RegistryUnavailable, match="dicoba lagi"):
        await registry.lookup(NIK)
    assert len(script.requests) == 2  # the open circuit did not call
    clock.now += 30
    assert await registry.lookup(NIK) == EXPECTED  # half-open trial succeeds
    assert registry.breaker.state == "closed"


async def test_not_found_is_a_success_for_the_breaker():
    def handler(request):
        return httpx.Response(200, json={"content": [{"RESPON": "Data Tidak Ditemukan"}]})

    breaker = CircuitBreaker(threshold=1, clock=Clock())
    registry = HttpRegistry(
        "https://x", "u", "p", transport=httpx.MockTransport(handler), breaker=breaker
    )
    assert await registry.lookup(NIK) is None
    assert await registry.lookup(NIK) is None
    assert breaker.state == "closed"


async def test_deadline_bounds_the_whole_lookup():
    async def slow(request):
        await asyncio.sleep(5)
        return httpx.Response(200, json={"content": [ITEM]})

    registry = HttpRegistry(
        "https://x", "u", "p", transport=httpx.MockTransport(slow), deadline=0.05
    )
    started = asyncio.get_running_loop().time()
    with pytest.raises(RegistryUnavailable, match="terlalu lama"):
        await registry.lookup(NIK)
    assert asyncio.get_running_loop().time() - started < 1
    assert registry.breaker._failures == 1


async def test_failures_are_logged_without_the_nik(caplog):
    caplog.set_level(logging.DEBUG)
    registry, _ = client(Script(httpx.ConnectError, 503, 401), retries=2)
    with pytest.raises(RegistryUnavailable):
        await registry.lookup(NIK)
    assert "Registry lookup failed" in caplog.text
    assert NIK not in caplog.text
    assert "rahasia" not in caplog.text


# --- selection and settings ------------------------------------------------------------------


async def test_build_registry_picks_local_or_http():
    assert isinstance(build_registry(Settings()), LocalRegistry)
    remote = build_registry(
        Settings(
            registry_url="https://dukcapil.test",
            registry_timeout_seconds=1.5,
            registry_breaker_failures=7,
        )
    )
    assert isinstance(remote, HttpRegistry)
    assert remote.breaker.threshold == 7
    assert remote._client.timeout.read == 1.5
    await remote.aclose()


def test_registry_settings_from_env(monkeypatch):
    monkeypatch.setenv("SODAMOLEK_REGISTRY_URL", "https://dukcapil.test/ws/")
    monkeypatch.setenv("SODAMOLEK_REGISTRY_USER", "kel-oebobo")
    monkeypatch.setenv("SODAMOLEK_REGISTRY_PASSWORD", "sangat-rahasia")
    monkeypatch.setenv("SODAMOLEK_REGISTRY_TIMEOUT", "2.5")
    settings = Settings.from_env()
    assert settings.registry_url == "https://dukcapil.test/ws"
    assert (settings.registry_user, settings.registry_password) == ("kel-oebobo", "sangat-rahasia")
    assert settings.registry_timeout_seconds == 2.5
    assert "sangat-rahasia" not in repr(settings)


@pytest.mark.parametrize("value", ["abc", "0", "-1"])
def test_bad_registry_timeout_is_refused(monkeypatch, value):
    monkeypatch.setenv("SODAMOLEK_REGISTRY_TIMEOUT", value)
    with pytest.raises(SettingsError, match="SODAMOLEK_REGISTRY_TIMEOUT"):
        Settings.from_env()


def test_production_refuses_a_plain_http_registry():
    settings = Settings(
        env="production",
        secret_key="x" * 40,
        base_url="https://sodamolek.kupangkota.go.id",
        registry_url="http://10.0.0.5:8080",
    )
    with pytest.raises(SettingsError, match="SODAMOLEK_REGISTRY_URL"):
        check_for_production(settings, ProcessRole.SERVE)
