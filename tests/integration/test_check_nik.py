"""POST /penduduk/cek-nik: the registry's answer for the counter's applicant inputs. It is a
status element only (no input, so none is replaced while the operator types), carrying the
record in `data-values` for the page's script."""

from __future__ import annotations

import json
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
    "applicant_religion",
    "applicant_occupation",
    "applicant_marital_status",
    "applicant_citizenship",
    "applicant_kk",
    "applicant_name",
    "applicant_birth_place",
    "applicant_birth_date",
    "applicant_sex",
    "applicant_address",
    "applicant_rt",
    "applicant_rw",
    "applicant_nik",
}


class Result(HTMLParser):
    """The answer's status element: its data attributes, the values it carries, and whether
    the fragment holds any form control at all."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.attrs: dict[str, str] = {}
        self.controls: list[str] = []
        self.feed(html)
        self.values = json.loads(self.attrs["data-values"]) if "data-values" in self.attrs else None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if a.get("id") == "cek-nik-hasil":
            self.attrs = a
        if tag in ("input", "select", "textarea", "button"):
            self.controls.append(tag)


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
    result = Result(response.text)
    assert result.controls == []  # nothing the operator may be typing in is replaced
    assert result.attrs["data-status"] == "found" and result.attrs["data-nik"] == person["nik"]
    assert set(result.values) == FIELDS  # exactly the names the request form reads
    assert result.values == {
        "applicant_nik": person["nik"],
        "applicant_kk": person["kk"],
        "applicant_name": person["name"],
        "applicant_birth_place": person["birth_place"],
        "applicant_birth_date": person["birth_date"].isoformat(),
        "applicant_sex": person["sex"],
        "applicant_address": person["address"],
        "applicant_rt": person["rt"],
        "applicant_rw": person["rw"],
        # The identity letters print (agama, pekerjaan, status perkawinan, kewarganegaraan).
        "applicant_religion": person["religion"],
        "applicant_occupation": person["occupation"],
        "applicant_marital_status": person["marital_status"],
        "applicant_citizenship": "WNI",
    }
    assert 'class="notice"' in response.text
    assert "Terverifikasi dari data kependudukan" in response.text


async def test_not_found_keeps_the_nik_and_asks_for_manual_entry(client, staff, residents):
    await login(client, staff.lurah)
    response = await check(client, UNKNOWN_NIK)
    assert response.status_code == 200
    result = Result(response.text)
    assert result.attrs["data-status"] == "not_found" and result.attrs["data-nik"] == UNKNOWN_NIK
    assert result.values is None and result.controls == []
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
    result = Result(response.text)
    assert result.attrs["data-status"] == "invalid" and result.attrs["data-nik"] == nik
    assert result.values is None and 'role="alert"' in response.text


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


async def test_registry_down_asks_for_manual_entry(app, client, staff):
    down = DownRegistry()
    app.state.registry = down
    await login(client, staff.operator)
    response = await check(client, UNKNOWN_NIK)
    assert response.status_code == 200
    assert down.calls == 1
    assert UNAVAILABLE in response.text
    assert 'class="warning"' in response.text
    result = Result(response.text)
    assert result.attrs["data-status"] == "unavailable" and result.values is None


async def test_the_form_posts_its_nik_as_applicant_nik(client, staff, residents):
    # The form's NIK input posts itself (hx-params): the NIK arrives as applicant_nik.
    await login(client, staff.operator)
    token = await csrf(client)
    response = await client.post(
        URL, data={"applicant_nik": residents[0]["nik"]}, headers={"X-CSRFToken": token}
    )
    assert Result(response.text).values["applicant_name"] == residents[0]["name"]


async def test_the_form_swaps_only_the_status_element(client, staff):
    await login(client, staff.operator)
    form = (await client.get("/permohonan/baru/domisili")).text
    nik_input = form[form.index('<input id="applicant_nik"') :]
    nik_input = nik_input[: nik_input.index(">")]
    assert 'hx-target="#cek-nik-hasil"' in nik_input and 'hx-swap="outerHTML"' in nik_input
    assert 'hx-params="applicant_nik"' in nik_input
    assert form.count('id="cek-nik-hasil"') == 1
    assert "js/applicant-lookup.js" in form


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
    result = Result(response.text)
    assert result.values["applicant_name"] == person["name"]
    assert result.attrs["data-status"] == "found"


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
