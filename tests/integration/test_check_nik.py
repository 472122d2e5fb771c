"""POST /penduduk/cek-nik: the applicant inputs filled from the registry at the counter."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from sodamolek.people.fake_registry import create_fake_registry
from sodamolek.people.registry import HttpRegistry, RegistryUnavailable
from sodamolek.people.service import NOT_FOUND, UNAVAILABLE
from tests.conftest import csrf_from, login

URL = "/penduduk/cek-nik"
UNKNOWN_NIK = "5371010101990001"
FIELDS = {
    "applicant_nik",
    "applicant_kk",
    "applicant_name",
    "applicant_birth_place",
    "applicant_birth_date",
    "applicant_sex",
    "applicant_address",
    "applicant_rt",
    "applicant_rw",
    "applicant_verified",
}


class Inputs(HTMLParser):
    """Name → value of every input and select (the selected option) in a fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            self.values[a["name"]] = a.get("value") or ""
            self.types[a["name"]] = a.get("type") or "text"
        elif tag == "select":
            self._select = a["name"]
            self.values[a["name"]] = ""
            self.types[a["name"]] = "select"
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


async def csrf(client) -> str:
    return csrf_from((await client.get("/")).text)


async def check(client, nik: str, **extra) -> httpx.Response:
    token = await csrf(client)
    return await client.post(
        URL, data={"nik": nik, **extra}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )


@pytest.fixture
async def residents(app) -> list[dict]:
    from sodamolek.people.service import seed_demo_residents
    from sodamolek.people.tables import Resident

    await seed_demo_residents(10)
    return await Resident.select().order_by(Resident.id)


async def test_found_prefills_every_field_from_the_local_registry(client, staff, residents):
    person = residents[3]
    await login(client, staff.operator)
    response = await check(client, " " + person["nik"][:8] + " " + person["nik"][8:])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    inputs = Inputs(response.text)
    assert set(inputs.values) == FIELDS  # exactly the names the request form reads
    assert inputs.types["applicant_birth_date"] == "date"
    assert inputs.types["applicant_verified"] == "hidden"
    assert inputs.types["applicant_sex"] == "select"
    assert inputs.values == {
        "applicant_nik": person["nik"],
        "applicant_kk": person["kk"],
        "applicant_name": person["name"],
        "applicant_birth_place": person["birth_place"],
        "applicant_birth_date": person["birth_date"].isoformat(),
        "applicant_sex": person["sex"],
        "applicant_address": person["address"],
        "applicant_rt": person["rt"],
        "applicant_rw": person["rw"],
        "applicant_verified": "1",
    }
    assert 'class="notice"' in response.text
    assert "Terverifikasi dari data kependudukan" in response.text


async def test_not_found_keeps_the_nik_and_asks_for_manual_entry(client, staff, residents):
    await login(client, staff.lurah)
    response = await check(client, UNKNOWN_NIK)
    assert response.status_code == 200
    inputs = Inputs(response.text)
    assert inputs.values["applicant_nik"] == UNKNOWN_NIK
    assert inputs.values["applicant_verified"] == "0"
    assert all(inputs.values[f] == "" for f in FIELDS - {"applicant_nik", "applicant_verified"})
    assert NOT_FOUND in response.text


@pytest.mark.parametrize(
    ("nik", "reason"),
    [("12345", "NIK harus 16 angka, yang diisi 5 angka."), ("", "NIK wajib diisi.")],
)
async def test_invalid_nik_shows_the_reason_with_200(client, staff, nik, reason):
    await login(client, staff.operator)
    response = await check(client, nik)
    assert response.status_code == 200  # htmx swaps it
    assert reason in response.text
    assert 'aria-invalid="true"' in response.text
    inputs = Inputs(response.text)
    assert set(inputs.values) == FIELDS
    assert inputs.values["applicant_nik"] == nik
    assert inputs.values["applicant_verified"] == "0"


async def test_markup_in_the_nik_is_shown_as_text(client, staff):
    await login(client, staff.operator)
    response = await check(client, '<script>alert("x")</script>')
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


class DownRegistry:
    def __init__(self) -> None:
        self.calls = 0

    async def lookup(self, nik):
        self.calls += 1
        raise RegistryUnavailable()

    async def aclose(self):
        return None


async def test_registry_down_gives_manual_fields_and_keeps_what_was_typed(app, client, staff):
    down = DownRegistry()
    app.state.registry = down
    await login(client, staff.operator)
    response = await check(
        client, UNKNOWN_NIK, applicant_name="Ana Lay", applicant_rt="004", applicant_verified="0"
    )
    assert response.status_code == 200
    assert down.calls == 1
    assert UNAVAILABLE in response.text
    assert 'class="warning"' in response.text
    inputs = Inputs(response.text)
    assert inputs.values["applicant_nik"] == UNKNOWN_NIK
    assert inputs.values["applicant_name"] == "Ana Lay"
    assert inputs.values["applicant_rt"] == "004"
    assert inputs.values["applicant_verified"] == "0"


async def test_htmx_posting_the_whole_form_sends_applicant_nik(client, staff, residents):
    # Inside the request form htmx posts every field; the NIK arrives as applicant_nik.
    await login(client, staff.operator)
    token = await csrf(client)
    response = await client.post(
        URL,
        data={"applicant_nik": residents[0]["nik"], "applicant_name": "", "jenis": "domisili"},
        headers={"X-CSRFToken": token},
    )
    assert Inputs(response.text).values["applicant_name"] == residents[0]["name"]


async def test_through_the_http_registry_and_the_fake_service(app, client, staff):
    from sodamolek.people.fake_registry import demo_people

    fake = create_fake_registry("u", "p")
    app.state.registry = HttpRegistry(
        "http://fake", "u", "p", transport=httpx.ASGITransport(app=fake)
    )
    person = demo_people(5)[2]
    await login(client, staff.operator)
    response = await check(client, person["nik"])
    await app.state.registry.aclose()
    inputs = Inputs(response.text)
    assert inputs.values["applicant_name"] == person["name"]
    assert inputs.values["applicant_verified"] == "1"


@pytest.mark.parametrize("who", ["camat", "admin"])
async def test_other_roles_are_refused(client, staff, who):
    await login(client, getattr(staff, who))
    response = await check(client, UNKNOWN_NIK)
    assert response.status_code == 403
    assert UNKNOWN_NIK not in response.text


async def test_missing_csrf_token_is_refused(client, staff):
    await login(client, staff.operator)
    response = await client.post(URL, data={"nik": UNKNOWN_NIK})
    assert response.status_code == 403
    assert "Muat ulang halaman" in response.text


async def test_signed_out_htmx_request_is_sent_to_login(client, staff):
    await client.get("/masuk")  # a CSRF cookie, as a stale page would have
    token = client.cookies.get("sodamolek_csrf")
    response = await client.post(
        URL, data={"nik": UNKNOWN_NIK}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.headers.get("HX-Redirect", "").startswith("/masuk")
    assert UNKNOWN_NIK not in response.text


async def test_get_is_not_offered(client, staff):
    # A NIK in a query string would be written to access logs.
    await login(client, staff.operator)
    response = await client.get(URL, params={"nik": UNKNOWN_NIK})
    assert response.status_code == 405


async def test_app_builds_one_http_registry_and_closes_it_on_shutdown(settings):
    from dataclasses import replace

    from sodamolek.app import create_app

    application = create_app(replace(settings, registry_url="https://dukcapil.test"))
    registry = application.state.registry
    assert isinstance(registry, HttpRegistry)
    async with application.lifespan():
        assert not registry._client.is_closed
    assert registry._client.is_closed
