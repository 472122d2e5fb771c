"""What the service worker's outbox needs from the server: /sw.js with its version and shell,
/sesi with a fresh CSRF token, the queue page's shell, the offline page, the outbox page, and
the form and the JSON API agreeing on what "the same request" is."""

import dataclasses
import json
import re
import subprocess
import uuid

from sodamolek.accounts.sessions import SESSION_COOKIE
from sodamolek.core.http import SHELL_HEADER
from sodamolek.web import offline
from tests.conftest import csrf_from, login
from tests.integration.test_request_views import create, form_data

BUILD_LINE = re.compile(r"^// .*\nself\.SODAMOLEK_BUILD = (\{.*\});\n", re.MULTILINE)


def build_of(script: str) -> dict:
    match = BUILD_LINE.match(script)
    assert match, script[:300]
    return json.loads(match.group(1))


async def test_service_worker_carries_its_version_and_the_shell(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/javascript")
    build = build_of(response.text)
    assert re.fullmatch(r"[0-9a-f]{16}", build["version"])
    # Every active letter type's form, the queue, the chooser, the outbox page; nothing personal.
    assert "/permohonan/baru/domisili" in build["pages"]
    assert {"/", "/permohonan", "/permohonan/baru", "/permohonan/antrean-perangkat"} <= set(
        build["pages"]
    )
    assert len(build["pages"]) == 4 + 9
    assert all(re.fullmatch(r"/static/.+\?v=[0-9a-f]{10}", u) for u in build["static"][:-1])
    assert build["offline"] == "/luring"
    assert build["scripts"]["idb"].startswith("/static/vendor/idb-8.0.4.umd.js?v=")
    # Its pure rules come from /sw-logic.js (importScripts), as the file tests/js/ tests.
    logic = await client.get("/sw-logic.js")
    assert logic.status_code == 200 and logic.headers["cache-control"] == "no-cache"
    assert logic.headers["content-type"].startswith("text/javascript")
    assert logic.content == (offline.SERVICE_WORKER_DIR / "logic.js").read_bytes()
    # Served as the same bytes until something changes: the browser installs no new version.
    assert (await client.get("/sw.js")).text == response.text


async def test_new_release_or_letter_type_gives_a_new_worker_version(client, app):
    version = build_of((await client.get("/sw.js")).text)["version"]
    app.state.settings = dataclasses.replace(app.state.settings, release="2026-12-01")
    assert build_of((await client.get("/sw.js")).text)["version"] != version
    assert (
        offline.build_info("a", ["domisili"])["version"]
        != offline.build_info("a", ["domisili", "sktm"])["version"]
    )


async def test_session_info_is_401_json_without_a_session(client):
    response = await client.get("/sesi")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Sesi berakhir")
    assert response.headers["cache-control"] == "no-store"
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_session_info_gives_a_token_the_json_api_accepts(client, staff):
    await login(client, staff.operator)
    client.cookies.delete("sodamolek_csrf")  # as after a browser restart: a cached page's token
    response = await client.get("/sesi")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert answer["username"] == staff.operator and answer["role"] == "operator"
    assert client.cookies.get("sodamolek_csrf")  # a new CSRF cookie came with it

    key = str(uuid.uuid4())
    body = {
        "letter_type": "domisili",
        "applicant": {"name": "Yosef Benu"},
        "data": {"keperluan": "Kerja", "alamat_domisili": "Jl. Timor Raya 3"},
    }
    stale = await client.post(
        "/api/v1/permohonan",
        json=body,
        headers={"Idempotency-Key": key, "X-CSRFToken": "0" * 128},
    )
    assert stale.status_code == 403
    fresh = await client.post(
        "/api/v1/permohonan",
        json=body,
        headers={"Idempotency-Key": key, "X-CSRFToken": answer["csrf_token"]},
    )
    assert fresh.status_code == 201, fresh.text


async def test_an_anonymous_redirect_does_not_send_a_session_deleting_cookie(client, staff):
    """The worker's background fetches race with a login in the page; a cookie-deleting header
    arriving after the login's cookie would log the operator out again."""
    response = await client.get("/permohonan")
    assert response.status_code in (302, 303)
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_the_queue_shell_for_the_cache_has_no_personal_data(client, staff):
    await login(client, staff.operator)
    assert (await create(client, applicant_name="Agustina Fanggidae")).status_code == 303
    full = await client.get("/permohonan")
    assert "Agustina Fanggidae" in full.text
    assert SHELL_HEADER in full.headers["vary"]
    shell = await client.get("/permohonan", headers={SHELL_HEADER: "1"})
    assert shell.status_code == 200
    assert "Agustina Fanggidae" not in shell.text and "KPG-" not in shell.text
    assert "tidak tersedia tanpa jaringan" in shell.text
    assert 'hx-trigger="muat"' in shell.text  # the list is loaded when online
    assert shell.headers["cache-control"] == "no-store"


async def test_offline_page_is_public_and_generic(client):
    response = await client.get("/luring")
    assert response.status_code == 200
    assert "Tidak ada jaringan" in response.text
    assert "/permohonan/antrean-perangkat" in response.text


async def test_device_outbox_page_is_a_shell_for_counter_staff(client, staff):
    await login(client, staff.operator)
    page = await client.get("/permohonan/antrean-perangkat")
    assert page.status_code == 200
    assert "Surat Keterangan Domisili" in page.text  # letter names for the client-side list
    assert 'data-operator="op.oebobo"' in page.text
    assert "outbox-page.js" in page.text and "idb-8.0.4.umd.js" in page.text
    assert 'id="lencana-antrean"' in page.text  # the badge in the menu
    form = await client.get("/permohonan/baru/domisili")
    assert 'name="_operator" value="op.oebobo"' in form.text
    assert "request-form.js" in form.text


async def test_device_outbox_page_is_not_for_the_camat(client, staff):
    await login(client, staff.camat)
    assert (await client.get("/permohonan/antrean-perangkat")).status_code == 403
    home = await client.get("/")
    assert 'id="lencana-antrean"' not in home.text and "outbox-db.js" not in home.text


def api_body(fields: list[tuple[str, str]]) -> dict:
    """The worker's own apiBody() (service_worker/logic.js), run by Node: no copy of it here."""
    script = (
        "const {apiBody} = require(process.argv[1]);"
        "process.stdout.write(JSON.stringify(apiBody(JSON.parse(process.argv[2]))));"
    )
    logic = offline.SERVICE_WORKER_DIR / "logic.js"
    result = subprocess.run(
        ["node", "-e", script, str(logic), json.dumps(fields)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


async def test_a_form_post_then_its_outbox_replay_is_the_same_request(client, staff):
    """The form's POST reached the server but its answer was lost (the worker queued it): the
    replay through the API with the same key must be "already have it", not a 409."""
    await login(client, staff.operator)
    page = await client.get("/permohonan/baru/domisili")
    data = form_data(csrf_from(page.text), applicant_verified="1", notes="  ", _operator="x")
    first = await client.post("/permohonan", data=data)
    assert first.status_code == 303
    fields = [(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]
    fields = [(k, v) for k, v in fields if k not in ("_csrf_token", "_operator")]
    session = (await client.get("/sesi")).json()
    replay = await client.post(
        "/api/v1/permohonan",
        json=api_body(fields),
        headers={
            "Idempotency-Key": data["client_request_id"],
            "X-CSRFToken": session["csrf_token"],
        },
    )
    assert replay.status_code == 200, replay.text
    assert f"/permohonan/{replay.json()['id']}/tanda-terima" in first.headers["location"]
